"""Daily profit aggregates, for the day and for each product of the day.

Sums are plain sums of the line figures (quantity signed, refunds included); `transactions` counts
distinct (source, doc_id) pairs, so a POS order and an invoice with the same number are two; `lines`
counts sales lines. A day without sales still gets its one `agg_profit_daily` row, all zeros.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from functions.profit.sales_profit import SOURCE_POS

_SUMS = ["revenue_tax_ex", "revenue_tax_in", "cogs_tax_in", "gross_profit", "quantity"]

DAILY_COLUMNS = {
    "date": pl.Date,
    "revenue_tax_ex": pl.Float64,
    "revenue_tax_in": pl.Float64,
    "cogs_tax_in": pl.Float64,
    "gross_profit": pl.Float64,
    "quantity": pl.Float64,
    "transactions": pl.Int64,
    "lines": pl.Int64,
    "cost_missing_lines": pl.Int64,
}
HOURLY_COLUMNS = {
    "date": pl.Date,
    "config_id": pl.Int64,
    "hour": pl.Int64,
    **{k: v for k, v in DAILY_COLUMNS.items() if k != "date"},
}
# POS orders without a config (not expected from Odoo, where every order has a session).
NO_CONFIG = 0
BY_PRODUCT_COLUMNS = {
    "date": pl.Date,
    "product_id": pl.Int64,
    **{k: v for k, v in DAILY_COLUMNS.items() if k != "date"},
}


def _measures() -> list[pl.Expr]:
    return [
        *(pl.col(c).cast(pl.Float64).sum().alias(c) for c in _SUMS),
        pl.struct("source", "doc_id").n_unique().cast(pl.Int64).alias("transactions"),
        pl.len().cast(pl.Int64).alias("lines"),
        pl.col("cost_missing").sum().cast(pl.Int64).alias("cost_missing_lines"),
    ]


def daily_aggregate(lines: pl.DataFrame, day: date) -> pl.DataFrame:
    """One row for `day` over the profit lines of that day."""
    if lines.height == 0:
        zeros = {c: [0.0] for c in _SUMS} | {c: [0] for c in ("transactions", "lines", "cost_missing_lines")}
        return pl.DataFrame({"date": [day], **zeros}, schema=DAILY_COLUMNS)
    return (
        lines.select(_measures())
        .with_columns(pl.lit(day, dtype=pl.Date).alias("date"))
        .select([pl.col(c).cast(t) for c, t in DAILY_COLUMNS.items()])
    )


def daily_by_product(lines: pl.DataFrame, day: date) -> pl.DataFrame:
    """One row per product sold on `day` (lines without a product form one null-product row)."""
    return (
        lines.group_by("product_id")
        .agg(_measures())
        .with_columns(pl.lit(day, dtype=pl.Date).alias("date"))
        .select([pl.col(c).cast(t) for c, t in BY_PRODUCT_COLUMNS.items()])
        .sort("product_id", nulls_last=True)
    )


def hourly_aggregate(lines: pl.DataFrame, pos: pl.DataFrame | None, day: date, tz: str) -> pl.DataFrame:
    """One row per (POS config, hour of the order in `tz`) of the POS profit lines of `day`.

    The hour and the config come from fact_sales (`date_order`, `config_id`) by line id; invoice
    lines have no time of day and stay out (they are in the daily aggregates), as does a POS line
    without a date_order.
    """
    empty = pl.DataFrame(schema=HOURLY_COLUMNS)
    if pos is None or pos.height == 0:
        return empty
    when = pos.select(
        pl.col("line_id").cast(pl.Int64),
        pl.col("config_id").cast(pl.Int64).fill_null(NO_CONFIG).alias("config_id"),
        pl.col("date_order").dt.convert_time_zone(tz).dt.hour().cast(pl.Int64).alias("hour"),
    ).filter(pl.col("hour").is_not_null()).unique("line_id", keep="first")
    # the lines in their order: float sums then add up the same way every run
    pos_lines = lines.filter(pl.col("source") == SOURCE_POS).join(when, on="line_id", how="inner", maintain_order="left")
    if pos_lines.height == 0:
        return empty
    return (
        pos_lines.group_by("config_id", "hour", maintain_order=True)
        .agg(_measures())
        .with_columns(pl.lit(day, dtype=pl.Date).alias("date"))
        .select([pl.col(c).cast(t) for c, t in HOURLY_COLUMNS.items()])
        .sort("config_id", "hour")
    )
