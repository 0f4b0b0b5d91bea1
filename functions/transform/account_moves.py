"""Shared by invoice-sales and purchases: raw `account.move` + product `account.move.line` records →
clean moves and clean lines (typed, signed) → the star facts.

Signs: Odoo keeps quantity and amounts positive on credit-note and vendor-refund lines and puts the
direction in `move_type`; clean lines carry them negative on `out_refund`/`in_refund`. Unit prices
(price_unit, actual_price) stay positive: they are prices, not amounts.

Currency: `price_subtotal`/`price_total` are in the document's currency; the star amounts are in the
company's. On a line in a foreign currency they are scaled by |balance| / |price_subtotal| (balance is
Odoo's company-currency amount of the same line); in the company currency they are used as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from functions.odoo_records import Column, decode_records, frame_schema, records_frame
from functions.transform.frames import read_raw

if TYPE_CHECKING:
    from shared.lake import Lake

REFUND_TYPES = ("out_refund", "in_refund")
ROUNDING = "rounding"  # display_type of a cash-rounding line (kept apart from the product lines)
COST_FIELD_MODEL = "_cost_field"  # written by the purchases extractor: which field gave actual_price
NO_COST_FIELD = "price_after_discount"  # cost_source when the database has no cost field

MOVE_COLUMNS = (
    Column("move_id", "id", "id"),
    Column("move_name", "name", "str"),
    Column("move_type", "move_type", "str"),
    Column("state", "state", "str"),
    Column("invoice_date", "invoice_date", "date"),
    Column("partner_id", "partner_id", "m2o"),
    Column("company_id", "company_id", "m2o"),
    Column("currency_id", "currency_id", "m2o"),
    Column("amount_untaxed", "amount_untaxed", "float"),
    Column("amount_tax", "amount_tax", "float"),
    Column("amount_total", "amount_total", "float"),
    Column("amount_untaxed_signed", "amount_untaxed_signed", "float"),
    Column("amount_total_signed", "amount_total_signed", "float"),
    Column("invoice_origin", "invoice_origin", "str"),
    Column("pos_order_ids", "pos_order_ids", "m2m"),
    Column("ref", "ref", "str"),
    Column("reversed_entry_id", "reversed_entry_id", "m2o"),
    Column("write_date", "write_date", "ts"),
)
LINE_COLUMNS = (
    Column("line_id", "id", "id"),
    Column("move_id", "move_id", "m2o"),
    Column("name", "name", "str"),
    Column("display_type", "display_type", "str"),
    Column("product_id", "product_id", "m2o"),
    Column("uom_id", "product_uom_id", "m2o"),
    Column("quantity", "quantity", "float"),
    Column("price_unit", "price_unit", "float"),
    Column("discount", "discount", "float"),
    Column("price_subtotal", "price_subtotal", "float"),
    Column("price_total", "price_total", "float"),
    Column("balance", "balance", "float"),
    Column("tax_ids", "tax_ids", "m2m"),
    Column("line_partner_id", "partner_id", "m2o"),
    Column("line_company_id", "company_id", "m2o"),
    Column("currency_id", "currency_id", "m2o"),
    Column("company_currency_id", "company_currency_id", "m2o"),
    Column("actual_price", "actual_price", "float"),  # custom field: null when the database lacks it
    Column("write_date", "write_date", "ts"),
)
TAX_COLUMNS = (Column("tax_id", "id", "id"), Column("amount", "amount", "float"))

MOVE_SCHEMA = {**frame_schema(MOVE_COLUMNS), "sign": pl.Int64()}
LINE_SCHEMA = {
    "date": pl.Date(),
    "move_id": pl.Int64(),
    "move_name": pl.String(),
    "move_type": pl.String(),
    "line_id": pl.Int64(),
    "company_id": pl.Int64(),
    "partner_id": pl.Int64(),
    "product_id": pl.Int64(),
    "name": pl.String(),
    "display_type": pl.String(),
    "uom_id": pl.Int64(),
    "quantity": pl.Float64(),
    "price_unit": pl.Float64(),
    "discount": pl.Float64(),
    "price_subtotal": pl.Float64(),
    "price_total": pl.Float64(),
    "balance": pl.Float64(),
    "tax_ids": pl.List(pl.Int64()),
    "currency_id": pl.Int64(),
    "company_currency_id": pl.Int64(),
    "price_subtotal_company": pl.Float64(),
    "price_total_company": pl.Float64(),
    "actual_price": pl.Float64(),
    "write_date": pl.Datetime("us", "UTC"),
}


def clean_moves(raw: pl.DataFrame | None) -> pl.DataFrame:
    moves = records_frame(raw, "account.move", MOVE_COLUMNS)
    sign = pl.when(pl.col("move_type").is_in(REFUND_TYPES)).then(-1).otherwise(1).cast(pl.Int64)
    return moves.with_columns(sign.alias("sign")).sort("move_id")


def cost_field_of(raw: pl.DataFrame | None) -> tuple[str | None, bool]:
    """(the line field that holds the cost, whether the extractor recorded it). A partition written
    before it did so read `actual_price`, as every partition then did."""
    records = decode_records(raw, COST_FIELD_MODEL)
    if not records:
        return "actual_price", False
    return records[0].get("field") or None, True


def line_columns(cost_field: str | None) -> tuple[Column, ...]:
    """LINE_COLUMNS with `actual_price` read from the database's cost field (none: a null column)."""
    source = cost_field or "_no_cost_field"
    return tuple(Column("actual_price", source, "float") if c.name == "actual_price" else c for c in LINE_COLUMNS)


def clean_lines(
    raw: pl.DataFrame | None, moves: pl.DataFrame, cost_field: str | None = "actual_price",
    display_type: str | None = None,
) -> pl.DataFrame:
    """Product lines (or, with `display_type='rounding'`, the cash-rounding lines) with their move's
    header, quantity and amounts signed by move type."""
    lines = records_frame(raw, "account.move.line", line_columns(cost_field))
    kind = pl.col("display_type").fill_null("product")
    lines = lines.filter(kind == display_type if display_type else kind != ROUNDING)
    header = moves.select(
        "move_id", "move_name", "move_type", pl.col("invoice_date").alias("date"), "partner_id", "company_id",
        "sign",
    )
    joined = lines.join(header, on="move_id", how="inner")
    signed = [(pl.col(c) * pl.col("sign")).alias(c) for c in ("quantity", "price_subtotal", "price_total")]
    foreign = (
        pl.col("currency_id").is_not_null()
        & pl.col("company_currency_id").is_not_null()
        & (pl.col("currency_id") != pl.col("company_currency_id"))
        & pl.col("balance").is_not_null()
        & (pl.col("price_subtotal") != 0)
    )
    to_company = pl.when(foreign).then(pl.col("balance").abs() / pl.col("price_subtotal").abs()).otherwise(1.0)
    return (
        joined.with_columns(
            *signed,
            pl.coalesce("partner_id", "line_partner_id").alias("partner_id"),
            pl.coalesce("line_company_id", "company_id").alias("company_id"),
            to_company.alias("to_company"),
        )
        .with_columns(
            (pl.col("price_subtotal") * pl.col("to_company")).alias("price_subtotal_company"),
            (pl.col("price_total") * pl.col("to_company")).alias("price_total_company"),
        )
        .select([pl.col(name).cast(dtype) for name, dtype in LINE_SCHEMA.items()])
        .sort("line_id")
    )


def star_invoice_sales(lines: pl.DataFrame) -> pl.DataFrame:
    return lines.select(
        "date", "move_id", "move_name", "move_type", "line_id", "company_id", "partner_id", "product_id",
        "quantity", "price_unit", "discount",
        pl.col("price_subtotal_company").alias("revenue_tax_ex"),
        pl.col("price_total_company").alias("revenue_tax_in"),
        "tax_ids", "uom_id",
    )


def star_rounding(rounding_lines: pl.DataFrame) -> pl.DataFrame:
    """Cash-rounding lines → the rounding fact (amount = the signed company-currency line total)."""
    return rounding_lines.select(
        "date", pl.col("move_id").alias("doc_id"), pl.col("move_name").alias("doc_name"), "line_id",
        pl.lit(None, dtype=pl.Int64()).alias("config_id"), "company_id",
        pl.col("price_total_company").alias("amount"),
    ).sort("line_id")


def effective_price() -> pl.Expr:
    """The unit price after the line's discount (percent)."""
    return pl.col("price_unit") * (1 - pl.col("discount").fill_null(0.0) / 100.0)


def purchase_tax_choice(
    lines: pl.DataFrame, taxes: pl.DataFrame, multipliers: dict[int, float]
) -> pl.DataFrame:
    """Per line: `tax_id`, the tax whose multiplier applies — the first of the line's taxes that the
    multiplier map names, else the first that is not a withholding tax, else null — and
    `tax_conflict`, true when the line's mapped taxes disagree on the multiplier.

    A withholding tax (PPh: a negative amount, as Odoo's Indonesian taxes are set up) never decides,
    even when the map names it. A tax missing from `taxes` counts as not withholding."""
    mapped = pl.DataFrame(
        {"tax_id": list(multipliers), "multiplier": list(multipliers.values())},
        schema={"tax_id": pl.Int64(), "multiplier": pl.Float64()},
    )
    per_tax = (
        lines.select("line_id", pl.col("tax_ids").alias("tax_id"))
        .explode("tax_id")
        .with_columns(pl.int_range(pl.len()).over("line_id").alias("position"))
        .join(mapped, on="tax_id", how="left")
        .join(taxes.select("tax_id", "amount").unique("tax_id"), on="tax_id", how="left")
        .with_columns((pl.col("amount").fill_null(0.0) < 0).alias("withholding"))
        .sort("line_id", "position")
    )
    deciding = pl.col("multiplier").is_not_null() & ~pl.col("withholding")
    chosen = per_tax.group_by("line_id").agg(
        pl.coalesce(
            pl.col("tax_id").filter(deciding).first(),
            pl.col("tax_id").filter(pl.col("tax_id").is_not_null() & ~pl.col("withholding")).first(),
        ).alias("tax_id"),
        (pl.col("multiplier").filter(deciding).n_unique() > 1).alias("tax_conflict"),
    )
    # every line, a line without taxes too
    return lines.select("line_id").join(chosen, on="line_id", how="left").with_columns(
        pl.col("tax_conflict").fill_null(False)
    )


def star_purchases(
    lines: pl.DataFrame,
    taxes: pl.DataFrame | None = None,
    multipliers: dict[int, float] | None = None,
    cost_field: str | None = "actual_price",
) -> pl.DataFrame:
    """`actual_price` from the database's cost field when it has one, else the unit price after
    discount (`cost_source` says which); `tax_id` per `purchase_tax_choice`."""
    taxes = taxes if taxes is not None else pl.DataFrame(schema={"tax_id": pl.Int64(), "amount": pl.Float64()})
    choice = purchase_tax_choice(lines, taxes, dict(multipliers or {}))
    source = pl.when(pl.col("actual_price").is_not_null()).then(pl.lit(cost_field)).otherwise(pl.lit(NO_COST_FIELD))
    return lines.join(choice, on="line_id", how="left").select(
        "date", "move_id", "move_name", "move_type", "line_id", "company_id", "partner_id", "product_id",
        "quantity", "price_unit", "discount",
        pl.coalesce("actual_price", effective_price()).alias("actual_price"),
        "tax_id", "tax_ids", "uom_id", pl.col("price_subtotal_company").alias("price_subtotal"),
        source.alias("cost_source"), pl.col("tax_conflict").fill_null(False),
    ).sort("line_id")


def transform_moves(
    lake: Lake,
    day: date,
    dataset: str,
    specs: tuple[Any, Any, Any, Any],
    to_star: Callable[[pl.DataFrame, pl.DataFrame, pl.DataFrame], pl.DataFrame],
) -> dict[str, int] | None:
    """raw → clean moves and lines → star (and the cash-rounding fact), for one account-move dataset;
    `to_star(lines, moves, raw)`; specs = (clean moves, clean lines, star, rounding star)."""
    raw = read_raw(lake, dataset, day)
    if raw is None:
        return None
    moves = clean_moves(raw)
    cost_field, _recorded = cost_field_of(raw)
    lines = clean_lines(raw, moves, cost_field)
    rounding = star_rounding(clean_lines(raw, moves, cost_field, display_type=ROUNDING))
    clean_moves_spec, clean_lines_spec, star_spec, rounding_spec = specs
    frames = (
        (clean_moves_spec, moves), (clean_lines_spec, lines), (star_spec, to_star(lines, moves, raw)),
        (rounding_spec, rounding),
    )
    return {str(spec): lake.write_partition(spec, day, frame) for spec, frame in frames}

