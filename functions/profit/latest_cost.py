"""Latest known cost per product as of a day.

The latest cost of a product on day D is its cost event with the greatest event date ≤ D (a purchase
on D counts, a later one never does); ties on one date go to the greatest (move_id, line_id).

`latest_cost_asof` builds it from any set of events (the profit stage gives it every purchase
partition ≤ D).
"""

from __future__ import annotations

from datetime import date

import polars as pl

# What is kept of the winning event: enough to price it and to trace it to its bill line.
# (The bill line itself is found again by move_id and line_id in fact_product_cost_events.)
STATE_EVENT_COLUMNS = {
    "date": pl.Date,
    "product_id": pl.Int64,
    "move_id": pl.Int64,
    "line_id": pl.Int64,
    "actual_price": pl.Float64,
    "tax_id": pl.Int64,
    "line_uom_id": pl.Int64,
}
# The rule's order, then the remaining columns so that even duplicate keys give one stable answer.
_ORDER = ["date", "move_id", "line_id", "actual_price", "tax_id", "line_uom_id"]

LATEST_COLUMNS = ["date", "product_id", "cost_date"] + [
    c for c in STATE_EVENT_COLUMNS if c not in ("date", "product_id")
]


def _event_frame(events: pl.DataFrame) -> pl.DataFrame:
    return events.select(
        (pl.col(c).cast(t) if c in events.columns else pl.lit(None, dtype=t)).alias(c)
        for c, t in STATE_EVENT_COLUMNS.items()
    )


def latest_cost_asof(events: pl.DataFrame, day: date) -> pl.DataFrame:
    """One row per product that has a cost event ≤ day: the winning event, unpriced.

    Columns: date (= day), product_id, cost_date (the event's date), move_id, line_id, actual_price,
    tax_id, line_uom_id. Sorted by product_id.
    """
    frame = _event_frame(events).filter(pl.col("date") <= day, pl.col("product_id").is_not_null())
    # Narrow to each product's last event date first: the full sort then only sees the few ties.
    frame = frame.filter(pl.col("date") == pl.col("date").max().over("product_id"))
    winners = frame.sort(["product_id", *_ORDER], nulls_last=False).unique(
        subset="product_id", keep="last", maintain_order=True
    )
    return (
        winners.rename({"date": "cost_date"})
        .with_columns(pl.lit(day, dtype=pl.Date).alias("date"))
        .select(LATEST_COLUMNS)
    )
