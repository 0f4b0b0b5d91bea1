"""Inventory moves: the pure clean/star steps on inline records, and extraction through the real
odoorpc client against the simulator (window edges at 00:00 local time, Odoo 16 `qty_done`)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import polars as pl

from functions.extract.inventory_moves import line_domain
from functions.transform.inventory_moves import clean_inventory_moves, star_inventory_moves
from shared.schemas import FACT_INVENTORY_MOVES

TZ = "Asia/Jakarta"


def raw_frame(records: list[tuple[str, dict]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "model": [model for model, _ in records],
            "id": [record["id"] for _, record in records],
            "write_date": [record.get("write_date") for _, record in records],
            "record": [json.dumps(record) for _, record in records],
        }
    )


def line(line_id: int, when: str, **values) -> tuple[str, dict]:
    record = {
        "id": line_id, "date": when, "state": "done", "move_id": [10, "M"], "product_id": [5, "P"],
        "product_uom_id": [1, "Units"], "location_id": [8, "WH/Stock"], "location_dest_id": [9, "Customers"],
        "lot_id": False, "picking_id": [3, "WH/OUT/1"], "company_id": [1, "C"], "write_date": when,
    }
    record.update(values)
    return "stock.move.line", record


RELATED = [
    ("stock.move", {"id": 10, "picking_type_id": [2, "Delivery Orders"]}),
    ("stock.picking.type", {"id": 2, "code": "outgoing"}),
    ("stock.location", {"id": 8, "usage": "internal"}),
    ("stock.location", {"id": 9, "usage": "customer"}),
]


def test_business_day_is_local_time_at_the_window_edges():
    raw = raw_frame(
        [
            line(1, "2026-01-01 17:00:00", quantity=1.0),  # 00:00 Jakarta on Jan 2
            line(2, "2026-01-02 16:59:59", quantity=2.0),  # 23:59:59 Jakarta on Jan 2
            line(3, "2026-01-01 16:59:59", quantity=3.0),  # 23:59:59 Jakarta on Jan 1
            *RELATED,
        ]
    )
    result = clean_inventory_moves(raw, TZ)
    expected = [(1, date(2026, 1, 2)), (2, date(2026, 1, 2)), (3, date(2026, 1, 1))]
    assert result.select("move_line_id", "date").rows() == expected


def test_odoo16_qty_done_and_picking_type_from_the_move():
    raw = raw_frame([line(1, "2026-01-01 18:00:00", qty_done=4.5), *RELATED])
    result = clean_inventory_moves(raw, TZ).row(0, named=True)
    assert result["quantity"] == 4.5
    assert result["picking_type_id"] == 2
    assert result["picking_code"] == "outgoing"
    assert (result["location_usage"], result["location_dest_usage"]) == ("internal", "customer")


def test_line_picking_code_wins_and_missing_relations_stay_null():
    raw = raw_frame(
        [line(1, "2026-01-01 18:00:00", quantity=1.0, picking_code="incoming", move_id=False, lot_id=[4, "L"],
              location_dest_id=[99, "Gone"])]
    )
    result = clean_inventory_moves(raw, TZ).row(0, named=True)
    assert result["picking_code"] == "incoming"
    assert result["move_id"] is None
    assert result["lot_id"] == 4
    assert result["location_dest_usage"] is None


def test_star_has_the_contract_columns_and_empty_raw_gives_an_empty_table():
    star = star_inventory_moves(clean_inventory_moves(raw_frame([line(1, "2026-01-01 18:00:00", quantity=1.0)]), TZ))
    assert set(star.columns) == set(FACT_INVENTORY_MOVES.schema.names)
    empty = star_inventory_moves(clean_inventory_moves(None, TZ))
    assert empty.height == 0
    assert empty.columns == star.columns


# ---------------------------------------------------------------- through odoorpc against the simulator

import pytest  # noqa: E402

from functions.extract import raw_spec, run_extract  # noqa: E402
from functions.extract.inventory_moves import LINE_MODEL  # noqa: E402
from functions.pipeline import run_days  # noqa: E402
from functions.transform import run_transform  # noqa: E402
from shared.lake import open_lake  # noqa: E402
from shared.metadata import Metadata  # noqa: E402
from shared.odoo import connect  # noqa: E402
from shared.odoo_sim import OdooSimulator, SimConfig  # noqa: E402
from tests.odoo_helpers import calls_delta, sim_settings  # noqa: E402

TARGET = ["inventory-moves"]


def extract_and_transform(settings, lake, day, odoo):
    extracted = run_extract(settings, lake, day, TARGET, odoo)
    transformed = run_transform(settings, lake, day, TARGET)
    return extracted[0], transformed[0]


def star_of(lake, day) -> pl.DataFrame:
    return pl.from_arrow(lake.read_partition(FACT_INVENTORY_MOVES, day))


@pytest.fixture(scope="module")
def sim17():
    with OdooSimulator(SimConfig(seed=5, lines_per_day=60, days=3)).start() as server:
        yield server


def test_day_window_edges_at_local_midnight(sim17, tmp_path):
    settings = sim_settings(sim17, str(tmp_path))
    lake = open_lake(str(tmp_path))
    day = sim17.last_day
    before = day - timedelta(days=1)
    with connect(settings) as odoo:
        ids = odoo.search_ids(LINE_MODEL, [("state", "=", "done")])
        first_of_day, last_of_before = ids[-1], ids[-2]
        start_utc = f"{before.isoformat()} 17:00:00"  # 00:00 Jakarta on `day`
        sim17.write(LINE_MODEL, first_of_day, {"date": start_utc})
        sim17.write(LINE_MODEL, last_of_before, {"date": f"{before.isoformat()} 16:59:59"})
        for d in (before, day):
            extracted, transformed = extract_and_transform(settings, lake, d, odoo)
            assert (extracted.status, transformed.status) == ("success", "success")
            assert extracted.message == ""  # reconciliation against Odoo's own count matched
    on_day, on_before = star_of(lake, day), star_of(lake, before)
    assert first_of_day in on_day["move_line_id"].to_list()
    assert last_of_before in on_before["move_line_id"].to_list()
    assert first_of_day not in on_before["move_line_id"].to_list()
    assert on_day["date"].unique().to_list() == [day]
    edge = on_day.filter(pl.col("move_line_id") == first_of_day).row(0, named=True)
    assert edge["date_done"] == datetime(before.year, before.month, before.day, 17, tzinfo=UTC)
    overlap = set(on_day["move_line_id"]) & set(on_before["move_line_id"])
    assert overlap == set()


def test_star_rows_are_complete_and_batched_by_id_lists(sim17, tmp_path):
    settings = sim_settings(sim17, str(tmp_path), odoo_batch_size=10)
    lake = open_lake(str(tmp_path))
    day = sim17.first_day
    with connect(settings) as odoo:
        expected_ids = odoo.search_ids(LINE_MODEL, line_domain(day, settings.business_tz))
        before = odoo.calls.copy()
        extracted, _ = extract_and_transform(settings, lake, day, odoo)
        calls = calls_delta(odoo.calls, before)
    star = star_of(lake, day)
    assert sorted(star["move_line_id"].to_list()) == sorted(expected_ids)
    assert len(expected_ids) > 10
    for column in ("move_id", "product_id", "quantity", "uom_id", "location_id", "location_dest_id",
                   "company_id", "picking_code", "location_usage", "location_dest_usage"):
        assert star[column].null_count() == 0, column
    # moves are read by lists of ids, 10 per call: never one call per line
    moves = len(set(star["move_id"].to_list()))
    assert calls[("stock.move", "search_read")] <= moves // 10 + 1
    assert extracted.calls["total"] == sum(calls.values())


def test_odoo16_names_the_done_quantity_qty_done(tmp_path):
    with OdooSimulator(SimConfig(seed=5, lines_per_day=40, days=2, version="16.0")).start() as sim16:
        settings = sim_settings(sim16, str(tmp_path))
        lake = open_lake(str(tmp_path))
        day = sim16.last_day
        with connect(settings) as odoo:
            assert "quantity" not in odoo.fields(LINE_MODEL)
            records = odoo.search_read_all(LINE_MODEL, line_domain(day, settings.business_tz), ["qty_done"])
            extracted, transformed = extract_and_transform(settings, lake, day, odoo)
    assert transformed.status == "success"
    star = star_of(lake, day)
    assert star["quantity"].null_count() == 0
    assert star["quantity"].sum() == pytest.approx(sum(r["qty_done"] for r in records))


def test_rows_of_an_extract_are_counted_once(tmp_path, caplog):
    """34 raw rows (14 lines, 14 moves, 2 picking types, 4 locations) are reported as 34, in the
    result, the run record and the pipeline's log line; not 68 (a raw total beside the per-model counts)."""
    config = SimConfig(seed=8, lines_per_day=12, days=2, end_day=date(2026, 11, 20))
    expected = {"stock.move.line": 14, "stock.move": 14, "stock.picking.type": 2, "stock.location": 4}
    with OdooSimulator(config).start() as sim:
        settings = sim_settings(sim, str(tmp_path))
        lake = open_lake(str(tmp_path))
        with caplog.at_level(logging.INFO, logger="functions.pipeline"):
            [result] = run_days(settings, lake, [sim.last_day], ["extract"], TARGET)
    raw_rows = lake.read_partition(raw_spec("inventory_moves"), sim.last_day).num_rows
    [logged] = [r.fields["rows"] for r in caplog.records if r.getMessage().startswith("extract inventory-moves success")]
    assert (raw_rows, sum(result.rows.values())) == (34, 34)
    assert result.rows == expected
    assert Metadata(lake).last_run("extract", "inventory-moves", sim.last_day).rows == expected
    assert logged == expected
