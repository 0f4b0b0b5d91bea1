"""POS: raw orders, lines and payments → clean (typed, one table per model) → `fact_sales`,
`fact_pos_payments`.

POS refunds are already negative in Odoo (negative `qty`, subtotals), so no sign is applied here.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from functions.odoo_records import Column, frame_schema, records_frame
from functions.transform.frames import business_date, clean_spec, read_raw
from shared.schemas import FACT_POS_CASH_ROUNDING, FACT_POS_PAYMENTS, FACT_SALES

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake

DATASET = "pos"

ORDER_COLUMNS = (
    Column("order_id", "id", "id"),
    Column("order_name", "name", "str"),
    Column("date_order", "date_order", "ts"),
    Column("state", "state", "str"),
    Column("company_id", "company_id", "m2o"),
    Column("partner_id", "partner_id", "m2o"),
    Column("user_id", "user_id", "m2o"),
    Column("session_id", "session_id", "m2o"),
    Column("config_id", "config_id", "m2o"),
    Column("amount_total", "amount_total", "float"),
    Column("amount_tax", "amount_tax", "float"),
    Column("amount_paid", "amount_paid", "float"),
    Column("pos_reference", "pos_reference", "str"),
    Column("write_date", "write_date", "ts"),
)
LINE_COLUMNS = (
    Column("line_id", "id", "id"),
    Column("order_id", "order_id", "m2o"),
    Column("product_id", "product_id", "m2o"),
    Column("full_product_name", "full_product_name", "str"),
    Column("quantity", "qty", "float"),
    Column("price_unit", "price_unit", "float"),
    Column("discount", "discount", "float"),
    Column("price_subtotal", "price_subtotal", "float"),
    Column("price_subtotal_incl", "price_subtotal_incl", "float"),
    Column("tax_ids", "tax_ids", "m2m"),
    Column("tax_ids_after_fiscal_position", "tax_ids_after_fiscal_position", "m2m"),
    Column("company_id", "company_id", "m2o"),
    Column("refunded_orderline_id", "refunded_orderline_id", "m2o"),
    Column("combo_parent_id", "combo_parent_id", "m2o"),
    Column("combo_line_ids", "combo_line_ids", "m2m"),
    Column("write_date", "write_date", "ts"),
)
PAYMENT_COLUMNS = (
    Column("payment_id", "id", "id"),
    Column("order_id", "pos_order_id", "m2o"),
    Column("payment_method_id", "payment_method_id", "m2o"),
    Column("amount", "amount", "float"),
    Column("payment_date", "payment_date", "ts"),
    Column("is_change", "is_change", "bool"),
    Column("write_date", "write_date", "ts"),
)

ORDER_SCHEMA = {"date": pl.Date(), **frame_schema(ORDER_COLUMNS)}
CLEAN_ORDERS = clean_spec("pos_orders", ORDER_SCHEMA)
CLEAN_LINES = clean_spec("pos_order_lines", frame_schema(LINE_COLUMNS))
CLEAN_PAYMENTS = clean_spec("pos_payments", frame_schema(PAYMENT_COLUMNS))


def clean_orders(raw: pl.DataFrame | None, tz: str) -> pl.DataFrame:
    orders = records_frame(raw, "pos.order", ORDER_COLUMNS)
    return orders.select(business_date("date_order", tz).alias("date"), pl.all()).sort("order_id")


def clean_lines(raw: pl.DataFrame | None) -> pl.DataFrame:
    return records_frame(raw, "pos.order.line", LINE_COLUMNS).sort("line_id")


def clean_payments(raw: pl.DataFrame | None) -> pl.DataFrame:
    return records_frame(raw, "pos.payment", PAYMENT_COLUMNS).sort("payment_id")


def star_sales(orders: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """One row per line of a kept order, with the order's day, time, people and session."""
    header = orders.select(
        "date", "order_id", "order_name", "date_order", pl.col("company_id").alias("order_company_id"),
        "partner_id", "user_id", "session_id", "config_id", "state",
    )
    # Odoo 18 combos: the parent line (the combo product) is priced 0 and its item lines carry the
    # combo's price (compute_combo_items.js; the invoice turns the parent into a section, pos_order.py
    # _prepare_invoice_lines): the parent would count the sale twice in quantity and lines, so it is
    # left out. A parent that does carry an amount stays, so no revenue is ever dropped.
    combo_parent = (pl.col("combo_line_ids").list.len().fill_null(0) > 0) & (
        pl.col("price_subtotal_incl").fill_null(0.0).abs() < 0.005
    )
    joined = lines.filter(~combo_parent).join(header, on="order_id", how="inner")
    return joined.select(
        "date", "order_id", "order_name", "line_id", "date_order",
        pl.coalesce("company_id", "order_company_id").alias("company_id"),
        "partner_id", "user_id", "session_id", "config_id", "product_id", "quantity", "price_unit",
        "discount",
        pl.col("price_subtotal").alias("revenue_tax_ex"),
        pl.col("price_subtotal_incl").alias("revenue_tax_in"),
        # the taxes charged: after the order's fiscal position where Odoo gives them (an empty list is
        # a real answer: nothing charged), else the product's taxes on the line
        pl.coalesce("tax_ids_after_fiscal_position", "tax_ids").alias("tax_ids"),
        "state", "combo_parent_id",
    ).sort("line_id")


def star_cash_rounding(orders: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Per order, what amount_total holds beyond its lines: Odoo 18 counts the config's cash rounding in
    pos.order.amount_total (pos_order.py `_compute_prices`); 16/17 leave it out (nothing here then).
    Orders whose lines add up to the total are left out. Whether a residual really is rounding (within
    the config's rounding step) is judged by `nkpipe reconcile`, against Odoo's pos.config."""
    sums = lines.group_by("order_id").agg(pl.col("price_subtotal_incl").sum().alias("lines_total"))
    residual = orders.join(sums, on="order_id", how="left").with_columns(
        (pl.col("amount_total") - pl.col("lines_total").fill_null(0.0)).round(2).alias("amount")
    )
    return residual.filter(pl.col("amount").abs() >= 0.005).select(
        "date", pl.col("order_id").alias("doc_id"), pl.col("order_name").alias("doc_name"),
        pl.lit(None, dtype=pl.Int64()).alias("line_id"), "config_id", "company_id", "amount",
    ).sort("doc_id")


def star_payments(orders: pl.DataFrame, payments: pl.DataFrame) -> pl.DataFrame:
    joined = payments.join(orders.select("date", "order_id"), on="order_id", how="inner")
    return joined.select(
        "date", "order_id", "payment_id", "payment_method_id", "amount", "payment_date"
    ).sort("payment_id")


def transform(settings: Settings, lake: Lake, day: date) -> dict[str, int] | None:
    raw = read_raw(lake, DATASET, day)
    if raw is None:
        return None
    orders = clean_orders(raw, settings.business_tz)
    lines = clean_lines(raw)
    payments = clean_payments(raw)
    sales = star_sales(orders, lines)
    pos_payments = star_payments(orders, payments)
    written = {}
    for spec, frame in (
        (CLEAN_ORDERS, orders), (CLEAN_LINES, lines), (CLEAN_PAYMENTS, payments),
        (FACT_SALES, sales), (FACT_POS_PAYMENTS, pos_payments),
        (FACT_POS_CASH_ROUNDING, star_cash_rounding(orders, lines)),
    ):
        written[str(spec)] = lake.write_partition(spec, day, frame)
    return written
