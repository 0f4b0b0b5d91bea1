"""Stock-quants target: the `stock.quant` snapshot of business day D → `raw/stock_quants/date=D`.

Quants are Odoo's current state, so this never labels today's stock as a past day. We reconstruct:
for a day that has ended, the partition holds the current quants of internal locations plus every done
move line dated from the end of D up to the moment the quants were read; the transform takes those
moves back out (see functions/transform/stock_quants.py). A day that has not ended yet (today) is a
plain snapshot as of the reading moment; a future day is refused.

Known limit: moves validated while the quants are being read can fall on the wrong side of the cut
(Odoo offers no read snapshot across calls); the window is the few seconds of the quant read.

Reading every done move from D to now makes a far-back day cost more and a backfill of N days read
O(N²) move lines. So the later moves come from the lake where it already holds them: the raw
`inventory_moves` partitions of the whole days after D, and the later moves stored with the nearest
earlier and later reconstructed quant snapshots. What the lake covers is checked against Odoo with one
count and the latest `write_date` over the same windows (a late edit, a backdated or deleted line makes
them differ, and then everything is read from Odoo as before); only the rest (at least today's part) is
read from Odoo. The partition holds the same move lines either way, so the transform gives the same rows.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from functions.checks import QTY_TOLERANCE, Check, aggregate, figure_checks
from functions.extract import raw_spec, raw_table
from functions.extract.inventory_moves import DATASET as MOVES_DATASET
from functions.extract.inventory_moves import read_by_ids
from shared import clock
from shared.dates import ODOO_DATETIME_FORMAT, business_day_of, business_day_window, odoo_window
from shared.errors import InputError
from shared.lake import as_frame
from shared.log import get_logger

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

log = get_logger(__name__)

DATASET = "stock_quants"
QUANT_MODEL = "stock.quant"
LINE_MODEL = "stock.move.line"
LOCATION_MODEL = "stock.location"
UOM_MODEL = "uom.uom"
PRODUCT_MODEL = "product.product"
SNAPSHOT_MODEL = "_snapshot"
NON_STORABLE_MODEL = "_non_storable"  # one record: the ids of the products that have no quants
ALL_RECORDS = {"active_test": False}

QUANT_REQUIRED = ("id", "product_id", "location_id", "quantity", "reserved_quantity")
QUANT_OPTIONAL = ("lot_id", "company_id", "in_date", "product_uom_id")
LINE_REQUIRED = ("id", "date", "product_id", "product_uom_id", "location_id", "location_dest_id")
LINE_OPTIONAL = ("lot_id", "company_id", "quantity_product_uom", "write_date")  # write_date: lake freshness
QUANTITY_FIELDS = {"quantity": ["quantity", "qty_done"]}
# model -> (required, optional) fields, for `nkpipe odoo-check` ("a|b": either name)
REQUIREMENTS = {
    QUANT_MODEL: (QUANT_REQUIRED, QUANT_OPTIONAL),
    LINE_MODEL: ((*LINE_REQUIRED, "state", "quantity|qty_done"), LINE_OPTIONAL),
    LOCATION_MODEL: (("id", "usage"), ("complete_name",)),
    UOM_MODEL: (("id", "factor"), ()),
}


def non_storable_products(odoo: OdooClient) -> list[int]:
    """Ids of the products Odoo keeps no quants of. Odoo 16/17: `type != 'product'` (16
    stock_move_line.py `_action_done` updates quants only for type 'product'; 17 `_synchronize_quant`
    returns early for other types); 18/19: `is_storable` false (`product.type` is 'consu' for goods)."""
    fields = odoo.fields(PRODUCT_MODEL)
    domain = [("is_storable", "=", False)] if "is_storable" in fields else [("type", "!=", "product")]
    return odoo.search_ids(PRODUCT_MODEL, domain, context=ALL_RECORDS)


def _ids(records: list[dict], field: str) -> list[int]:
    return sorted({r[field][0] for r in records if isinstance(r.get(field), list | tuple) and r[field]})


def fetch_snapshot(
    odoo: OdooClient, day: date, tz: str, now: datetime | None = None, lake: Lake | None = None
) -> dict[str, list[dict]]:
    """The records that give on-hand stock at the end of `day` (or now, while `day` is not over).

    With `lake`, the done moves after `day` that the lake already holds are taken from it (see above)."""
    _, end_of_day = business_day_window(day, tz)
    if day > business_day_of(now or clock.now(), tz):
        raise InputError(f"stock-quants: {day.isoformat()} is in the future; there is no stock snapshot for it")
    quant_fields = odoo.pick_fields(QUANT_MODEL, QUANT_REQUIRED, QUANT_OPTIONAL)
    locations = odoo.search_read_all(
        LOCATION_MODEL, [("usage", "=", "internal")], ["id", "usage", "complete_name"], context=ALL_RECORDS
    )
    taken_at = clock.now() if now is None else now
    quants = odoo.read_children(QUANT_MODEL, "location_id", [loc["id"] for loc in locations], quant_fields)
    reconstructed = end_of_day <= taken_at
    factor_meaning = None
    records: dict[str, list[dict]] = {QUANT_MODEL: quants, LOCATION_MODEL: locations}
    if reconstructed:
        line_fields = odoo.pick_fields(LINE_MODEL, LINE_REQUIRED, LINE_OPTIONAL, QUANTITY_FIELDS)
        window = (end_of_day.strftime(ODOO_DATETIME_FORMAT), taken_at.strftime(ODOO_DATETIME_FORMAT))
        lines = later_move_lines(odoo, lake, day, tz, window, line_fields)
        records[LINE_MODEL] = lines
        if lines:
            # Products Odoo keeps no quants of (consumables, services): their done moves are left out of
            # the reconstruction. One search, whatever the number of lines.
            records[NON_STORABLE_MODEL] = [{"id": 1, "product_ids": sorted(non_storable_products(odoo))}]
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


# ---------------------------------------------------------------- the later moves, from the lake where it has them

Window = tuple[str, str]  # [start, end) as Odoo UTC datetime strings (they sort like the moments)


def done_domain(windows: list[Window]) -> list:
    """Done move lines dated in any of `windows` (disjoint)."""
    union: list = ["|"] * (len(windows) - 1)
    for start, end in windows:
        union += ["&", ("date", ">=", start), ("date", "<", end)]
    return [("state", "=", "done"), *union]


def merge_windows(windows: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for start, end in sorted(w for w in windows if w[0] < w[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract_windows(window: Window, covered: list[Window]) -> list[Window]:
    """The parts of `window` that no (merged) window of `covered` holds."""
    gaps, cursor = [], window[0]
    for start, end in covered:
        if start > cursor:
            gaps.append((cursor, min(start, window[1])))
        cursor = max(cursor, end)
    if cursor < window[1]:
        gaps.append((cursor, window[1]))
    return [gap for gap in gaps if gap[0] < gap[1]]


def _clip(window: Window, within: Window) -> Window:
    return max(window[0], within[0]), min(window[1], within[1])


def _window_lines(table: Any, window: Window, fields: list[str]) -> list[dict] | None:
    """The move lines of a raw partition dated in `window`, with `fields` only; None when its records lack
    one of `fields` (written by an older version: not comparable, so not used)."""
    import polars as pl

    frame = as_frame(table.select(["model", "record"])).filter(pl.col("model") == LINE_MODEL)
    has_all = pl.all_horizontal([pl.col("record").str.contains(f'[{{,]\\s*"{name}"\\s*:') for name in fields])
    if frame.height and not frame.select(has_all.all()).item():
        return None
    moment = pl.col("record").str.json_path_match("$.date")
    texts = frame.filter((moment >= window[0]) & (moment < window[1])).get_column("record").to_list()
    return [{name: record[name] for name in fields} for record in map(json.loads, texts)]


def lake_move_lines(lake: Lake, day: date, tz: str, window: Window, fields: list[str]) -> tuple[list[Window], list[dict]]:
    """Done move lines dated in `window` (after the end of `day`) that the lake already holds, and the
    windows they cover: raw inventory_moves of whole later days, and the later moves kept with the
    nearest earlier and later reconstructed quant snapshots."""
    moves_spec, snapshots_spec = raw_spec(MOVES_DATASET), raw_spec(DATASET)
    # (spec, partition day, the window it holds; None: a snapshot's, read from its record)
    candidates: list[tuple[Any, date, Window | None]] = [
        (moves_spec, moves_day, odoo_window(moves_day, tz))
        for moves_day in lake.list_dates(moves_spec)
        if moves_day > day and odoo_window(moves_day, tz)[1] <= window[1]
    ]
    snapshot_days = [d for d in lake.list_dates(snapshots_spec) if d != day]
    earlier = max((d for d in snapshot_days if d < day), default=None)
    later = min((d for d in snapshot_days if d > day), default=None)
    candidates += [(snapshots_spec, d, None) for d in (earlier, later) if d is not None]
    covered: list[Window] = []
    lines: dict[int, dict] = {}
    for spec, source_day, source_window in candidates:
        table = lake.read_partition(spec, source_day)
        if table is None:
            continue
        part = _clip(source_window or _snapshot_window(table), window)
        if part[0] >= part[1]:
            continue
        found = _window_lines(table, part, fields)
        if found is None:
            continue
        covered.append(part)
        for record in found:
            kept = lines.get(record["id"])
            # two copies of a line: the later-written one (an edit between the two extractions)
            if kept is None or _written(record) > _written(kept):
                lines[record["id"]] = record
    return merge_windows(covered), list(lines.values())


def _written(record: dict) -> str:
    value = record.get("write_date")
    return value if isinstance(value, str) else ""


def _snapshot_window(table: Any) -> Window:
    """The later moves a quant snapshot partition holds: from the end of its day to its reading."""
    import pyarrow.compute as pc

    snapshot = table.filter(pc.equal(table.column("model"), SNAPSHOT_MODEL)).column("record").to_pylist()
    info = json.loads(snapshot[0]) if snapshot else {}
    if not info.get("reconstructed"):
        return ("", "")  # a plain snapshot of a day not over holds no later moves
    return info["as_of"], info["taken_at"]


def lake_is_current(odoo: OdooClient, covered: list[Window], lines: list[dict], fields: list[str]) -> bool:
    """Does Odoo still have exactly these done lines in `covered`? Same count and same latest write_date
    (a late edit moves write_date past every extraction; a backdated or deleted line changes the count)."""
    domain = done_domain(covered)
    checks = [lambda: odoo.search_count(LINE_MODEL, domain)]
    if "write_date" in fields:
        checks.append(lambda: odoo.execute(
            LINE_MODEL, "search_read", domain=domain, fields=["write_date"], order="write_date desc, id desc", limit=1,
        ))
    answers = odoo.map_concurrently(lambda check: check(), checks)
    if answers[0] != len(lines):
        return False
    if len(answers) > 1:
        latest = answers[1][0]["write_date"] if answers[1] else None
        ours = max((line["write_date"] for line in lines if isinstance(line.get("write_date"), str)), default=None)
        return latest == ours
    return True


def later_move_lines(odoo: OdooClient, lake: Lake | None, day: date, tz: str, window: Window, fields: list[str]) -> list[dict]:
    """Done move lines dated in `window`, by id: from the lake where it holds them and Odoo agrees, the
    rest from Odoo (each missing window read by id pages, side by side)."""
    covered, reused = lake_move_lines(lake, day, tz, window, fields) if lake is not None else ([], [])
    if covered and not lake_is_current(odoo, covered, reused, fields):
        log.info("stock-quants %s: the lake's later moves differ from Odoo's; reading them all from Odoo", day)
        covered, reused = [], []
    gaps = subtract_windows(window, covered)
    parts = odoo.map_concurrently(lambda gap: odoo.search_read_all(LINE_MODEL, done_domain([gap]), fields), gaps)
    lines = {record["id"]: record for record in reused}
    for part in parts:
        lines.update((record["id"], record) for record in part)
    return sorted(lines.values(), key=lambda record: record["id"])


def extract(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, int]:
    records = fetch_snapshot(odoo, day, settings.business_tz, lake=lake)
    lake.write_partition(raw_spec(DATASET), day, raw_table(records))
    return {model: len(rows) for model, rows in records.items()}  # raw rows per model


def odoo_figures(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, float]:
    """Odoo's aggregate of the quants of internal locations now (count, Σ quantity), one read_group:
    Odoo can say only what its stock is now, so this checks the quants the snapshot read, not the
    day's reconstructed stock. A move validated between the read and this check shows as a difference."""
    domain = [("location_id.usage", "=", "internal")]
    return aggregate(odoo, QUANT_MODEL, domain, {"quantity": "quantity"}, "quants", context=ALL_RECORDS)


# Odoo can only say what its stock is now: the quants of a snapshot read longer ago than this are not
# compared (Odoo has moved on); the extract run compares them right after reading them.
SNAPSHOT_CHECK_WINDOW = timedelta(minutes=15)


def reconcile(odoo: OdooClient, settings: Settings, lake: Lake, day: date, figures: dict[str, float] | None = None) -> list:
    """The quants of the raw partition (count, Σ quantity) against Odoo's aggregate, when the snapshot
    was read just now (the extract run); otherwise marked not checked."""
    from functions.extract import raw_records, raw_totals
    snapshot = raw_records(lake, DATASET, day, SNAPSHOT_MODEL) or [{}]
    taken = snapshot[0].get("taken_at")
    if taken and clock.now() - datetime.strptime(taken, ODOO_DATETIME_FORMAT).replace(tzinfo=UTC) > SNAPSHOT_CHECK_WINDOW:
        note = f"quants read at {taken} UTC: Odoo can only say its stock now (checked by that extract run)"
        return [Check(DATASET, measure, 0, 0, note=note, checked=False) for measure in ("quants", "quants quantity")]
    figures = figures if figures is not None else odoo_figures(odoo, settings, lake, day)
    totals = raw_totals(lake, DATASET, day, QUANT_MODEL, ["quantity"])
    return figure_checks(DATASET, "quants", totals, figures, {"quantity": "quantity"}, {"quantity": QTY_TOLERANCE})
