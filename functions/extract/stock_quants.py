"""Stock-quants target: the `stock.quant` snapshot of business day D → `raw/stock_quants/date=D`.

Quants are Odoo's current state, so this never labels today's stock as a past day. We reconstruct:
for a day that has ended, the partition holds the current quants of internal locations plus every done
move line dated from the end of D up to the moment the quants were read; the transform takes those
moves back out (see functions/transform/stock_quants.py). A day that has not ended yet (today) is a
plain snapshot as of the reading moment; a future day is refused.

Known limit: moves validated while the quants are being read can fall on the wrong side of the cut
(Odoo offers no read snapshot across calls); the window is the few seconds of the quant read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from functions.extract import raw_spec, raw_table
from functions.extract.inventory_moves import read_by_ids
from shared.dates import ODOO_DATETIME_FORMAT, business_day_of, business_day_window
from shared.errors import InputError

DATASET = "stock_quants"
QUANT_MODEL = "stock.quant"
LINE_MODEL = "stock.move.line"
LOCATION_MODEL = "stock.location"
UOM_MODEL = "uom.uom"
PRODUCT_MODEL = "product.product"
SNAPSHOT_MODEL = "_snapshot"
ALL_RECORDS = {"active_test": False}

QUANT_REQUIRED = ("id", "product_id", "location_id", "quantity", "reserved_quantity")
QUANT_OPTIONAL = ("lot_id", "company_id", "in_date", "product_uom_id")
LINE_REQUIRED = ("id", "date", "product_id", "product_uom_id", "location_id", "location_dest_id")
LINE_OPTIONAL = ("lot_id", "company_id", "quantity_product_uom")
QUANTITY_FIELDS = {"quantity": ["quantity", "qty_done"]}
# model -> (required, optional) fields, for `nkpipe odoo-check` ("a|b": either name)
REQUIREMENTS = {
    QUANT_MODEL: (QUANT_REQUIRED, QUANT_OPTIONAL),
    LINE_MODEL: ((*LINE_REQUIRED, "state", "quantity|qty_done"), LINE_OPTIONAL),
    LOCATION_MODEL: (("id", "usage"), ("complete_name",)),
    UOM_MODEL: (("id", "factor"), ()),
}


def _ids(records: list[dict], field: str) -> list[int]:
    return sorted({r[field][0] for r in records if isinstance(r.get(field), list | tuple) and r[field]})


def fetch_snapshot(odoo: Any, day: date, tz: str, now: datetime | None = None) -> dict[str, list[dict]]:
    """The records that give on-hand stock at the end of `day` (or now, while `day` is not over)."""
    _, end_of_day = business_day_window(day, tz)
    if day > business_day_of(now or datetime.now(UTC), tz):
        raise InputError(f"stock-quants: {day.isoformat()} is in the future; there is no stock snapshot for it")
    quant_fields = odoo.pick_fields(QUANT_MODEL, QUANT_REQUIRED, QUANT_OPTIONAL)
    locations = odoo.search_read_all(
        LOCATION_MODEL, [("usage", "=", "internal")], ["id", "usage", "complete_name"], context=ALL_RECORDS
    )
    taken_at = datetime.now(UTC) if now is None else now
    quants = odoo.read_children(QUANT_MODEL, "location_id", [loc["id"] for loc in locations], quant_fields)
    reconstructed = end_of_day <= taken_at
    factor_meaning = None
    records: dict[str, list[dict]] = {QUANT_MODEL: quants, LOCATION_MODEL: locations}
    if reconstructed:
        line_fields = odoo.pick_fields(LINE_MODEL, LINE_REQUIRED, LINE_OPTIONAL, QUANTITY_FIELDS)
        domain = [
            ("state", "=", "done"),
            ("date", ">=", end_of_day.strftime(ODOO_DATETIME_FORMAT)),
            ("date", "<", taken_at.strftime(ODOO_DATETIME_FORMAT)),
        ]
        lines = odoo.search_read_all(LINE_MODEL, domain, line_fields)
        records[LINE_MODEL] = lines
        if "quantity_product_uom" not in line_fields and lines:
            # the transform converts line units to product units with Odoo's factors
            records[PRODUCT_MODEL] = read_by_ids(
                odoo, PRODUCT_MODEL, _ids(lines, "product_id"), ["id", "uom_id"], context=ALL_RECORDS
            )
            uom_ids = sorted(set(_ids(lines, "product_uom_id")) | set(_ids(records[PRODUCT_MODEL], "uom_id")))
            records[UOM_MODEL] = read_by_ids(odoo, UOM_MODEL, uom_ids, ["id", "factor"], context=ALL_RECORDS)
            # Odoo 19 dropped uom_type and turned `factor` around (reference units per unit)
            factor_meaning = "units_per_reference" if "uom_type" in odoo.fields(UOM_MODEL) else "reference_per_unit"
    as_of = end_of_day if reconstructed else taken_at
    records[SNAPSHOT_MODEL] = [
        {
            "id": 1,
            "day": day.isoformat(),
            "taken_at": taken_at.strftime(ODOO_DATETIME_FORMAT),
            "as_of": as_of.strftime(ODOO_DATETIME_FORMAT),
            "reconstructed": reconstructed,
            "uom_factor": factor_meaning,
        }
    ]
    return records


def extract(odoo: Any, settings: Any, lake: Any, day: date) -> dict[str, int]:
    records = fetch_snapshot(odoo, day, settings.business_tz)
    written = lake.write_partition(raw_spec(DATASET), day, raw_table(records))
    counts = {model: len(rows) for model, rows in records.items() if model != SNAPSHOT_MODEL}
    return {f"raw/{DATASET}": written, **counts}
