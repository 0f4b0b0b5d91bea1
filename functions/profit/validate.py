"""Checks of one day's profit outputs: what `nkpipe validate-profit --date D` runs.

Each check returns the rows it examined with an `ok` column; a failing row fails the check. The line
costs and the aggregates are recomputed in DuckDB SQL over the lake's views (sql/*.sql), apart from
the profit stage's own code, so a bug in the stage cannot vouch for itself.

Warnings (purchase taxes the multiplier map does not name, UoM factors that look inconsistent)
are reported but never fail the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from functions.profit.cost_events import (
    cost_event_candidates,
    price_cost_events,
    tax_multiplier_expr,
    uom_factors_are_reference_per_unit,
)
from functions.views import open_views
from shared.lake import Lake, TableSpec, as_frame
from shared.schemas import (
    AGG_PROFIT_DAILY,
    AGG_PROFIT_DAILY_BY_PRODUCT,
    DIM_PRODUCTS,
    DIM_TAXES,
    DIM_UOMS,
    FACT_INVOICE_SALES,
    FACT_PRODUCT_COST_EVENTS,
    FACT_PRODUCT_COST_LATEST_DAILY,
    FACT_PURCHASES,
    FACT_SALES_LINES_PROFIT,
    PROFIT_OUTPUTS,
)

if TYPE_CHECKING:
    from shared.config import Settings

SAMPLE_ROWS = 50
# Amounts must agree to the rupiah; the relative part absorbs float summation order on big days.
ABS_TOLERANCE = 0.01
REL_TOLERANCE = 1e-9
VIEWS_TO_OPEN = tuple(spec.name for spec in PROFIT_OUTPUTS) + ("fact_sales_all",)
_MEASURES = (
    "revenue_tax_ex",
    "revenue_tax_in",
    "cogs_tax_in",
    "gross_profit",
    "quantity",
    "transactions",
    "lines",
    "cost_missing_lines",
)


@dataclass
class Check:
    name: str  # also the sample file's name
    title: str
    rows: pl.DataFrame  # the examined rows, with an `ok` column
    warning: bool = False  # a warning is reported, never fails the run
    note: str = ""

    @property
    def checked(self) -> int:
        return self.rows.height

    @property
    def failed(self) -> int:
        return 0 if "ok" not in self.rows.columns else int((~self.rows["ok"]).sum())

    @property
    def ok(self) -> bool:
        return self.warning or self.failed == 0

    def sample(self, limit: int = SAMPLE_ROWS) -> pl.DataFrame:
        """Failing rows first, then passing ones."""
        if "ok" not in self.rows.columns:
            return self.rows.head(limit)
        return pl.concat([self.rows.filter(~pl.col("ok")), self.rows.filter(pl.col("ok"))]).head(limit)


def close(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """Equal to the rupiah (both null counts as equal)."""
    diff = (left - right).abs()
    bound = ABS_TOLERANCE + REL_TOLERANCE * pl.max_horizontal(left.abs(), right.abs())
    return (left.is_null() & right.is_null()) | (diff <= bound).fill_null(False)


def _sql(name: str) -> str:
    return resources.files("functions.profit").joinpath("sql", name).read_text(encoding="utf-8")


def _query(con: Any, name: str, params: Mapping[str, Any]) -> pl.DataFrame:
    return as_frame(con.sql(_sql(name), params=dict(params)).to_arrow_table())


# --- pure checks --------------------------------------------------------------------------------


def check_multipliers(
    events: pl.DataFrame,
    latest: pl.DataFrame,
    multipliers: Mapping[int, float],
    products: pl.DataFrame | None,
    uoms: pl.DataFrame | None,
) -> pl.DataFrame:
    """Stored multiplier and unit cost vs the configured map and the current dimensions."""
    parts = []
    for table, frame in (("cost_events", events), ("latest_cost", latest)):
        expected = price_cost_events(frame.drop("product_uom_id"), multipliers, products, uoms)
        parts.append(
            frame.select(
                pl.lit(table).alias("table"),
                "product_id",
                "move_id",
                "line_id",
                "tax_id",
                "actual_price",
                "tax_multiplier",
                "uom_ratio",
                "unit_cost_tax_in",
            ).with_columns(
                frame.select(tax_multiplier_expr(multipliers).alias("expected_multiplier")).to_series(),
                expected["unit_cost_tax_in"].alias("expected_unit_cost"),
            )
        )
    rows = pl.concat(parts)
    return rows.with_columns(
        (
            close(pl.col("tax_multiplier"), pl.col("expected_multiplier"))
            & close(pl.col("unit_cost_tax_in"), pl.col("expected_unit_cost"))
        ).alias("ok")
    )


def check_exclusions(purchases: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Every eligible purchase line is an event; no bonus line, refund or other line is."""
    keys = ["move_id", "line_id"]
    eligible = cost_event_candidates(purchases).select(keys).with_columns(pl.lit(True).alias("eligible"))
    in_events = events.select(keys).with_columns(pl.lit(True).alias("in_events"))
    lines = purchases.select(
        pl.col("move_id").cast(pl.Int64),
        pl.col("line_id").cast(pl.Int64),
        pl.col("move_type"),
        pl.col("product_id").cast(pl.Int64),
        pl.col("quantity").cast(pl.Float64),
        pl.col("actual_price").cast(pl.Float64),
    )
    rows = (
        lines.join(eligible, on=keys, how="left")
        .join(in_events, on=keys, how="full", coalesce=True)
        .with_columns(pl.col("eligible").fill_null(False), pl.col("in_events").fill_null(False))
    )
    return rows.with_columns((pl.col("eligible") == pl.col("in_events")).alias("ok")).sort(keys)


def check_line_costs(lines: pl.DataFrame, expected: pl.DataFrame, day: date) -> pl.DataFrame:
    """Each line has its cost (as recomputed) or is flagged; COGS and gross profit follow from it."""
    keys = ["source", "doc_id", "line_id"]
    both = lines.with_columns(pl.lit(True).alias("in_profit")).join(
        expected.with_columns(pl.lit(True).alias("in_sales")), on=keys, how="full", coalesce=True
    )
    missing = pl.col("cost_missing").fill_null(False)
    has_expected = pl.col("expected_unit_cost").is_not_null()
    ok = (
        pl.col("in_profit").fill_null(False)
        & pl.col("in_sales").fill_null(False)
        & (missing == ~has_expected)
        & pl.when(missing)
        .then(pl.col("unit_cost_tax_in").is_null() & (pl.col("cogs_tax_in") == 0))
        .otherwise(
            close(pl.col("unit_cost_tax_in"), pl.col("expected_unit_cost"))
            & (pl.col("cost_date") == pl.col("expected_cost_date"))
            & (pl.col("cost_date") <= day)
            & close(pl.col("cogs_tax_in"), pl.col("quantity") * pl.col("unit_cost_tax_in"))
        )
        & close(pl.col("gross_profit"), pl.col("revenue_tax_in") - pl.col("cogs_tax_in"))
        & close(pl.col("revenue_tax_in"), pl.col("expected_revenue_tax_in").fill_null(0.0))
    )
    return both.select(
        *keys,
        "product_id",
        "quantity",
        "revenue_tax_in",
        "cost_date",
        "expected_cost_date",
        "unit_cost_tax_in",
        "expected_unit_cost",
        "cogs_tax_in",
        "gross_profit",
        "cost_missing",
        ok.fill_null(False).alias("ok"),
    ).sort(keys, nulls_last=True)


def compare_aggregates(stored: pl.DataFrame, expected: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Stored aggregate rows vs rows summed again from the lines, measure by measure."""
    on = keys or ["_row"]  # the daily aggregate: one row each side
    left = stored.with_columns(pl.lit(1).alias("_row")) if not keys else stored
    right = expected.with_columns(pl.lit(1).alias("_row")) if not keys else expected
    joined = left.select(*on, *_MEASURES).join(
        right.select(*on, *(pl.col(m).alias(f"expected_{m}") for m in _MEASURES)),
        on=on,
        how="full",
        coalesce=True,
        nulls_equal=True,
    )
    ok = pl.all_horizontal(
        close(pl.col(m).cast(pl.Float64), pl.col(f"expected_{m}").cast(pl.Float64)) for m in _MEASURES
    )
    return joined.with_columns(ok.alias("ok")).sort(on, nulls_last=True).drop("_row", strict=False)


def unmapped_purchase_taxes(
    purchases: pl.DataFrame, taxes: pl.DataFrame | None, multipliers: Mapping[int, float]
) -> pl.DataFrame:
    """Taxes on the day's bills, and active purchase taxes, that the multiplier map does not name."""
    named = [int(k) for k in multipliers]
    keys = [pl.col("move_id").cast(pl.Int64), pl.col("line_id").cast(pl.Int64)]
    taxes_per_line = pl.concat(
        [
            purchases.select(*keys, pl.col("tax_ids").cast(pl.List(pl.Int64)).alias("tax_id")).explode(
                "tax_id"
            ),
            purchases.select(*keys, pl.col("tax_id").cast(pl.Int64)),
        ]
    )
    used = (
        taxes_per_line.drop_nulls("tax_id")
        .unique()
        .group_by("tax_id")
        .agg(pl.len().cast(pl.Int64).alias("lines_on_day"))
    )
    catalogue = pl.DataFrame(
        schema={
            "tax_id": pl.Int64,
            "name": pl.String,
            "amount": pl.Float64,
            "type_tax_use": pl.String,
            "active": pl.Boolean,
        }
    )
    if taxes is not None and taxes.height:
        catalogue = taxes.select(
            pl.col("tax_id").cast(pl.Int64),
            pl.col("name").cast(pl.String),
            pl.col("amount").cast(pl.Float64),
            pl.col("type_tax_use").cast(pl.String),
            (pl.col("active").cast(pl.Boolean) if "active" in taxes.columns else pl.lit(True)).alias(
                "active"
            ),
        )
    # Active purchase taxes are listed even when the day's bills do not use them.
    purchase_taxes = catalogue.filter(
        (pl.col("type_tax_use") == "purchase") & pl.col("active").fill_null(True)
    )
    used = used.join(purchase_taxes.select("tax_id"), on="tax_id", how="full", coalesce=True).with_columns(
        pl.col("lines_on_day").fill_null(0)
    )
    rows = used.join(catalogue, on="tax_id", how="left").filter(~pl.col("tax_id").is_in(named))
    return rows.select("tax_id", "name", "amount", "type_tax_use", "lines_on_day").sort("tax_id")


def inconsistent_uom_factors(uoms: pl.DataFrame | None) -> pl.DataFrame:
    """Units whose factor contradicts their type under the factor meaning in use (see cost_events)."""
    empty = pl.DataFrame(
        schema={"uom_id": pl.Int64, "name": pl.String, "uom_type": pl.String, "factor": pl.Float64}
    )
    if uoms is None or "uom_type" not in uoms.columns or uom_factors_are_reference_per_unit(uoms):
        return empty
    rows = uoms.select(
        pl.col("uom_id").cast(pl.Int64),
        pl.col("name").cast(pl.String)
        if "name" in uoms.columns
        else pl.lit(None, dtype=pl.String).alias("name"),
        pl.col("uom_type").cast(pl.String),
        pl.col("factor").cast(pl.Float64),
    )
    # Odoo ≤ 18: a bigger unit has factor < 1 (Dozens 1/12), a smaller one > 1 (g per kg: 1000).
    return rows.filter(
        ((pl.col("uom_type") == "bigger") & (pl.col("factor") > 1))
        | ((pl.col("uom_type") == "smaller") & (pl.col("factor") < 1))
        | (pl.col("factor") <= 0)
    )


def invoice_lines_in_other_units(
    invoices: pl.DataFrame | None, products: pl.DataFrame | None
) -> pl.DataFrame:
    """Invoice lines whose unit differs from the product's: COGS follows the contract's formula
    (line quantity × cost per product unit), which is only right in the product's unit."""
    columns = {
        "move_id": pl.Int64,
        "line_id": pl.Int64,
        "product_id": pl.Int64,
        "uom_id": pl.Int64,
        "product_uom_id": pl.Int64,
    }
    if (
        invoices is None
        or products is None
        or "uom_id" not in invoices.columns
        or "uom_id" not in products.columns
    ):
        return pl.DataFrame(schema=columns)
    product_units = products.select(
        pl.col("product_id").cast(pl.Int64), pl.col("uom_id").cast(pl.Int64).alias("product_uom_id")
    ).unique(subset="product_id", keep="last", maintain_order=True)
    lines = invoices.select(
        *(pl.col(c).cast(pl.Int64) for c in ("move_id", "line_id", "product_id", "uom_id"))
    )
    return (
        lines.join(product_units, on="product_id", how="inner")
        .filter(pl.col("uom_id").is_not_null() & (pl.col("uom_id") != pl.col("product_uom_id")))
        .select(list(columns))
    )


# --- I/O ----------------------------------------------------------------------------------------


def _read(lake: Lake, spec: TableSpec, day: date | None = None) -> pl.DataFrame | None:
    table = lake.read_partition(spec, day) if day is not None else lake.read_table(spec)
    return None if table is None else as_frame(table)


def _empty(spec: TableSpec) -> pl.DataFrame:
    return as_frame(spec.schema.empty_table())


def _views_check(lake: Lake, day: date, partition_rows: Mapping[str, int]) -> tuple[Check, Any]:
    import duckdb

    try:
        con = open_views(lake)
    except Exception as exc:  # noqa: BLE001 — reported as a failed check, with its reason
        rows = pl.DataFrame({"view": ["(all)"], "error": [f"{type(exc).__name__}: {exc}"], "ok": [False]})
        return Check("views", "views open", rows, note="the views did not open"), None
    records = []
    for name in VIEWS_TO_OPEN:
        try:
            on_day = duckdb.ColumnExpression("date") == duckdb.ConstantExpression(day)
            count = con.table(name).filter(on_day).aggregate("count(*)").fetchall()[0][0]
            error = None
        except Exception as exc:  # noqa: BLE001
            count, error = None, f"{type(exc).__name__}: {exc}"
        expected = partition_rows.get(name)
        records.append(
            {
                "view": name,
                "rows_in_view": count,
                "rows_in_partition": expected,
                "error": error,
                "ok": error is None and (expected is None or count == expected),
            }
        )
    schema = {
        "view": pl.String,
        "rows_in_view": pl.Int64,
        "rows_in_partition": pl.Int64,
        "error": pl.String,
        "ok": pl.Boolean,
    }
    return Check("views", "views open", pl.DataFrame(records, schema=schema)), con


def validate_day(settings: Settings, lake: Lake, day: date) -> list[Check]:
    """Run every check for `day`; the first check says whether the outputs exist at all."""
    outputs = {spec.name: _read(lake, spec, day) for spec in PROFIT_OUTPUTS}
    missing = [name for name, frame in outputs.items() if frame is None]
    presence = pl.DataFrame({"table": list(outputs), "ok": [outputs[n] is not None for n in outputs]})
    checks = [Check("outputs", "profit outputs written for the day", presence)]
    if missing:
        checks[0].note = f"missing: {', '.join(missing)} (run `nkpipe run --stages profit --date {day}`)"
        return checks
    written = {name: frame for name, frame in outputs.items() if frame is not None}

    multipliers = {int(k): float(v) for k, v in settings.tax_multipliers.items()}
    products, uoms, taxes = _read(lake, DIM_PRODUCTS), _read(lake, DIM_UOMS), _read(lake, DIM_TAXES)
    purchases = _read(lake, FACT_PURCHASES, day)
    purchases = _empty(FACT_PURCHASES) if purchases is None else purchases
    events = written[FACT_PRODUCT_COST_EVENTS.name]
    latest = written[FACT_PRODUCT_COST_LATEST_DAILY.name]
    lines = written[FACT_SALES_LINES_PROFIT.name]

    checks.append(
        Check(
            "multipliers",
            "tax multipliers applied",
            check_multipliers(events, latest, multipliers, products, uoms),
        )
    )
    checks.append(
        Check("exclusions", "bonus lines and refunds stayed out", check_exclusions(purchases, events))
    )

    # fact_sales_all must hold exactly the day's profit lines (POS ∪ invoice).
    expected_rows = {n: f.height for n, f in written.items()} | {"fact_sales_all": lines.height}
    view_check, con = _views_check(lake, day, expected_rows)
    if con is not None:
        import duckdb

        con.register(
            "tax_multipliers",
            pl.DataFrame(
                {"tax_id": list(multipliers), "multiplier": list(multipliers.values())},
                schema={"tax_id": pl.Int64, "multiplier": pl.Float64},
            ).to_arrow(),
        )
        params = {"day": day, "reference_per_unit": uom_factors_are_reference_per_unit(uoms)}
        try:
            expected_lines = _query(con, "expected_line_costs.sql", params)
            expected_daily = _query(con, "daily_from_lines.sql", {"day": day})
            expected_products = _query(con, "aggregates_from_lines.sql", {"day": day})
        except duckdb.Error as exc:
            failed = pl.DataFrame({"query": ["recomputation"], "error": [str(exc)], "ok": [False]})
            checks.append(Check("recompute", "independent recomputation ran", failed))
        else:
            checks.append(
                Check(
                    "line_costs",
                    "every sales line has its cost or is flagged",
                    check_line_costs(lines, expected_lines, day),
                )
            )
            checks.append(
                Check(
                    "aggregates_daily",
                    "daily aggregate = sum of its lines",
                    compare_aggregates(written[AGG_PROFIT_DAILY.name], expected_daily, []),
                )
            )
            checks.append(
                Check(
                    "aggregates_by_product",
                    "per-product aggregates = sums of their lines",
                    compare_aggregates(
                        written[AGG_PROFIT_DAILY_BY_PRODUCT.name], expected_products, ["product_id"]
                    ),
                )
            )
        finally:
            con.close()
    checks.append(view_check)

    taxes_rows = unmapped_purchase_taxes(purchases, taxes, multipliers)
    names = ", ".join(_tax_label(r) for r in taxes_rows.iter_rows(named=True))
    checks.append(
        Check(
            "unmapped_taxes",
            "purchase taxes the multiplier map does not name (multiplier 1.0)",
            taxes_rows,
            warning=True,
            note=names,
        )
    )
    odd_uoms = inconsistent_uom_factors(uoms)
    checks.append(
        Check(
            "uom_factors",
            "units whose factor contradicts their type",
            odd_uoms,
            warning=True,
            note=", ".join(
                f"{r['uom_id']} {r['name']} ({r['uom_type']}, factor {r['factor']:g})"
                for r in odd_uoms.iter_rows(named=True)
            ),
        )
    )
    checks.extend(purchase_findings(lake, purchases))
    invoices = _read(lake, FACT_INVOICE_SALES, day)
    other_unit = invoice_lines_in_other_units(invoices, products)
    checks.append(
        Check(
            "sales_uom",
            "invoice lines in another unit than the product's (COGS = their quantity x unit cost)",
            other_unit,
            warning=True,
            note=f"{other_unit.height} line(s): the contract's COGS takes the line quantity as product units",
        )
    )
    return checks


def purchase_findings(lake: Lake, purchases: pl.DataFrame) -> list[Check]:
    """Warnings on the day's bill lines: cost taken from the price after discount because the database
    has no cost field (also said when the latest extraction found none and the day has no bill), and
    lines whose mapped taxes disagree on the multiplier (the first mapped tax decided)."""
    from functions.extract.purchases import MISSING_COST_FIELD
    from functions.profit.stage import data_warnings
    from functions.transform.account_moves import NO_COST_FIELD

    keys = ["move_id", "move_name", "line_id", "product_id", "tax_ids", "tax_id"]
    source = pl.col("cost_source") if "cost_source" in purchases.columns else pl.lit(None, dtype=pl.String)
    priced = purchases.filter(source == NO_COST_FIELD).select(keys)
    missing_field = MISSING_COST_FIELD in data_warnings(lake, None)
    if missing_field and priced.height == 0:
        priced = pl.DataFrame({"move_id": [None]}, schema={"move_id": pl.Int64}).with_columns(
            pl.lit(MISSING_COST_FIELD).alias("note")
        )
    conflict = pl.col("tax_conflict").fill_null(False) if "tax_conflict" in purchases.columns else pl.lit(False)
    conflicts = purchases.filter(conflict).select(keys)
    return [
        Check("cost_field", "bill lines priced without the cost field (actual_price = price after discount)",
              priced, warning=True, note=MISSING_COST_FIELD if priced.height else ""),
        Check("tax_conflicts", "bill lines whose mapped taxes disagree on the multiplier", conflicts, warning=True,
              note=f"{conflicts.height} line(s): tax_id = the first mapped tax of the line" if conflicts.height else ""),
    ]


def _tax_label(row: Mapping[str, Any]) -> str:
    rate = "" if row["amount"] is None else f" {row['amount']:g}%"
    return f"{row['tax_id']} {row['name'] or '(not in dim_taxes)'}{rate} on {row['lines_on_day']} bill line(s) of the day"


def format_report(day: date, lake_url: str, checks: list[Check]) -> str:
    lines = [f"validate-profit {day}  (lake {lake_url})"]
    for check in checks:
        if check.warning:
            mark = "WARN" if check.checked else "ok  "
            detail = f"{check.checked} found" if check.checked else "none"
        else:
            mark = "ok  " if check.ok else "FAIL"
            detail = (
                f"{check.checked:,} rows checked"
                if check.ok
                else f"{check.failed:,} of {check.checked:,} rows wrong"
            )
        lines.append(f"  {mark}  {check.title:<66} {detail}")
        if check.note and (check.checked or not check.ok):
            lines.append(f"        {check.note}")
    failed = [c for c in checks if not c.ok]
    lines.append("result: " + ("ok" if not failed else f"FAILED ({', '.join(c.name for c in failed)})"))
    return "\n".join(lines) + "\n"


def write_samples(checks: list[Check], directory: str | Path, day: date) -> list[Path]:
    """One CSV per check under DIR/<date>/: failing rows first, then passing ones."""
    folder = Path(directory) / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for check in checks:
        path = folder / f"{check.name}.csv"
        sample = check.sample()
        # CSV has no lists: show them as text.
        sample = sample.with_columns(
            pl.col(c).cast(pl.List(pl.String)).list.join(",")
            for c, t in sample.schema.items()
            if isinstance(t, pl.List)
        )
        sample.write_csv(path)
        written.append(path)
    return written
