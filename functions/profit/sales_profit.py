"""Sales-line profit for POS lines and customer-invoice lines together.

    cogs_tax_in  = quantity × unit_cost_tax_in      (0 with cost_missing = true when no cost is known)
    gross_profit = revenue_tax_in − cogs_tax_in

Refunds need no special case: POS refunds and credit notes carry negative quantity and revenue, so
their COGS and gross profit come out negative too.
"""

from __future__ import annotations

import polars as pl

SOURCE_POS = "pos"
SOURCE_INVOICE = "invoice"

LINE_PROFIT_COLUMNS = {
    "date": pl.Date,
    "source": pl.String,
    "doc_id": pl.Int64,
    "doc_name": pl.String,
    "line_id": pl.Int64,
    "company_id": pl.Int64,
    "partner_id": pl.Int64,
    "product_id": pl.Int64,
    "quantity": pl.Float64,
    "revenue_tax_ex": pl.Float64,
    "revenue_tax_in": pl.Float64,
    "cost_date": pl.Date,
    "unit_cost_tax_in": pl.Float64,
    "cogs_tax_in": pl.Float64,
    "gross_profit": pl.Float64,
    "cost_missing": pl.Boolean,
}
_SALES_COLUMNS = [
    "date",
    "source",
    "doc_id",
    "doc_name",
    "line_id",
    "company_id",
    "partner_id",
    "product_id",
    "quantity",
    "revenue_tax_ex",
    "revenue_tax_in",
]


def _col(frame: pl.DataFrame, name: str, dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
    return pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype)


def _normalise(frame: pl.DataFrame, source: str, doc_id: str, doc_name: str) -> pl.DataFrame:
    return frame.select(
        _col(frame, "date", pl.Date).alias("date"),
        pl.lit(source, dtype=pl.String).alias("source"),
        _col(frame, doc_id, pl.Int64).alias("doc_id"),
        _col(frame, doc_name, pl.String).alias("doc_name"),
        _col(frame, "line_id", pl.Int64).alias("line_id"),
        _col(frame, "company_id", pl.Int64).alias("company_id"),
        _col(frame, "partner_id", pl.Int64).alias("partner_id"),
        _col(frame, "product_id", pl.Int64).alias("product_id"),
        # A missing amount counts as 0 so that line figures always add up to the aggregates.
        _col(frame, "quantity", pl.Float64).fill_null(0.0).alias("quantity"),
        _col(frame, "revenue_tax_ex", pl.Float64).fill_null(0.0).alias("revenue_tax_ex"),
        _col(frame, "revenue_tax_in", pl.Float64).fill_null(0.0).alias("revenue_tax_in"),
    )


def sales_lines(pos: pl.DataFrame | None, invoices: pl.DataFrame | None) -> pl.DataFrame:
    """fact_sales (POS, doc = order) ∪ fact_invoice_sales (doc = move) with a `source` column."""
    # Sorted by (source, doc_id, line_id): invoice before pos, each by document and line.
    parts = []
    if invoices is not None:
        parts.append(
            _normalise(invoices, SOURCE_INVOICE, "move_id", "move_name").sort(
                "doc_id", "line_id", maintain_order=True
            )
        )
    if pos is not None:
        parts.append(
            _normalise(pos, SOURCE_POS, "order_id", "order_name").sort(
                "doc_id", "line_id", maintain_order=True
            )
        )
    if not parts:
        return pl.DataFrame(schema={c: LINE_PROFIT_COLUMNS[c] for c in _SALES_COLUMNS})
    return pl.concat(parts, how="vertical")


def line_profit(lines: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """Attach each line's latest cost (`latest` = one priced row per product, for the lines' day).

    Keeps the lines' order (sales_lines gives them sorted by source, document and line).
    """
    costs = latest.select(
        pl.col("product_id").cast(pl.Int64),
        pl.col("cost_date").cast(pl.Date),
        pl.col("unit_cost_tax_in").cast(pl.Float64),
    )
    missing = pl.col("unit_cost_tax_in").is_null()
    return (
        lines.join(costs, on="product_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(missing)
            .then(0.0)
            .otherwise(pl.col("quantity") * pl.col("unit_cost_tax_in"))
            .alias("cogs_tax_in"),
            missing.alias("cost_missing"),
        )
        .with_columns((pl.col("revenue_tax_in") - pl.col("cogs_tax_in")).alias("gross_profit"))
        .select(list(LINE_PROFIT_COLUMNS))
    )
