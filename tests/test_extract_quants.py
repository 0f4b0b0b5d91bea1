"""Stock quants: reconstruction of on-hand at the end of a past day (pure, inline records), and the
extract → transform path through the real odoorpc client against the simulator."""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from functions.transform.stock_quants import star_stock_quants
from shared import clock
from shared.schemas import FACT_STOCK_QUANTS


def raw_frame(records: list[tuple[str, dict]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "model": [m for m, _ in records],
            "id": [r["id"] for _, r in records],
            "write_date": [None for _ in records],
            "record": [json.dumps(r) for _, r in records],
        }
    )


def snapshot(reconstructed: bool) -> tuple[str, dict]:
    return "_snapshot", {"id": 1, "day": "2026-01-01", "taken_at": "2026-01-03 05:00:00",
                         "as_of": "2026-01-01 17:00:00" if reconstructed else "2026-01-03 05:00:00",
                         "reconstructed": reconstructed}


def quant(qid: int, product: int, location: int, qty: float, lot: int | bool = False) -> tuple[str, dict]:
    return "stock.quant", {"id": qid, "product_id": [product, "P"], "location_id": [location, "L"],
                           "lot_id": [lot, "Lot"] if lot else False, "quantity": qty,
                           "reserved_quantity": 1.0, "company_id": [1, "C"]}


def later(lid: int, product: int, src: int, dst: int, qty: float, uom: int = 1, **extra) -> tuple[str, dict]:
    record = {"id": lid, "product_id": [product, "P"], "lot_id": False, "quantity": qty,
              "product_uom_id": [uom, "U"], "location_id": [src, "S"], "location_dest_id": [dst, "D"],
              "company_id": [1, "C"]}
    record.update(extra)
    return "stock.move.line", record


LOCATIONS = [
    ("stock.location", {"id": 8, "usage": "internal"}),
    ("stock.location", {"id": 7, "usage": "internal"}),
]
UNITS = [("uom.uom", {"id": 1, "factor": 1.0}), ("uom.uom", {"id": 2, "factor": 1 / 12}),
         ("product.product", {"id": 5, "uom_id": [1, "Units"]}), ("product.product", {"id": 6, "uom_id": [1, "Units"]})]


def rows(frame: pl.DataFrame) -> list[tuple]:
    return frame.select("quant_id", "product_id", "location_id", "quantity").rows()


def test_past_day_takes_later_moves_back_out():
    raw = raw_frame([
        snapshot(True), *LOCATIONS, *UNITS,
        quant(1, 5, 8, 10.0),
        later(100, 5, 8, 9, 1.0, uom=2),  # a dozen sold after D: it was still on hand at the end of D
        later(101, 6, 99, 8, 3.0),  # received after D: not there yet at the end of D
        later(102, 5, 8, 7, 4.0),  # internal transfer after D: back from 7 to 8
    ])
    result = star_stock_quants(raw)
    expected = [(1, 5, 8, 10.0 + 12.0 + 4.0), (None, 5, 7, -4.0), (None, 6, 8, -3.0)]
    assert sorted(rows(result), key=str) == sorted(expected, key=str)
    assert result["reserved_quantity"].null_count() == result.height
    assert result["reconstructed"].to_list() == [True] * 3
    assert result["date"].unique().to_list() == [date(2026, 1, 1)]


def test_odoo19_factor_counts_reference_units_per_unit():
    record = dict(snapshot(True)[1], uom_factor="reference_per_unit")
    units19 = [("uom.uom", {"id": 1, "factor": 1.0}), ("uom.uom", {"id": 2, "factor": 12.0}), UNITS[2]]
    raw = raw_frame([("_snapshot", record), *LOCATIONS, *units19, quant(1, 5, 8, 10.0),
                     later(100, 5, 8, 9, 2.0, uom=2)])
    assert rows(star_stock_quants(raw)) == [(1, 5, 8, 10.0 + 24.0)]


def test_quantity_product_uom_is_preferred_to_unit_conversion():
    raw = raw_frame([snapshot(True), *LOCATIONS, quant(1, 5, 8, 10.0),
                     later(100, 5, 8, 9, 1.0, uom=2, quantity_product_uom=12.0)])
    assert rows(star_stock_quants(raw)) == [(1, 5, 8, 22.0)]


def test_stock_gone_now_is_rebuilt_and_zero_rows_without_quant_are_dropped():
    raw = raw_frame([snapshot(True), *LOCATIONS, *UNITS,
                     later(100, 5, 8, 9, 2.0),  # all of it left after D
                     later(101, 6, 8, 9, 1.0), later(102, 6, 9, 8, 1.0)])  # out and back: nets to 0
    assert rows(star_stock_quants(raw)) == [(None, 5, 8, 2.0)]


def test_lots_are_kept_apart_and_quants_of_one_key_are_summed():
    raw = raw_frame([snapshot(True), *LOCATIONS, quant(3, 5, 8, 1.0, lot=41), quant(2, 5, 8, 2.0, lot=41),
                     quant(4, 5, 8, 5.0, lot=42), later(100, 5, 8, 9, 1.0, lot_id=[42, "L42"])])
    result = star_stock_quants(raw).select("quant_id", "lot_id", "quantity").sort("lot_id").rows()
    assert result == [(2, 41, 3.0), (4, 42, 6.0)]


def test_a_day_not_over_keeps_the_quants_as_read():
    raw = raw_frame([snapshot(False), *LOCATIONS, quant(1, 5, 8, 10.0), quant(2, 5, 8, 1.0)])
    result = star_stock_quants(raw)
    assert rows(result) == [(1, 5, 8, 10.0), (2, 5, 8, 1.0)]
    assert result["reserved_quantity"].to_list() == [1.0, 1.0]
    assert result["reconstructed"].to_list() == [False, False]
    assert set(result.columns) == set(FACT_STOCK_QUANTS.schema.names)


# ---------------------------------------------------------------- through odoorpc against the simulator

from datetime import UTC, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402

from functions.extract import run_extract  # noqa: E402
from functions.extract.stock_quants import fetch_snapshot  # noqa: E402
from functions.transform import run_transform  # noqa: E402
from shared.dates import today  # noqa: E402
from shared.errors import InputError  # noqa: E402
from shared.lake import open_lake  # noqa: E402
from shared.odoo import connect  # noqa: E402
from shared.odoo_sim import OdooSimulator, SimConfig  # noqa: E402
from shared.schemas import FACT_INVENTORY_MOVES  # noqa: E402
from tests.odoo_helpers import sim_settings  # noqa: E402

KEY = ["product_id", "location_id", "lot_id"]


def run_days(settings, lake, days, targets=("stock-quants", "inventory-moves")):
    with connect(settings) as odoo:
        for day in days:
            assert all(r.ok for r in run_extract(settings, lake, day, list(targets), odoo))
            assert all(r.ok for r in run_transform(settings, lake, day, list(targets)))


def on_hand(lake, day) -> pl.DataFrame:
    star = pl.from_arrow(lake.read_partition(FACT_STOCK_QUANTS, day))
    return star.group_by(KEY).agg(pl.col("quantity").sum())


def internal_effect(lake, day, internal: set[int]) -> pl.DataFrame:
    """What the day's done moves did to each internal (product, location, lot)."""
    moves = pl.from_arrow(lake.read_partition(FACT_INVENTORY_MOVES, day))
    into = moves.filter(pl.col("location_dest_id").is_in(list(internal))).select(
        "product_id", pl.col("location_dest_id").alias("location_id"), "lot_id", pl.col("quantity")
    )
    out_of = moves.filter(pl.col("location_id").is_in(list(internal))).select(
        "product_id", "location_id", "lot_id", -pl.col("quantity")
    )
    return pl.concat([into, out_of]).group_by(KEY).agg(pl.col("quantity").sum())


@pytest.mark.parametrize("version", ["17.0", "16.0", "19.0"])
def test_past_days_chain_with_the_moves_between_them(version, tmp_path):
    with OdooSimulator(SimConfig(seed=4, lines_per_day=40, days=3, version=version)).start() as sim:
        settings = sim_settings(sim, str(tmp_path))
        lake = open_lake(str(tmp_path))
        day = sim.last_day - timedelta(days=1)
        run_days(settings, lake, [day - timedelta(days=1), day])
        with connect(settings) as odoo:
            internal = set(odoo.search_ids("stock.location", [("usage", "=", "internal")]))
    before, after = on_hand(lake, day - timedelta(days=1)), on_hand(lake, day)
    moved = internal_effect(lake, day, internal)
    assert moved.height > 0
    chained = (
        pl.concat([before, moved]).group_by(KEY).agg(pl.col("quantity").sum()).filter(pl.col("quantity").abs() > 1e-6)
    )
    expected = sorted(after.filter(pl.col("quantity").abs() > 1e-6).rows(), key=str)
    result = sorted(chained.rows(), key=str)
    assert [r[:3] for r in result] == [e[:3] for e in expected]
    assert [r[3] for r in result] == pytest.approx([e[3] for e in expected])
    star = pl.from_arrow(lake.read_partition(FACT_STOCK_QUANTS, day))
    assert star["reconstructed"].all()
    assert star["as_of"].unique().to_list() == [datetime(day.year, day.month, day.day, 17, tzinfo=UTC)]
    assert star["reserved_quantity"].null_count() == star.height  # past reservations are unknown


def test_last_day_rebuilt_equals_the_current_quants(tmp_path):
    with OdooSimulator(SimConfig(seed=4, lines_per_day=40, days=2)).start() as sim:
        settings = sim_settings(sim, str(tmp_path))
        lake = open_lake(str(tmp_path))
        run_days(settings, lake, [sim.last_day], ("stock-quants",))
        with connect(settings) as odoo:
            internal = odoo.search_ids("stock.location", [("usage", "=", "internal")])
            quants = odoo.search_read_all("stock.quant", [("location_id", "in", internal)], ["quantity"])
    assert on_hand(lake, sim.last_day)["quantity"].sum() == pytest.approx(sum(q["quantity"] for q in quants))


def test_today_is_a_plain_snapshot_and_a_future_day_is_refused(tmp_path):
    with OdooSimulator(SimConfig(seed=4, lines_per_day=20, days=1)).start() as sim:
        settings = sim_settings(sim, str(tmp_path))
        now = clock.now()
        local_today = today(settings.business_tz, now)
        with connect(settings) as odoo:
            records = fetch_snapshot(odoo, local_today, settings.business_tz, now=now)
            with pytest.raises(InputError, match="is in the future"):
                fetch_snapshot(odoo, local_today + timedelta(days=1), settings.business_tz, now=now)
    snapshot = records["_snapshot"][0]
    assert snapshot["reconstructed"] is False
    assert snapshot["as_of"] == now.strftime("%Y-%m-%d %H:%M:%S")
    assert "stock.move.line" not in records
    assert records["stock.quant"]


# ---------------------------------------------------------------- later moves from the lake

from collections import Counter  # noqa: E402

from functions.extract import raw_spec, raw_table  # noqa: E402
from tests.odoo_helpers import calls_delta  # noqa: E402

LINE_READ = ("stock.move.line", "search_read")


def snapshot_star(records: dict) -> pl.DataFrame:
    return star_stock_quants(pl.from_arrow(raw_table(records)))


def fetch_counting(odoo, day, tz, now, lake=None):
    before = Counter(odoo.calls)
    records = fetch_snapshot(odoo, day, tz, now=now, lake=lake)
    return records, calls_delta(odoo.calls, before)


@pytest.fixture(scope="module")
def moves_lake(tmp_path_factory):
    """A simulator of 6 days and a lake holding the raw inventory moves of every one of them."""
    root = tmp_path_factory.mktemp("moves-lake")
    with OdooSimulator(SimConfig(seed=5, lines_per_day=40, days=6)).start() as sim:
        settings = sim_settings(sim, str(root), odoo_batch_size=10)
        lake = open_lake(str(root))
        with connect(settings) as odoo:
            day = sim.first_day
            while day <= sim.last_day:
                assert all(r.ok for r in run_extract(settings, lake, day, ["inventory-moves"], odoo))
                day += timedelta(days=1)
        yield sim, settings, lake


def test_a_far_day_reads_no_more_from_odoo_than_a_near_one_when_the_lake_has_the_later_days(moves_lake):
    sim, settings, lake = moves_lake
    tz, now = settings.business_tz, clock.now()
    near, far = sim.last_day - timedelta(days=1), sim.first_day
    with connect(settings) as odoo:
        odoo_only = {day: fetch_counting(odoo, day, tz, now) for day in (near, far)}
        from_lake = {day: fetch_counting(odoo, day, tz, now, lake) for day in (near, far)}
    # without the lake the pages of later lines grow with the distance to today; with it they do not
    assert odoo_only[far][1][LINE_READ] > odoo_only[near][1][LINE_READ] + 3
    assert from_lake[far][1] == from_lake[near][1]
    assert from_lake[far][1][LINE_READ] == 2  # the check's one-line read (latest write_date), today's part
    assert from_lake[far][1][("stock.move.line", "search_count")] == 1
    for day in (near, far):
        expected, result = odoo_only[day][0], from_lake[day][0]
        assert result["stock.move.line"] == expected["stock.move.line"]
        assert len(result["stock.move.line"]) > 0
        assert snapshot_star(result).equals(snapshot_star(expected))


def test_an_earlier_snapshot_in_the_lake_serves_the_next_day_of_a_backfill(moves_lake, tmp_path):
    sim, settings, _ = moves_lake
    tz, now = settings.business_tz, clock.now()
    lake = open_lake(str(tmp_path))  # no inventory moves: only the quant snapshot of the day before
    first, second = sim.first_day, sim.first_day + timedelta(days=1)
    with connect(settings) as odoo:
        records, _ = fetch_counting(odoo, first, tz, now)
        lake.write_partition(raw_spec("stock_quants"), first, raw_table(records))
        expected, odoo_calls = fetch_counting(odoo, second, tz, now)
        result, lake_calls = fetch_counting(odoo, second, tz, now, lake)
    # read at the same `now`, the snapshot before holds every later line: only the check's read is left
    assert lake_calls[LINE_READ] == 1 < odoo_calls[LINE_READ]
    assert result["stock.move.line"] == expected["stock.move.line"]


def test_a_lake_that_differs_from_odoo_is_not_used(moves_lake, tmp_path):
    import pyarrow as pa
    import pyarrow.compute as pc

    sim, settings, full_lake = moves_lake
    tz, now = settings.business_tz, clock.now()
    lake = open_lake(str(tmp_path))
    spec = raw_spec("inventory_moves")
    for day in full_lake.list_dates(spec):
        lake.write_partition(spec, day, full_lake.read_partition(spec, day))
    # one later day lost a move line (as if it had been extracted before a backdated move was validated)
    stale_day = sim.last_day - timedelta(days=1)
    table = lake.read_partition(spec, stale_day)
    first_line = pc.index(table.column("model"), "stock.move.line").as_py()
    lake.write_partition(spec, stale_day, pa.concat_tables([table.slice(0, first_line), table.slice(first_line + 1)]))
    with connect(settings) as odoo:
        expected, odoo_calls = fetch_counting(odoo, sim.first_day, tz, now)
        result, lake_calls = fetch_counting(odoo, sim.first_day, tz, now, lake)
    assert result["stock.move.line"] == expected["stock.move.line"]
    assert lake_calls[LINE_READ] == odoo_calls[LINE_READ] + 1  # the check's one-line read, then all of it
    assert lake_calls[("stock.move.line", "search_count")] == 1


def test_of_two_copies_of_a_line_in_the_lake_the_later_written_one_is_used(moves_lake, tmp_path):
    import json as jsonlib

    import pyarrow as pa

    sim, settings, full_lake = moves_lake
    tz, now = settings.business_tz, clock.now()
    lake = open_lake(str(tmp_path))
    spec = raw_spec("inventory_moves")
    first, second = sim.first_day, sim.first_day + timedelta(days=1)
    for day in full_lake.list_dates(spec):
        table = full_lake.read_partition(spec, day)
        if day == second + timedelta(days=1):
            # an older copy of one line, with another quantity: as if extracted before an edit
            records = table.column("record").to_pylist()
            index = table.column("model").to_pylist().index("stock.move.line")
            stale = jsonlib.loads(records[index])
            stale.update(write_date="2000-01-01 00:00:00", quantity=999.0)
            records[index] = jsonlib.dumps(stale)
            table = table.set_column(table.schema.get_field_index("record"), "record", pa.array(records))
        lake.write_partition(spec, day, table)
    with connect(settings) as odoo:
        earlier, _ = fetch_counting(odoo, first, tz, now)  # holds the current copy of every later line
        lake.write_partition(raw_spec("stock_quants"), first, raw_table(earlier))
        expected, _ = fetch_counting(odoo, second, tz, now)
        result, lake_calls = fetch_counting(odoo, second, tz, now, lake)
    assert lake_calls[LINE_READ] == 1  # the lake was used (only the check's read)
    assert result["stock.move.line"] == expected["stock.move.line"]
