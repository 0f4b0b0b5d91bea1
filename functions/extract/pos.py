"""POS target: `pos.order`s of business day D (paid/done/invoiced, `date_order` in D's UTC window),
their `pos.order.line`s and `pos.payment`s → `raw/pos/date=D`.

Orders are paged by id; lines and payments are read by lists of order ids, never one call per order.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from functions.checks import QTY_TOLERANCE, Aggregate, aggregate_all, figure_checks
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


def line_domain(day: date, tz: str) -> list:
    """The lines of the day's orders, server-side (the same orders as `order_domain`)."""
    return [(f"order_id.{field}", op, value) for field, op, value in order_domain(day, tz)]


ORDER_SUMS = {"amount_total": "amount_total"}
LINE_SUMS = {"qty": "qty", "price_subtotal_incl": "price_subtotal_incl"}


def odoo_figures(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, float]:
    """Odoo's aggregates of the day: orders (count, Σ amount_total) and their lines (count, Σ qty,
    Σ price_subtotal_incl), one read_group each (and the POS configs' cash-rounding steps when the
    totals differ from the lines)."""
    from functions.cash_rounding import pos_rounding_figures

    tz = settings.business_tz
    context = {"tz": tz}
    requests = [
        Aggregate(ORDER_MODEL, order_domain(day, tz), ORDER_SUMS, "orders", context),
        Aggregate(LINE_MODEL, line_domain(day, tz), LINE_SUMS, "lines", context),
    ]
    if "combo_line_ids" in odoo.fields(LINE_MODEL):
        # Odoo 17+ combos: fact_sales leaves out a 0-priced combo parent line (its items carry the sale)
        parents = [*line_domain(day, tz), ("combo_line_ids", "!=", False), ("price_subtotal_incl", "=", 0)]
        requests.append(Aggregate(LINE_MODEL, parents, {"qty": "qty"}, "combo_parents", context))
    figures = aggregate_all(odoo, requests)  # side by side: independent reads
    # Odoo 18 puts a shop's cash rounding in amount_total: the rounding steps, on such a day only
    figures.update(pos_rounding_figures(odoo, figures))
    return figures


def reconcile(odoo: OdooClient, settings: Settings, lake: Lake, day: date, figures: dict[str, float] | None = None) -> list:
    """Orders and lines of the raw partition against Odoo's aggregates of the day."""
    figures = figures if figures is not None else odoo_figures(odoo, settings, lake, day)
    orders = raw_totals(lake, DATASET, day, ORDER_MODEL, list(ORDER_SUMS.values()))
    lines = raw_totals(lake, DATASET, day, LINE_MODEL, list(LINE_SUMS.values()))
    return [
        *figure_checks(DATASET, "orders", orders, figures, ORDER_SUMS, sum_label=False),
        *figure_checks(DATASET, "lines", lines, figures, LINE_SUMS, {"qty": QTY_TOLERANCE}),
    ]
