"""Shared by invoice-sales and purchases: posted `account.move`s of some move types with
`invoice_date = D` (a local date in Odoo: no time-zone window), and their product lines.

Product lines are `display_type = 'product'` on Odoo 16+; before 16 they were the lines with no
display_type that are not hidden from the invoice tab. The choice is made from `fields_get`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from functions.checks import QTY_TOLERANCE, Aggregate, aggregate_all, figure_checks
from functions.extract import raw_spec, raw_table, raw_totals

if TYPE_CHECKING:
    from shared.lake import Lake
    from shared.odoo import OdooClient

MOVE_MODEL = "account.move"
LINE_MODEL = "account.move.line"

MOVE_REQUIRED = (
    "id", "name", "move_type", "state", "invoice_date", "partner_id", "company_id", "amount_untaxed",
    "amount_total", "amount_untaxed_signed", "amount_total_signed",
)
# pos_order_ids (point_of_sale installed): an invoice made for a POS order, whose lines fact_sales
# already has; kept in raw, left out of fact_invoice_sales by the transform.
MOVE_OPTIONAL = (
    "amount_tax", "date", "currency_id", "invoice_origin", "ref", "reversed_entry_id", "write_date", "pos_order_ids",
)
LINE_REQUIRED = (
    "id", "move_id", "product_id", "quantity", "price_unit", "discount", "price_subtotal", "price_total",
    "tax_ids", "product_uom_id",
)
LINE_OPTIONAL = (
    "name", "display_type", "balance", "partner_id", "company_id", "currency_id", "company_currency_id", "write_date",
)


def requirements(line_optional: Sequence[str] = ()) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """model -> (required, optional) fields: what `nkpipe odoo-check` reports on."""
    return {
        MOVE_MODEL: (MOVE_REQUIRED, MOVE_OPTIONAL),
        LINE_MODEL: (LINE_REQUIRED, (*LINE_OPTIONAL, *line_optional)),
    }


def move_domain(day: date, move_types: Sequence[str]) -> list:
    return [("move_type", "in", list(move_types)), ("state", "=", "posted"), ("invoice_date", "=", day.isoformat())]


def product_line_domain(odoo: OdooClient) -> list:
    fields = odoo.fields(LINE_MODEL)
    display = fields.get("display_type")
    values = {value for value, _label in (display or {}).get("selection") or []}
    if "product" in values:
        return [("display_type", "=", "product")]
    legacy = [("display_type", "=", False)] if display else []
    if "exclude_from_invoice_tab" in fields:
        legacy.append(("exclude_from_invoice_tab", "=", False))
    return legacy


def line_domain(odoo: OdooClient) -> list:
    """The lines a partition holds: the product lines, and the cash-rounding lines where the selection
    has them (Odoo counts a 'rounding' line in amount_untaxed/amount_total: account_move.py
    `_compute_amount`), so the lake can reconcile like with like."""
    values = {value for value, _label in (odoo.fields(LINE_MODEL).get("display_type") or {}).get("selection") or []}
    if {"product", "rounding"} <= values:
        return [("display_type", "in", ["product", "rounding"])]
    return product_line_domain(odoo)


def fetch(
    odoo: OdooClient, day: date, move_types: Sequence[str], line_optional: Sequence[str] = ()
) -> dict[str, list[dict]]:
    odoo.prefetch_fields([MOVE_MODEL, LINE_MODEL])
    move_fields = odoo.pick_fields(MOVE_MODEL, MOVE_REQUIRED, MOVE_OPTIONAL)
    line_fields = odoo.pick_fields(LINE_MODEL, LINE_REQUIRED, (*LINE_OPTIONAL, *line_optional))
    moves = odoo.search_read_all(MOVE_MODEL, move_domain(day, move_types), move_fields)
    lines = odoo.read_children(
        LINE_MODEL, "move_id", [move["id"] for move in moves], line_fields, domain=line_domain(odoo)
    )
    return {MOVE_MODEL: moves, LINE_MODEL: lines}


def extract(
    odoo: OdooClient, lake: Lake, day: date, dataset: str, move_types: Sequence[str], line_optional: Sequence[str] = ()
) -> dict[str, int]:
    records = fetch(odoo, day, move_types, line_optional)
    # written only now, with everything in hand: a failure above leaves the old partition as it was
    lake.write_partition(raw_spec(dataset), day, raw_table(records))
    return {model: len(rows) for model, rows in records.items()}  # raw rows per model


def day_line_domain(odoo: OdooClient, day: date, move_types: Sequence[str]) -> list:
    """The lines `fetch` reads (product and cash-rounding lines) of the day's moves, server-side."""
    moves = [(f"move_id.{field}", op, value) for field, op, value in move_domain(day, move_types)]
    return [*moves, *line_domain(odoo)]


MOVE_SUMS = {"amount_untaxed_signed": "amount_untaxed_signed", "amount_total_signed": "amount_total_signed"}
LINE_SUMS = {"balance": "balance", "price_subtotal": "price_subtotal", "quantity": "quantity"}
POS_INVOICE = ("pos_order_ids", "!=", False)


def odoo_figures(odoo: OdooClient, day: date, move_types: Sequence[str], split_pos: bool = False) -> dict[str, float]:
    """Odoo's aggregates of the day: posted moves (count, signed totals) and the lines `fetch` reads —
    product and cash-rounding lines, as Odoo counts them in the totals — (count, Σ balance, Σ
    price_subtotal, Σ quantity), one read_group each; with `split_pos` (and POS installed) the same over
    the invoices made for POS orders, which fact_invoice_sales leaves out; the rounding lines apart."""
    from functions.cash_rounding import move_rounding_requests

    moves, lines = move_domain(day, move_types), day_line_domain(odoo, day, move_types)
    requests = [Aggregate(MOVE_MODEL, moves, MOVE_SUMS, "moves"), Aggregate(LINE_MODEL, lines, LINE_SUMS, "lines")]
    if split_pos and POS_INVOICE[0] in odoo.fields(MOVE_MODEL):
        pos_lines = [*lines, (f"move_id.{POS_INVOICE[0]}", *POS_INVOICE[1:])]
        requests += [
            Aggregate(MOVE_MODEL, [*moves, POS_INVOICE], MOVE_SUMS, "pos_moves"),
            Aggregate(LINE_MODEL, pos_lines, {"balance": "balance"}, "pos_lines"),
        ]
    # the rounding lines apart (they are in `lines` too), for the star layer's rounding check
    requests += move_rounding_requests(odoo, day, list(move_types), exclude_pos=split_pos)
    return aggregate_all(odoo, requests)  # side by side: independent reads


def reconcile(lake: Lake, day: date, dataset: str, figures: dict[str, float]) -> list:
    """Moves and product lines of the raw partition against Odoo's aggregates of the day."""
    moves = raw_totals(lake, dataset, day, MOVE_MODEL, list(MOVE_SUMS.values()))
    lines = raw_totals(lake, dataset, day, LINE_MODEL, list(LINE_SUMS.values()))
    return [
        *figure_checks(dataset, "moves", moves, figures, MOVE_SUMS, sum_label=False),
        *figure_checks(dataset, "lines", lines, figures, LINE_SUMS, {"quantity": QTY_TOLERANCE}),
    ]
