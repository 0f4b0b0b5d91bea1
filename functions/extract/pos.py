"""POS target: `pos.order`s of business day D (paid/done/invoiced, `date_order` in D's UTC window),
their `pos.order.line`s and `pos.payment`s → `raw/pos/date=D`.

Orders are paged by id; lines and payments are read by lists of order ids, never one call per order.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from functions.checks import Check, group_totals
from functions.extract import raw_spec, raw_table, raw_totals
from shared.dates import odoo_window
from shared.odoo import ChildrenRequest

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

DATASET = "pos"
ORDER_MODEL = "pos.order"
LINE_MODEL = "pos.order.line"
PAYMENT_MODEL = "pos.payment"
STATES = ("paid", "done", "invoiced")

ORDER_REQUIRED = ("id", "name", "date_order", "state", "amount_total", "company_id", "partner_id", "user_id")
ORDER_OPTIONAL = ("amount_tax", "amount_paid", "session_id", "config_id", "pos_reference", "write_date")
LINE_REQUIRED = (
    "id", "order_id", "product_id", "qty", "price_unit", "discount", "price_subtotal", "price_subtotal_incl",
    "tax_ids",
)
# tax_ids_after_fiscal_position: the taxes Odoo charged (a non-stored compute; read when the server has it)
LINE_OPTIONAL = (
    "full_product_name", "company_id", "refunded_orderline_id", "write_date", "tax_ids_after_fiscal_position",
    "combo_parent_id", "combo_line_ids",  # Odoo 18+ combos
)
PAYMENT_REQUIRED = ("id", "pos_order_id", "payment_method_id", "amount")
PAYMENT_OPTIONAL = ("payment_date", "is_change", "session_id", "write_date")

# model -> (required, optional) fields: what `nkpipe odoo-check` reports on
REQUIREMENTS = {
    ORDER_MODEL: (ORDER_REQUIRED, ORDER_OPTIONAL),
    LINE_MODEL: (LINE_REQUIRED, LINE_OPTIONAL),
    PAYMENT_MODEL: (PAYMENT_REQUIRED, PAYMENT_OPTIONAL),
}


def order_domain(day: date, tz: str) -> list:
    start, end = odoo_window(day, tz)
    return [("state", "in", list(STATES)), ("date_order", ">=", start), ("date_order", "<", end)]


def fetch(odoo: OdooClient, settings: Settings, day: date) -> dict[str, list[dict]]:
    """Every record of the day, as Odoo returned it, by model."""
    odoo.prefetch_fields(REQUIREMENTS)
    order_fields = odoo.pick_fields(ORDER_MODEL, ORDER_REQUIRED, ORDER_OPTIONAL)
    line_fields = odoo.pick_fields(LINE_MODEL, LINE_REQUIRED, LINE_OPTIONAL)
    payment_fields = odoo.pick_fields(PAYMENT_MODEL, PAYMENT_REQUIRED, PAYMENT_OPTIONAL)
    orders = odoo.search_read_all(ORDER_MODEL, order_domain(day, settings.business_tz), order_fields)
    order_ids = tuple(order["id"] for order in orders)
    # lines and payments of the same orders, read side by side on the client's bounded pool
    lines, payments = odoo.read_children_many(
        [
            ChildrenRequest(LINE_MODEL, "order_id", order_ids, tuple(line_fields)),
            ChildrenRequest(PAYMENT_MODEL, "pos_order_id", order_ids, tuple(payment_fields)),
        ]
    )
    return {ORDER_MODEL: orders, LINE_MODEL: lines, PAYMENT_MODEL: payments}


def extract(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, int]:
    records = fetch(odoo, settings, day)
    # written only now, with everything in hand: a failure above leaves the old partition as it was
    lake.write_partition(raw_spec(DATASET), day, raw_table(records))
    return {model: len(rows) for model, rows in records.items()}  # raw rows per model


def reconcile(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> list:
    """Order count and amount_total of the raw partition against Odoo's read_group of the day."""

    groups = odoo.read_group(
        ORDER_MODEL, order_domain(day, settings.business_tz), ["amount_total:sum"], ["date_order:day"],
        context={"tz": settings.business_tz},
    )
    odoo_count, odoo_amount = group_totals(groups, "amount_total")
    lake_totals = raw_totals(lake, DATASET, day, ORDER_MODEL, ["amount_total"])
    note = "" if lake_totals is not None else "no raw partition"
    lake_totals = lake_totals or {"__count": 0, "amount_total": 0.0}
    return [
        Check(DATASET, "orders", int(lake_totals["__count"]), odoo_count, note=note),
        Check(DATASET, "amount_total", round(lake_totals["amount_total"], 2), round(odoo_amount, 2),
              tolerance=0.01, note=note),
    ]
