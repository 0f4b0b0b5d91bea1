"""Reconciliation: the lake's totals for a business day against Odoo's own server-side totals.

Each extract module may expose `reconcile(odoo, settings, lake, day) -> list[Check]` (the registry
hook): the raw partition against Odoo. Every extract run records that result. `reconcile_day` runs
those hooks and, by default, the star-schema checks below, so rows lost between raw and the star
schema are flagged too; `nkpipe reconcile --date D` exits non-zero naming each difference.

Star checks (dataset = the fact table), against Odoo's totals of the same day domain:
- fact_sales: distinct orders and Σ revenue_tax_in vs POS orders' count and Σ amount_total;
- fact_invoice_sales / fact_purchases: distinct moves and Σ amounts vs the posted moves' count and
  signed company-currency totals, leaving out invoices Odoo made for POS orders (`pos_order_ids`),
  which the transform leaves out of fact_invoice_sales because fact_sales has them;
- fact_inventory_moves: rows vs done move lines.
A star partition that does not exist yet (transform not run) gives a check marked not checked, with
that reason, never a difference. Amount tolerances allow one cent per document (per-line rounding).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from functions import cash_rounding
from functions.checks import Check, group_totals, summarise
from functions.datasets import DATASETS, dataset
from functions.extract import account_moves, inventory_moves, invoice_sales, pos, purchases
from shared.lake import as_frame
from shared.schemas import (
    FACT_INVENTORY_MOVES,
    FACT_INVOICE_CASH_ROUNDING,
    FACT_INVOICE_SALES,
    FACT_PURCHASE_CASH_ROUNDING,
    FACT_PURCHASES,
    FACT_SALES,
)

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

__all__ = ["Check", "group_totals", "reconcile_day", "reconcilable_targets", "summarise"]


def reconcilable_targets() -> list[str]:
    """Targets whose dataset declares a `reconcile` function, in registry order."""

    return [ds.name for ds in DATASETS if ds.reconcile is not None]


def reconcile_day(
    settings: Settings, lake: Lake, day: date, odoo: OdooClient, targets: Sequence[str] | None = None, star: bool = True
) -> list[Check]:
    """Raw checks of every target's extract hook, then (unless `star=False`) its star checks."""

    checks: list[Check] = []
    for target in targets or reconcilable_targets():
        reconcile = dataset(target).reconcile
        if reconcile is not None:
            checks.extend(reconcile(odoo, settings, lake, day))
        if star and target in STAR_CHECKS:
            checks.extend(STAR_CHECKS[target](odoo, settings, lake, day))
    return checks


# ---------------------------------------------------------------- star schema against Odoo

STAR_MISSING = "no star partition: transform not run yet"
CENT = 0.01


def _star_frame(lake: Lake, spec: Any, day: date) -> Any:

    table = lake.read_partition(spec, day)
    return None if table is None else as_frame(table)


def _not_checked(dataset: str, measures: Sequence[str]) -> list[Check]:
    return [Check(dataset, measure, 0, 0, note=STAR_MISSING, checked=False) for measure in measures]


def star_pos(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> list[Check]:
    """fact_sales: distinct orders and Σ revenue_tax_in against POS orders' count and Σ amount_total."""

    name = FACT_SALES.name
    facts = _star_frame(lake, FACT_SALES, day)
    if facts is None:
        return _not_checked(name, ("orders", "revenue_tax_in"))
    groups = odoo.read_group(
        pos.ORDER_MODEL, pos.order_domain(day, settings.business_tz), ["amount_total:sum"], ["date_order:day"],
        context={"tz": settings.business_tz},
    )
    odoo_count, odoo_amount = group_totals(groups, "amount_total")
    rounding, rounding_checks = cash_rounding.pos_checks(odoo, settings, lake, day, odoo_amount)
    lake_amount = float(facts["revenue_tax_in"].sum() or 0.0) + rounding
    return [
        Check(name, "orders", facts["order_id"].n_unique(), odoo_count),
        Check(name, "revenue_tax_in", round(lake_amount, 2), round(odoo_amount, 2), tolerance=CENT * max(odoo_count, 1),
              note="vs pos.order amount_total" + (" (with the cash rounding)" if rounding_checks else "")),
        *rounding_checks,
    ]


def signed_move_totals(
    odoo: OdooClient, day: date, move_types: Sequence[str], outgoing: str, fields: Sequence[str], exclude_pos: bool
) -> tuple[int, dict[str, float]]:
    """Posted moves of the day: count and company-currency totals, positive for `outgoing` (the
    invoice or bill) and negative for its refund, whatever sign convention the Odoo version uses.
    With `exclude_pos`, invoices made for POS orders are left out (when the database has POS)."""

    domain = account_moves.move_domain(day, move_types)
    if exclude_pos and "pos_order_ids" in odoo.fields(account_moves.MOVE_MODEL):
        domain = [*domain, ("pos_order_ids", "=", False)]
    groups = odoo.read_group(account_moves.MOVE_MODEL, domain, [f"{f}:sum" for f in fields], ["move_type"])
    count, totals = 0, dict.fromkeys(fields, 0.0)
    for group in groups:
        count += int(group.get("__count") or 0)
        sign = 1.0 if group.get("move_type") == outgoing else -1.0
        for name in fields:
            totals[name] += sign * abs(float(group.get(name) or 0.0))
    return count, totals


def star_invoice_sales(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> list[Check]:
    """fact_invoice_sales against posted customer invoices and credit notes, without POS invoices."""

    name = FACT_INVOICE_SALES.name
    measures = {"revenue_tax_ex": "amount_untaxed_signed", "revenue_tax_in": "amount_total_signed"}
    facts = _star_frame(lake, FACT_INVOICE_SALES, day)
    if facts is None:
        return _not_checked(name, ("moves", *measures))
    count, totals = signed_move_totals(
        odoo, day, invoice_sales.MOVE_TYPES, "out_invoice", tuple(measures.values()), exclude_pos=True
    )
    rounding, rounding_checks = cash_rounding.move_checks(
        odoo, lake, day, FACT_INVOICE_CASH_ROUNDING, list(invoice_sales.MOVE_TYPES), sales=True, exclude_pos=True
    )
    checks = [Check(name, "moves", facts["move_id"].n_unique(), count, note="POS invoices left out")]
    for column, odoo_field in measures.items():
        lake_total = round(float(facts[column].sum() or 0.0) + rounding, 2)
        checks.append(Check(name, column, lake_total, round(totals[odoo_field], 2), tolerance=CENT * max(count, 1),
                            note=f"vs account.move {odoo_field}" + (" (with the cash rounding)" if rounding_checks else "")))
    return checks + rounding_checks


def star_purchases(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> list[Check]:
    """fact_purchases against posted vendor bills and refunds."""

    name = FACT_PURCHASES.name
    facts = _star_frame(lake, FACT_PURCHASES, day)
    if facts is None:
        return _not_checked(name, ("moves", "price_subtotal"))
    count, totals = signed_move_totals(
        odoo, day, purchases.MOVE_TYPES, "in_invoice", ("amount_untaxed_signed",), exclude_pos=False
    )
    rounding, rounding_checks = cash_rounding.move_checks(
        odoo, lake, day, FACT_PURCHASE_CASH_ROUNDING, list(purchases.MOVE_TYPES), sales=False, exclude_pos=False
    )
    lake_total = round(float(facts["price_subtotal"].sum() or 0.0) + rounding, 2)
    return [
        Check(name, "moves", facts["move_id"].n_unique(), count),
        Check(name, "price_subtotal", lake_total, round(totals["amount_untaxed_signed"], 2),
              tolerance=CENT * max(count, 1),
              note="vs account.move amount_untaxed_signed" + (" (with the cash rounding)" if rounding_checks else "")),
        *rounding_checks,
    ]


def star_inventory_moves(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> list[Check]:
    """fact_inventory_moves rows against Odoo's count of the day's done move lines."""

    name = FACT_INVENTORY_MOVES.name
    facts = _star_frame(lake, FACT_INVENTORY_MOVES, day)
    if facts is None:
        return _not_checked(name, ("move_lines",))
    odoo_count = odoo.search_count(inventory_moves.LINE_MODEL, inventory_moves.line_domain(day, settings.business_tz))
    return [Check(name, "move_lines", facts.height, odoo_count)]


# target -> star checks of its fact table
STAR_CHECKS = {
    "pos": star_pos,
    "invoice-sales": star_invoice_sales,
    "purchases": star_purchases,
    "inventory-moves": star_inventory_moves,
}
