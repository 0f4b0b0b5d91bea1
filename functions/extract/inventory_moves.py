"""Inventory-moves target: done `stock.move.line`s with `date` in business day D's UTC window → `raw/inventory_moves`.

Beside the move lines the partition keeps the records they point at that the star table needs: their
`stock.move`s (for the picking type on versions whose line lacks it), the `stock.picking.type`s (code)
and the `stock.location`s (usage) — each read by id lists in batches, never one call per line.
Odoo 16 names the done quantity `qty_done`, 17+ `quantity`: the field is chosen from `fields_get`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from functions.checks import QTY_TOLERANCE, aggregate, figure_checks
from functions.extract import raw_spec, raw_table, raw_totals
from shared.dates import odoo_window

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

DATASET = "inventory_moves"
LINE_MODEL = "stock.move.line"
MOVE_MODEL = "stock.move"
PICKING_TYPE_MODEL = "stock.picking.type"
LOCATION_MODEL = "stock.location"

LINE_REQUIRED = ("id", "date", "state", "move_id", "product_id", "product_uom_id", "location_id", "location_dest_id")
LINE_OPTIONAL = (
    "picking_id", "picking_type_id", "picking_code", "lot_id", "lot_name", "quantity_product_uom",
    "company_id", "reference", "write_date",
)
QUANTITY_FIELDS = {"quantity": ["quantity", "qty_done"]}
# model -> (required, optional) fields, for `nkpipe odoo-check` ("a|b": either name)
REQUIREMENTS = {
    LINE_MODEL: ((*LINE_REQUIRED, "quantity|qty_done"), LINE_OPTIONAL),
    MOVE_MODEL: (("id", "picking_type_id"), ()),
    PICKING_TYPE_MODEL: (("id", "code"), ("name",)),
    LOCATION_MODEL: (("id", "usage"), ("complete_name",)),
}
# archived picking types and locations still describe old moves
ALL_RECORDS = {"active_test": False}


def line_domain(day: date, tz: str) -> list:
    start, end = odoo_window(day, tz)
    return [("state", "=", "done"), ("date", ">=", start), ("date", "<", end)]


def _ids(records: list[dict], field: str) -> list[int]:
    found = set()
    for record in records:
        value = record.get(field)
        if isinstance(value, list | tuple) and value:
            found.add(int(value[0]))
        elif isinstance(value, int) and not isinstance(value, bool):
            found.add(value)
    return sorted(found)


def read_by_ids(odoo: OdooClient, model: str, ids: list[int], fields: list[str], *, context: dict | None = None) -> list[dict]:
    """Records by id in batches, one call per batch (concurrently): a page one larger than its batch
    of ids never asks for an empty second page."""
    return read_many_by_ids(odoo, [(model, ids, fields, context)])[0]


def read_many_by_ids(odoo: OdooClient, requests: list[tuple[str, list[int], list[str], dict | None]]) -> list[list[dict]]:
    """Several `read_by_ids` (model, ids, fields, context) at once: every batch of every request on the
    client's one bounded pool, so independent reads do not wait for each other."""
    size = odoo.batch_size
    jobs = [
        (index, model, ids[i : i + size], fields, context)
        for index, (model, ids, fields, context) in enumerate(requests)
        for i in range(0, len(ids), size)
    ]

    def read(job: tuple) -> list[dict]:
        _, model, chunk, fields, context = job
        domain = [("id", "in", chunk)]
        return odoo.search_read_all(model, domain, fields, context=context, batch_size=len(chunk) + 1)

    results: list[list[dict]] = [[] for _ in requests]
    for job, part in zip(jobs, odoo.map_concurrently(read, jobs), strict=True):
        results[job[0]].extend(part)
    return [sorted(records, key=lambda r: r["id"]) for records in results]


def fetch_move_lines(odoo: OdooClient, domain: list) -> dict[str, list[dict]]:
    """Done move lines matching `domain` with their moves, picking types and locations."""
    line_fields = odoo.pick_fields(LINE_MODEL, LINE_REQUIRED, LINE_OPTIONAL, QUANTITY_FIELDS)
    lines = odoo.search_read_all(LINE_MODEL, domain, line_fields)
    location_ids = sorted(set(_ids(lines, "location_id")) | set(_ids(lines, "location_dest_id")))
    # moves and locations depend only on the lines: read side by side; picking types need the moves
    moves, locations = read_many_by_ids(odoo, [
        (MOVE_MODEL, _ids(lines, "move_id"), ["id", "picking_type_id"], None),
        (LOCATION_MODEL, location_ids, ["id", "usage", "complete_name"], ALL_RECORDS),
    ])
    type_ids = sorted(set(_ids(lines, "picking_type_id")) | set(_ids(moves, "picking_type_id")))
    types = read_by_ids(odoo, PICKING_TYPE_MODEL, type_ids, ["id", "code", "name"], context=ALL_RECORDS)
    return {LINE_MODEL: lines, MOVE_MODEL: moves, PICKING_TYPE_MODEL: types, LOCATION_MODEL: locations}


def extract(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, int]:
    records = fetch_move_lines(odoo, line_domain(day, settings.business_tz))
    # written only with everything in hand: a failure above leaves the old partition as it was
    lake.write_partition(raw_spec(DATASET), day, raw_table(records))
    return {model: len(rows) for model, rows in records.items()}  # raw rows per model


def odoo_figures(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, float]:
    """Odoo's aggregate of the day's done move lines (count, Σ done quantity), one read_group."""
    quantity = quantity_field(odoo)
    return aggregate(odoo, LINE_MODEL, line_domain(day, settings.business_tz), {"quantity": quantity}, "move_lines")


def quantity_field(odoo: OdooClient) -> str:
    """The done quantity's name in this Odoo (`quantity` on 17+, `qty_done` on 16)."""
    fields = odoo.fields(LINE_MODEL)
    return next(name for name in QUANTITY_FIELDS["quantity"] if name in fields)


def reconcile(odoo: OdooClient, settings: Settings, lake: Lake, day: date, figures: dict[str, float] | None = None) -> list:
    """Done move lines of the raw partition (count, Σ quantity) against Odoo's aggregate of the day."""
    figures = figures if figures is not None else odoo_figures(odoo, settings, lake, day)
    quantity = quantity_field(odoo)
    totals = raw_totals(lake, DATASET, day, LINE_MODEL, [quantity])
    return figure_checks(DATASET, "move_lines", totals, figures, {"quantity": quantity}, {"quantity": QTY_TOLERANCE})
