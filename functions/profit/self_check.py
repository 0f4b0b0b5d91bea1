"""The cheap rules of `validate-profit`, run by the profit stage on its own output (pure).

- every sales line of the day is a profit line (POS lines + invoice lines = profit lines);
- gross_profit = revenue_tax_in − cogs_tax_in on every line;
- a line without a known cost has cost_missing, cogs 0; a line with one has unit cost > 0 and cogs
  carrying the sign of its quantity (refunds take cost back);
- the day's aggregate equals the sums of the lines (revenue, cogs, profit, quantity, lines,
  cost_missing lines), and so does the sum of the per-product aggregate.
Amounts are compared to the cent, quantities to 0.001. Returns the differences as text (none: clean).
"""

from __future__ import annotations

import polars as pl

CENT = 0.01
QTY = 0.001
_SUMS = {"revenue_tax_in": CENT, "cogs_tax_in": CENT, "gross_profit": CENT, "quantity": QTY}


def _total(frame: pl.DataFrame, column: str) -> float:
    return float(frame[column].sum() or 0.0) if column in frame.columns and frame.height else 0.0


def _compare(what: str, stored: pl.DataFrame, lines: pl.DataFrame, columns: dict[str, float]) -> list[str]:
    found = []
    for column, tolerance in columns.items():
        kept, expected = _total(stored, column), _total(lines, column)
        if abs(kept - expected) > tolerance + 1e-9:
            found.append(f"profit {what} {column}: {kept:.2f} vs lines {expected:.2f}")
    return found


def profit_differences(
    lines: pl.DataFrame, daily: pl.DataFrame, by_product: pl.DataFrame, sales_lines: int
) -> list[str]:
    """What is wrong with one day's profit output (`sales_lines`: POS + invoice lines read)."""
    found: list[str] = []
    if lines.height != sales_lines:
        found.append(f"profit lines: {lines.height} vs sales lines {sales_lines}")
    if lines.height:
        bad_profit = lines.filter(
            (pl.col("gross_profit") - (pl.col("revenue_tax_in") - pl.col("cogs_tax_in"))).abs() > CENT
        ).height
        if bad_profit:
            found.append(f"profit lines: {bad_profit} with gross_profit != revenue_tax_in - cogs_tax_in")
        missing = pl.col("cost_missing").fill_null(True)
        bad_missing = lines.filter(missing & (pl.col("cogs_tax_in").fill_null(0.0).abs() > CENT)).height
        if bad_missing:
            found.append(f"profit lines: {bad_missing} with cost_missing and cogs_tax_in != 0")
        costed = lines.filter(~missing)
        bad_cost = costed.filter(pl.col("unit_cost_tax_in").fill_null(0.0) <= 0).height
        if bad_cost:
            found.append(f"profit lines: {bad_cost} with a known cost that is not positive")
        bad_sign = costed.filter(
            (pl.col("cogs_tax_in").abs() > CENT) & (pl.col("cogs_tax_in").sign() != pl.col("quantity").sign())
        ).height
        if bad_sign:
            found.append(f"profit lines: {bad_sign} whose cogs_tax_in sign differs from the quantity's")
    counts = lines.select(
        pl.len().alias("lines"), pl.col("cost_missing").fill_null(True).sum().alias("cost_missing_lines")
    ) if lines.height else pl.DataFrame({"lines": [0], "cost_missing_lines": [0]})
    found += _compare("agg_profit_daily", daily, lines, _SUMS)
    for column in ("lines", "cost_missing_lines"):
        if column in daily.columns and _total(daily, column) != _total(counts, column):
            found.append(f"profit agg_profit_daily {column}: {int(_total(daily, column))} vs lines "
                         f"{int(_total(counts, column))}")
    found += _compare("agg_profit_daily_by_product", by_product, lines, _SUMS)
    if "lines" in by_product.columns and _total(by_product, "lines") != lines.height:
        found.append(f"profit agg_profit_daily_by_product lines: {int(_total(by_product, 'lines'))} vs {lines.height}")
    return found
