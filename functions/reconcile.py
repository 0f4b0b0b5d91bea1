"""Reconciliation: the lake's totals for a business day against Odoo's own server-side totals.

A dataset with a reconciliation declares two functions of its extract module (functions/datasets.py):
- `odoo_figures(odoo, settings, lake, day) -> dict[str, float]`: Odoo's aggregates of the day, one
  `read_group` (`formatted_read_group` on 19) per measure group, never one call per record — e.g.
  POS orders (count, Σ amount_total) and POS lines (count, Σ qty, Σ price_subtotal_incl);
- `reconcile(odoo, settings, lake, day, figures=None) -> list[Check]`: the raw partition against them.
Every extract run records the figures and the checks (run record `extra.odoo`, `extra.reconciliation`).
The transform stage runs the star checks below on every run with the figures extract recorded, so no
aggregate is asked of Odoo twice; `nkpipe reconcile --date D` fetches the figures once and runs both.

Star checks (dataset = the fact table), against the same figures:
- fact_sales: rows, Σ quantity and Σ revenue_tax_in vs POS lines; distinct orders vs POS orders;
- fact_invoice_sales / fact_purchases: rows and Σ tax-excluded amounts vs product lines (Σ balance,
  the company-currency amount with Odoo's sign), distinct moves and Σ revenue_tax_in vs the posted
  moves, leaving out invoices Odoo made for POS orders (`pos_order_ids`), which the transform leaves
  out of fact_invoice_sales because fact_sales has them;
- fact_inventory_moves: rows and Σ quantity vs done move lines.
A star partition that does not exist yet (transform not run), or a day extracted before figures were
recorded, gives a check marked not checked, with that reason, never a difference.

Tolerances (docs/operations.md "Verification"): counts exact; a sum of line amounts one cent in total
(both sides add the same stored, currency-rounded line values: the cent absorbs float addition); a sum
of document totals one cent per document; quantities 0.001 in total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from functions import cash_rounding
from functions.checks import (
    CENT,
    COUNT,
    QTY_TOLERANCE,
    Check,
    aggregate,
    figure_checks,
    group_totals,
    summarise,
)
from functions.datasets import DATASETS, dataset
from shared.lake import as_frame

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.metadata import Metadata
    from shared.odoo import OdooClient

__all__ = [
    "CENT", "COUNT", "QTY_TOLERANCE", "Check", "aggregate", "figure_checks", "group_totals", "reconcile_day",
    "reconcilable_targets", "summarise",
]


def reconcilable_targets() -> list[str]:
    """Targets whose dataset declares a `reconcile` function, in registry order."""
    return [ds.name for ds in DATASETS if ds.reconcile is not None]


def reconcile_day(
    settings: Settings, lake: Lake, day: date, odoo: OdooClient, targets: Sequence[str] | None = None, star: bool = True
) -> list[Check]:
    """Raw checks of every target's extract hook, then (unless `star=False`) its star checks, from
    one fetch of the target's Odoo figures."""
    checks: list[Check] = []
    for target in targets or reconcilable_targets():
        ds = dataset(target)
        if ds.reconcile is None or ds.odoo_figures is None:
            continue
        figures = ds.odoo_figures(odoo, settings, lake, day)
        checks.extend(ds.reconcile(odoo, settings, lake, day, figures))
        if star and target in STAR_CHECKS:
            checks.extend(STAR_CHECKS[target](lake, day, figures))
    return checks


# ---------------------------------------------------------------- star schema against Odoo

STAR_MISSING = "no star partition: transform not run yet"
NO_FIGURES = "no Odoo figures of this raw partition (not written by an extract run that recorded them, e.g. restored)"


def _star_frame(lake: Lake, spec: Any, day: date) -> Any:
    table = lake.read_partition(spec, day)
    return None if table is None else as_frame(table)


def _not_checked(dataset: str, measures: Sequence[str], why: str = STAR_MISSING) -> list[Check]:
    return [Check(dataset, measure, 0, 0, note=why, checked=False) for measure in measures]


def _sum(frame: Any, column: str, digits: int = 2) -> float:
    return round(float(frame[column].sum() or 0.0), digits)


def _known(figures: Mapping[str, float] | None, *names: str) -> dict[str, float] | None:
    """The figures when they hold every one of `names`, else None (recorded by an older extract)."""
    return dict(figures) if figures is not None and all(name in figures for name in names) else None


POS_STAR = ("lines", "quantity", "revenue_tax_in", "orders", "amount_total")


def star_pos(lake: Lake, day: date, figures: Mapping[str, float] | None) -> list[Check]:
    """fact_sales: rows, Σ quantity, Σ revenue_tax_in vs POS lines; distinct orders vs POS orders; Σ
    revenue_tax_in with the lake's cash rounding vs the orders' Σ amount_total (and the rounding apart)."""
    from shared.schemas import FACT_SALES

    name = FACT_SALES.name
    facts = _star_frame(lake, FACT_SALES, day)
    if facts is None:
        return _not_checked(name, POS_STAR)
    known = _known(figures, "lines.count", "orders.count")
    if known is None:
        return _not_checked(name, POS_STAR, NO_FIGURES)
    figures = known
    rounding, rounding_checks = cash_rounding.pos_checks(lake, day, figures)
    orders = int(figures["orders.count"])
    # 0-priced Odoo 18 combo parents are not sales lines (their items are): out of Odoo's side too
    parents, combo = figures.get("combo_parents.count", 0.0), " (0-priced combo parents left out)"
    note = "vs pos.order.line" + (combo if parents else "")
    return [
        Check(name, "lines", facts.height, int(figures["lines.count"] - parents), note=note),
        Check(name, "quantity", _sum(facts, "quantity", 3), round(figures["lines.qty"] - figures.get("combo_parents.qty", 0.0), 3),
              tolerance=QTY_TOLERANCE, note=note + " qty"),
        Check(name, "revenue_tax_in", _sum(facts, "revenue_tax_in"), round(figures["lines.price_subtotal_incl"], 2),
              tolerance=CENT, note="vs pos.order.line price_subtotal_incl"),
        Check(name, "orders", facts["order_id"].n_unique(), orders),
        Check(name, "amount_total", round(_sum(facts, "revenue_tax_in") + rounding, 2),
              round(figures["orders.amount_total"], 2), tolerance=CENT * max(orders, 1),
              note="Σ revenue_tax_in vs pos.order amount_total" + (" (with the cash rounding)" if rounding_checks else "")),
        *rounding_checks,
    ]


def _without_pos(figures: Mapping[str, float], name: str) -> float:
    """A figure of every posted move of the day minus the same figure over POS invoices (0 without POS)."""
    return figures[name] - figures.get(f"pos_{name}", 0.0)


def _rounding_of(lake: Lake, spec: Any, day: date, move_ids: Any) -> tuple[int, float]:
    """(rows, Σ amount) of the lake's cash-rounding lines of the given moves: the lines Odoo counts
    beside the product lines (the figures' `lines` hold both)."""
    import polars as pl

    frame = cash_rounding.read_rounding(lake, spec, day)
    if frame is None or frame.height == 0:
        return 0, 0.0
    frame = frame.filter(pl.col("doc_id").is_in(move_ids.implode()))
    return frame.height, float(frame["amount"].sum() or 0.0)


INVOICE_STAR = ("lines", "revenue_tax_ex", "moves", "revenue_tax_in")


def _moves_star(
    lake: Lake, day: date, figures: Mapping[str, float] | None, spec: Any, rounding_spec: Any,
    measures: Sequence[str], sales: bool,
) -> tuple[Any, int, float, str, list[Check]] | list[Check]:
    """What an account-move star check needs: (facts, rounding rows and Σ of its moves, the note
    suffix, the rounding's own checks), or the not-checked checks when there is nothing to compare."""
    facts = _star_frame(lake, spec, day)
    if facts is None:
        return _not_checked(spec.name, measures)
    known = _known(figures, "lines.count", "moves.count")
    if known is None:
        return _not_checked(spec.name, measures, NO_FIGURES)
    figures = known
    rows, rounding = _rounding_of(lake, rounding_spec, day, facts["move_id"].unique())
    _total, rounding_checks = cash_rounding.move_checks(lake, day, rounding_spec, figures, sales=sales)
    return facts, rows, rounding, " (with the cash rounding)" if rows else "", rounding_checks


def star_invoice_sales(lake: Lake, day: date, figures: Mapping[str, float] | None) -> list[Check]:
    """fact_invoice_sales (with its moves' cash-rounding lines) against posted customer invoices and
    credit notes, without POS invoices; the rounding also on its own line."""
    from shared.schemas import FACT_INVOICE_CASH_ROUNDING, FACT_INVOICE_SALES

    name = FACT_INVOICE_SALES.name
    found = _moves_star(lake, day, figures, FACT_INVOICE_SALES, FACT_INVOICE_CASH_ROUNDING, INVOICE_STAR, sales=True)
    if isinstance(found, list):
        return found
    facts, rows, rounding, with_rounding, rounding_checks = found
    figures = figures or {}  # _moves_star found them
    moves = int(_without_pos(figures, "moves.count"))
    return [
        Check(name, "lines", facts.height + rows, int(_without_pos(figures, "lines.count")),
              note="POS invoices left out" + with_rounding),
        # a customer line's balance is the negated company-currency subtotal (credit)
        Check(name, "revenue_tax_ex", round(_sum(facts, "revenue_tax_ex") + rounding, 2),
              round(-_without_pos(figures, "lines.balance"), 2), tolerance=CENT,
              note="vs -Σ account.move.line balance" + with_rounding),
        Check(name, "moves", facts["move_id"].n_unique(), moves, note="POS invoices left out"),
        Check(name, "revenue_tax_in", round(_sum(facts, "revenue_tax_in") + rounding, 2),
              round(_without_pos(figures, "moves.amount_total_signed"), 2), tolerance=CENT * max(moves, 1),
              note="vs account.move amount_total_signed" + with_rounding),
        *rounding_checks,
    ]


PURCHASE_STAR = ("lines", "price_subtotal", "moves")


def star_purchases(lake: Lake, day: date, figures: Mapping[str, float] | None) -> list[Check]:
    """fact_purchases (with its bills' cash-rounding lines) against posted vendor bills and refunds;
    the rounding also on its own line."""
    from shared.schemas import FACT_PURCHASE_CASH_ROUNDING, FACT_PURCHASES

    name = FACT_PURCHASES.name
    found = _moves_star(lake, day, figures, FACT_PURCHASES, FACT_PURCHASE_CASH_ROUNDING, PURCHASE_STAR, sales=False)
    if isinstance(found, list):
        return found
    facts, rows, rounding, with_rounding, rounding_checks = found
    figures = figures or {}  # _moves_star found them
    return [
        Check(name, "lines", facts.height + rows, int(figures["lines.count"]), note=with_rounding.strip(" ()")),
        # a bill line's balance is its company-currency subtotal (debit), negative on a refund
        Check(name, "price_subtotal", round(_sum(facts, "price_subtotal") + rounding, 2), round(figures["lines.balance"], 2),
              tolerance=CENT, note="vs Σ account.move.line balance" + with_rounding),
        Check(name, "moves", facts["move_id"].n_unique(), int(figures["moves.count"])),
        *rounding_checks,
    ]


def star_inventory_moves(lake: Lake, day: date, figures: Mapping[str, float] | None) -> list[Check]:
    """fact_inventory_moves rows and Σ quantity against the day's done move lines."""
    from shared.schemas import FACT_INVENTORY_MOVES

    name = FACT_INVENTORY_MOVES.name
    facts = _star_frame(lake, FACT_INVENTORY_MOVES, day)
    if facts is None:
        return _not_checked(name, ("move_lines", "quantity"))
    known = _known(figures, "move_lines.count")
    if known is None:
        return _not_checked(name, ("move_lines", "quantity"), NO_FIGURES)
    figures = known
    return [
        Check(name, "move_lines", facts.height, int(figures["move_lines.count"])),
        Check(name, "quantity", _sum(facts, "quantity", 3), round(figures["move_lines.quantity"], 3),
              tolerance=QTY_TOLERANCE, note="vs stock.move.line done quantity"),
    ]


# target -> star checks of its fact table
STAR_CHECKS = {
    "pos": star_pos,
    "invoice-sales": star_invoice_sales,
    "purchases": star_purchases,
    "inventory-moves": star_inventory_moves,
}


def recorded_figures(metadata: Metadata, lake: Lake, target: str, day: date) -> dict[str, float] | None:
    """The Odoo figures of the extract run of `target` for `day` that wrote the raw partition there now
    (matched by its stamp): None when no run did (never extracted with figures, or a restored or
    otherwise replaced partition, which the figures of a later extract do not describe)."""
    from shared.lineage import input_stamps
    from shared.metadata import SUCCESS, UNVERIFIED

    now = input_stamps(lake, dataset(target).tables_in("raw"), day)
    for rec in reversed(metadata.history("extract", target, day)):
        figures = rec.extra.get("odoo")
        if rec.status in (SUCCESS, UNVERIFIED) and isinstance(figures, dict) and rec.extra.get("odoo_raw_stamps") == now:
            return dict(figures)
    return None


def star_check(metadata: Metadata, lake: Lake, target: str, day: date) -> list[Check]:
    """The star checks of `target` for `day` with what extract fetched (transform runs this)."""
    if target not in STAR_CHECKS:
        return []
    return STAR_CHECKS[target](lake, day, recorded_figures(metadata, lake, target, day))
