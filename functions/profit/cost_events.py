"""Cost events: the vendor-bill lines that set a product's cost, priced tax-in per product unit.

A cost event is a `fact_purchases` line with `actual_price > 0` and `quantity > 0`: bonus lines
(price 0) and vendor refunds (negative quantity) never set a cost. Its cost per product unit, tax in:

    unit_cost_tax_in = actual_price × tax_multiplier(tax_id) × uom_ratio

`tax_multiplier` comes from the configured map (any other or no tax → 1.0). `uom_ratio` converts a
price per bill-line unit into a price per product unit with Odoo's `uom.uom` factors, as Odoo's own
`uom._compute_price(price, to_unit)` does. The meaning of `factor` changed in Odoo 19:

- Odoo ≤ 18 (units have `uom_type` and a category): factor = how many of this unit make one
  reference unit (Dozens: 1/12), so ratio = line.factor / product.factor;
- Odoo 19 (no `uom_type`, no categories): factor = how many reference units one of this unit holds
  (Dozens: 12), so ratio = product.factor / line.factor.

The ratio is 1.0 when the units are the same, unknown, of different categories, or have no positive
factor — the same fall-backs Odoo uses.

Pricing is kept apart from selection (`price_cost_events`): the latest cost is selected on raw
events and priced with today's settings and dimensions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import polars as pl

# a frame in, the same kind of frame out (a LazyFrame stays lazy)
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
DType = pl.DataType | type[pl.DataType]

# The raw columns of a cost event before pricing: all the latest-cost selection needs.
EVENT_KEY_COLUMNS = ("date", "product_id", "move_id", "line_id")
RAW_EVENT_COLUMNS = {
    "date": pl.Date,
    "product_id": pl.Int64,
    "move_id": pl.Int64,
    "move_name": pl.String,
    "line_id": pl.Int64,
    "company_id": pl.Int64,
    "partner_id": pl.Int64,
    "quantity": pl.Float64,
    "actual_price": pl.Float64,
    "tax_id": pl.Int64,
    "line_uom_id": pl.Int64,
}
PRICED_COLUMNS = {
    "tax_multiplier": pl.Float64,
    "product_uom_id": pl.Int64,
    "uom_ratio": pl.Float64,
    "unit_cost_tax_in": pl.Float64,
}


def _column_or_null(frame: pl.DataFrame | pl.LazyFrame, name: str, dtype: DType) -> pl.Expr:
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    if name in names:
        return pl.col(name).cast(dtype)
    return pl.lit(None, dtype=dtype)


def cost_event_candidates(purchases: Frame) -> Frame:
    """The purchase lines that are cost events, with the raw columns only (no pricing).

    Works on a LazyFrame too, so a scan of many partitions reads only these columns and rows.
    """
    columns = [
        _column_or_null(purchases, "date", pl.Date).alias("date"),
        _column_or_null(purchases, "product_id", pl.Int64).alias("product_id"),
        _column_or_null(purchases, "move_id", pl.Int64).alias("move_id"),
        _column_or_null(purchases, "move_name", pl.String).alias("move_name"),
        _column_or_null(purchases, "line_id", pl.Int64).alias("line_id"),
        _column_or_null(purchases, "company_id", pl.Int64).alias("company_id"),
        _column_or_null(purchases, "partner_id", pl.Int64).alias("partner_id"),
        _column_or_null(purchases, "quantity", pl.Float64).alias("quantity"),
        _column_or_null(purchases, "actual_price", pl.Float64).alias("actual_price"),
        _column_or_null(purchases, "tax_id", pl.Int64).alias("tax_id"),
        # The bill line's unit; older extracts without it are taken to be in the product's unit.
        _column_or_null(purchases, "uom_id", pl.Int64).alias("line_uom_id"),
    ]
    return purchases.select(columns).filter(
        (pl.col("actual_price") > 0)
        & (pl.col("quantity") > 0)
        & pl.col("product_id").is_not_null()
        & pl.col("date").is_not_null()
    )


def tax_multiplier_expr(multipliers: Mapping[int, float], column: str = "tax_id") -> pl.Expr:
    """multiplier(tax_id) from the configured map; any other tax, or none, → 1.0."""
    if not multipliers:
        return pl.lit(1.0, dtype=pl.Float64)
    keys = [int(k) for k in multipliers]
    values = [float(v) for v in multipliers.values()]
    return pl.col(column).replace_strict(keys, values, default=1.0, return_dtype=pl.Float64).fill_null(1.0)


def _dimension_lookups(products: pl.DataFrame | None, uoms: pl.DataFrame | None):
    product_uoms = pl.DataFrame(schema={"product_id": pl.Int64, "product_uom_id": pl.Int64})
    if products is not None and {"product_id", "uom_id"} <= set(products.columns):
        product_uoms = (
            products.select(
                pl.col("product_id").cast(pl.Int64), pl.col("uom_id").cast(pl.Int64).alias("product_uom_id")
            )
            .filter(pl.col("product_id").is_not_null())
            .unique(subset="product_id", keep="last", maintain_order=True)
        )
    uom_factors = pl.DataFrame(schema={"uom_id": pl.Int64, "factor": pl.Float64, "category_id": pl.Int64})
    if uoms is not None and {"uom_id", "factor"} <= set(uoms.columns):
        uom_factors = (
            uoms.select(
                pl.col("uom_id").cast(pl.Int64),
                pl.col("factor").cast(pl.Float64),
                _column_or_null(uoms, "category_id", pl.Int64).alias("category_id"),
            )
            .filter(pl.col("uom_id").is_not_null())
            .unique(subset="uom_id", keep="last", maintain_order=True)
        )
    return product_uoms, uom_factors


def uom_factors_are_reference_per_unit(uoms: pl.DataFrame | None) -> bool:
    """True for Odoo 19 units (factor = reference units per unit): they carry no `uom_type` at all."""
    if uoms is None or uoms.height == 0:
        return False
    # A frame without the column at all is taken as the classic layout.
    return "uom_type" in uoms.columns and uoms["uom_type"].null_count() == uoms.height


def price_cost_events(
    events: pl.DataFrame,
    multipliers: Mapping[int, float],
    products: pl.DataFrame | None = None,
    uoms: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add tax_multiplier, product_uom_id, uom_ratio and unit_cost_tax_in to raw cost events.

    Keeps every input row, in order, and column (pricing columns already present are recomputed).
    """
    product_uoms, uom_factors = _dimension_lookups(products, uoms)
    base = events.drop([c for c in PRICED_COLUMNS if c in events.columns])
    line_uom = uom_factors.rename(
        {"uom_id": "line_uom_id", "factor": "_line_factor", "category_id": "_line_category"}
    )
    product_uom = uom_factors.rename(
        {"uom_id": "product_uom_id", "factor": "_product_factor", "category_id": "_product_category"}
    )
    inverted = uom_factors_are_reference_per_unit(uoms)
    converts = (
        pl.col("line_uom_id").is_not_null()
        & pl.col("product_uom_id").is_not_null()
        & (pl.col("line_uom_id") != pl.col("product_uom_id"))
        & (pl.col("_line_factor") > 0)
        & (pl.col("_product_factor") > 0)
        # Odoo converts only within one category; unknown categories are not held against it.
        & (
            pl.col("_line_category").is_null()
            | pl.col("_product_category").is_null()
            | (pl.col("_line_category") == pl.col("_product_category"))
        )
    )
    return (
        base.join(product_uoms, on="product_id", how="left", maintain_order="left")
        .join(line_uom, on="line_uom_id", how="left", maintain_order="left")
        .join(product_uom, on="product_uom_id", how="left", maintain_order="left")
        .with_columns(
            tax_multiplier_expr(multipliers).alias("tax_multiplier"),
            pl.when(converts)
            .then(
                pl.col("_product_factor") / pl.col("_line_factor")
                if inverted
                else pl.col("_line_factor") / pl.col("_product_factor")
            )
            .otherwise(1.0)
            .alias("uom_ratio"),
        )
        .with_columns(
            (pl.col("actual_price") * pl.col("tax_multiplier") * pl.col("uom_ratio")).alias(
                "unit_cost_tax_in"
            )
        )
        .drop("_line_factor", "_line_category", "_product_factor", "_product_category")
    )


def build_cost_events(
    purchases: pl.DataFrame,
    multipliers: Mapping[int, float],
    products: pl.DataFrame | None = None,
    uoms: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """fact_purchases lines → fact_product_cost_events rows (raw columns + pricing), in key order."""
    priced = price_cost_events(cost_event_candidates(purchases), multipliers, products, uoms)
    columns = list(RAW_EVENT_COLUMNS) + list(PRICED_COLUMNS)
    return priced.select(columns).sort(list(EVENT_KEY_COLUMNS), maintain_order=True)
