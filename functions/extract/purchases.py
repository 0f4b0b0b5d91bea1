"""purchases target: posted vendor bills and refunds with `invoice_date = D` and their product lines
(with the retailer's cost field when the database has one) → `raw/purchases/date=D`.

The cost field is not a standard Odoo field. One made in the UI or with Studio must be named `x_...`
(base/models/ir_model.py, constraint `name_manual_field`), so the name is configurable
(`ODOO_COST_FIELD`); unset, it is detected: `actual_price` (a module's field), then `x_actual_price`,
then the one `x_studio_...actual_price...` field. The partition records which field was used (model
`_cost_field`), and the taxes of its lines (`account.tax`: amount, to tell a withholding tax from PPN).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from functions.extract import account_moves, raw_spec, raw_table
from functions.extract.inventory_moves import read_by_ids
from shared.errors import InputError
from shared.log import get_logger

log = get_logger(__name__)

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

DATASET = "purchases"
MOVE_TYPES = ("in_invoice", "in_refund")
TAX_MODEL = "account.tax"
COST_FIELD_MODEL = "_cost_field"  # one record: which line field gave actual_price (None: no cost field)
DETECTED_NAMES = ("actual_price", "x_actual_price")
TAX_FIELDS = ["id", "name", "amount", "amount_type", "type_tax_use"]
# the cost field is looked up by name (cost_field below); `nkpipe odoo-check` reports it on its own line
REQUIREMENTS = account_moves.requirements()
MISSING_COST_FIELD = (
    "no cost field on account.move.line (looked for actual_price, x_actual_price, x_studio_*actual_price*): "
    "profit uses the unit price after discount; set ODOO_COST_FIELD"
)


def cost_field(odoo: OdooClient, settings: Settings) -> tuple[str | None, str]:
    """(field name or None, how it was found: 'configured' | 'detected' | 'missing')."""
    fields = odoo.fields(account_moves.LINE_MODEL)
    configured = getattr(settings, "odoo_cost_field", None)
    if configured:
        if configured not in fields:
            raise InputError(f"ODOO_COST_FIELD={configured}: account.move.line has no field {configured!r}")
        return configured, "configured"
    for name in DETECTED_NAMES:
        if name in fields:
            return name, "detected"
    studio = sorted(name for name in fields if name.startswith("x_studio_") and "actual_price" in name)
    if len(studio) == 1:
        return studio[0], "detected"
    if len(studio) > 1:
        raise InputError(f"several cost fields on account.move.line ({', '.join(studio)}): set ODOO_COST_FIELD")
    return None, "missing"


def fetch(odoo: OdooClient, settings: Settings, day: date) -> dict[str, list[dict]]:
    odoo.prefetch_fields([account_moves.MOVE_MODEL, account_moves.LINE_MODEL])
    name, how = cost_field(odoo, settings)
    if name is None:
        log.warning("purchases %s: %s", day, MISSING_COST_FIELD)
    records = account_moves.fetch(odoo, day, MOVE_TYPES, (name,) if name else ())
    tax_ids = sorted({t for line in records[account_moves.LINE_MODEL] for t in line.get("tax_ids") or []})
    records[TAX_MODEL] = (
        read_by_ids(odoo, TAX_MODEL, tax_ids, TAX_FIELDS, context={"active_test": False}) if tax_ids else []
    )
    records[COST_FIELD_MODEL] = [{"id": 1, "field": name, "found": how}]
    return records


def extract(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, int]:
    records = fetch(odoo, settings, day)
    # written only now, with everything in hand: a failure above leaves the old partition as it was
    lake.write_partition(raw_spec(DATASET), day, raw_table(records))
    return {model: len(rows) for model, rows in records.items() if not model.startswith("_")}


def run_extra(odoo: OdooClient, settings: Settings) -> dict[str, Any]:
    """What the run record keeps beside the rows: the cost field in use (None: missing)."""
    name, how = cost_field(odoo, settings)
    return {"cost_field": name, "cost_field_found": how}


def odoo_figures(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, float]:
    return account_moves.odoo_figures(odoo, day, MOVE_TYPES)


def reconcile(odoo: OdooClient, settings: Settings, lake: Lake, day: date, figures: dict[str, float] | None = None) -> list:
    figures = figures if figures is not None else odoo_figures(odoo, settings, lake, day)
    return account_moves.reconcile(lake, day, DATASET, figures)
