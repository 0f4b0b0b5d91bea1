"""The pos target end to end through the real odoorpc client against the simulator:
simulator → raw → clean → star (fact_sales, fact_pos_payments), window edges at 00:00 local time,
states, refunds, batching call counts, a failure midway, reruns, Odoo 16 and JSON-2 (Odoo 19)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from functions.extract import raw_records, raw_spec, run_extract
from functions.transform import run_transform
from shared.errors import TransientError
from shared.lake import open_lake
from shared.metadata import Metadata
from shared.odoo import OdooAccessDenied, connect
from shared.odoo_sim import OdooSimulator, SimConfig
from shared.schemas import FACT_POS_PAYMENTS, FACT_SALES
from tests.odoo_helpers import sim_settings

TZ = "Asia/Jakarta"
KEPT_STATES = {"paid", "done", "invoiced"}


def local_day(utc_text: str):
    return datetime.strptime(utc_text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).astimezone(ZoneInfo(TZ)).date()


@pytest.fixture(scope="module")
def sim():
    with OdooSimulator(SimConfig(seed=5, lines_per_day=80, days=4)).start() as server:
        yield server


@pytest.fixture()
def fresh_sim():
    """A simulator of its own for tests that edit data."""
    with OdooSimulator(SimConfig(seed=6, lines_per_day=60, days=3, end_day=None)).start() as server:
        yield server


def pipeline(sim, tmp_path, **changes):
    settings = sim_settings(sim, str(tmp_path / "lake"), **changes)
    return settings, open_lake(settings.data_lake_root), connect(settings)


def run_day(settings, lake, odoo, day, targets=("pos",)):
    extracted = run_extract(settings, lake, day, targets, odoo)
    transformed = run_transform(settings, lake, day, targets)
    return extracted, transformed


def fact(lake, spec, day) -> pl.DataFrame:
    return pl.from_arrow(lake.read_partition(spec, day))


def test_pos_day_end_to_end_matches_an_independent_reading_of_odoo(sim, tmp_path):
    settings, lake, odoo = pipeline(sim, tmp_path)
    day = sim.last_day - timedelta(days=1)
    with odoo:
        extracted, transformed = run_day(settings, lake, odoo, day)
        # independent oracle: every order of a wide range, filtered here by state and local day
        start, end = (day - timedelta(days=2)).isoformat(), (day + timedelta(days=2)).isoformat()
        wide = odoo.search_read_all(
            "pos.order", [("date_order", ">=", start), ("date_order", "<", end)], ["date_order", "state"]
        )
        expected_orders = {o["id"] for o in wide if o["state"] in KEPT_STATES and local_day(o["date_order"]) == day}
        expected_lines = odoo.search_read_all(
            "pos.order.line", [("order_id", "in", sorted(expected_orders))], ["qty", "price_subtotal_incl"]
        )
    assert [r.status for r in extracted + transformed] == ["success", "success"]
    sales = fact(lake, FACT_SALES, day)
    assert set(sales["order_id"].to_list()) <= expected_orders
    assert sorted(sales["line_id"].to_list()) == sorted(line["id"] for line in expected_lines)
    assert sales["date"].unique().to_list() == [day]
    assert sales["revenue_tax_in"].sum() == pytest.approx(sum(line["price_subtotal_incl"] for line in expected_lines))
    assert sales["line_id"].is_unique().all()
    payments = fact(lake, FACT_POS_PAYMENTS, day)
    assert set(payments["order_id"].to_list()) <= expected_orders
    assert payments.height > 0
    # refunds are negative in Odoo and stay so
    refunds = [line for line in expected_lines if line["qty"] < 0]
    assert refunds, "the simulator's day should hold a refund"
    assert sales.filter(pl.col("quantity") < 0)["revenue_tax_in"].max() <= 0


def test_window_edges_at_local_midnight_and_states(fresh_sim, tmp_path):
    day = fresh_sim.last_day - timedelta(days=1)
    settings, lake, odoo = pipeline(fresh_sim, tmp_path)
    with odoo:
        ids = odoo.search_ids("pos.order", [("state", "in", ["paid", "done"])])[:6]
        start = datetime.combine(day, datetime.min.time(), ZoneInfo(TZ)).astimezone(UTC)
        utc = lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
        edits = {
            ids[0]: {"date_order": utc(start)},  # D 00:00:00 local: in D
            ids[1]: {"date_order": utc(start + timedelta(days=1))},  # D+1 00:00:00 local: not in D
            ids[2]: {"date_order": utc(start - timedelta(seconds=1))},  # D-1 23:59:59 local: not in D
            ids[3]: {"date_order": utc(start + timedelta(hours=3)), "state": "cancel"},
            ids[4]: {"date_order": utc(start + timedelta(hours=3)), "state": "draft"},
            ids[5]: {"date_order": utc(start + timedelta(hours=3)), "state": "invoiced"},
        }
        for order_id, values in edits.items():
            fresh_sim.write("pos.order", order_id, values)
        for target_day in (day - timedelta(days=1), day, day + timedelta(days=1)):
            run_day(settings, lake, odoo, target_day)
    orders_of = {d: set(fact(lake, FACT_SALES, d)["order_id"].to_list())
                 for d in (day - timedelta(days=1), day, day + timedelta(days=1))}
    assert ids[0] in orders_of[day] and ids[5] in orders_of[day]
    assert ids[1] in orders_of[day + timedelta(days=1)] and ids[1] not in orders_of[day]
    assert ids[2] in orders_of[day - timedelta(days=1)] and ids[2] not in orders_of[day]
    assert not {ids[3], ids[4]} & set().union(*orders_of.values())


def test_batching_call_counts_are_recorded(sim, tmp_path):
    settings, lake, odoo = pipeline(sim, tmp_path, odoo_batch_size=5)
    day = sim.last_day
    with odoo:
        orders = odoo.search_count("pos.order", [("state", "in", sorted(KEPT_STATES))])
        before = Counter(odoo.calls)
        [result] = run_extract(settings, lake, day, ["pos"], odoo)
        made = Counter(odoo.calls)
        made.subtract(before)
    n_orders = result.rows["pos.order"]
    n_lines = result.rows["pos.order.line"]
    assert 0 < n_orders < orders
    # orders paged by 5; lines read per chunk of 5 order ids, each chunk paged by 5
    assert made[("pos.order", "search_read")] == n_orders // 5 + 1
    chunks = -(-n_orders // 5)
    assert chunks <= made[("pos.order.line", "search_read")] <= chunks + n_lines // 5
    assert made[("pos.order.line", "search_read")] < n_orders  # never one call per order
    record = Metadata(lake).last_run("extract", "pos", day)
    assert record.calls["pos.order.search_read"] == made[("pos.order", "search_read")]
    assert record.calls["total"] == sum(made.values())
    assert lake.read_partition(raw_spec("pos"), day).num_rows == sum(record.rows.values())
    assert record.extra["reconciliation"]["ok"] is True


def test_failure_midway_leaves_the_previous_partition_and_watermark(fresh_sim, tmp_path):
    settings, lake, odoo = pipeline(fresh_sim, tmp_path, odoo_max_retries=1)
    day = fresh_sim.last_day
    metadata = Metadata(lake)
    with odoo:
        run_extract(settings, lake, day - timedelta(days=1), ["pos"], odoo)
        run_extract(settings, lake, day, ["pos"], odoo)
        before = lake.read_partition(raw_spec("pos"), day)
        watermark = metadata.get_watermark("extract", "pos")
        order_id = odoo.search_ids("pos.order", [("state", "=", "paid")])[-1]
        fresh_sim.write("pos.order", order_id, {"amount_total": 12345.0})
        fresh_sim.inject_fault("pos.payment", "search_read", nth=1, kind="502", times=10)
        with pytest.raises(TransientError, match="502"):
            run_extract(settings, lake, day, ["pos"], odoo)
        assert lake.read_partition(raw_spec("pos"), day).equals(before)
        assert metadata.get_watermark("extract", "pos") == watermark
        assert metadata.last_run("extract", "pos", day).status == "failed"
        # a day never extracted gets no partition at all
        new_day = day - timedelta(days=2)
        fresh_sim.inject_fault("pos.payment", "search_read", nth=1, kind="502", times=10)
        with pytest.raises(TransientError):
            run_extract(settings, lake, new_day, ["pos"], odoo)
        assert lake.read_partition(raw_spec("pos"), new_day) is None


def test_a_rerun_gives_the_same_rows_once(sim, tmp_path):
    settings, lake, odoo = pipeline(sim, tmp_path)
    day = sim.first_day
    with odoo:
        run_day(settings, lake, odoo, day)
        first = fact(lake, FACT_SALES, day)
        run_day(settings, lake, odoo, day)
    second = fact(lake, FACT_SALES, day)
    assert first.equals(second)
    assert second["line_id"].is_unique().all()


def test_odoo_16_18_and_json2_modes_give_the_same_facts(sim, tmp_path):
    """Same seed and days on 16 (older field names), 18 and 19 (JSON-2) as on 17: identical facts."""
    config = dict(seed=5, lines_per_day=80, days=4)
    day = sim.last_day - timedelta(days=2)
    frames = {}
    targets = ("pos", "invoice-sales", "purchases")
    for version in ("16.0", "18.0", "19.0"):
        with OdooSimulator(SimConfig(version=version, **config)).start() as other:
            settings, lake, odoo = pipeline(other, tmp_path / version)
            with odoo:
                run_day(settings, lake, odoo, day, targets=targets)
            frames[version] = fact(lake, FACT_SALES, day)
            for target in targets:  # read_group on 16-18, formatted_read_group on 19
                assert Metadata(lake).last_run("extract", target, day).extra["reconciliation"]["ok"] is True
    settings, lake, odoo = pipeline(sim, tmp_path / "17.0")
    with odoo:
        run_day(settings, lake, odoo, day)
    expected = fact(lake, FACT_SALES, day)
    assert expected.height > 0
    for version in ("16.0", "18.0", "19.0"):
        assert frames[version].equals(expected), version


def test_a_transient_fault_mid_extraction_is_retried_and_changes_nothing(sim, tmp_path):
    settings, lake, odoo = pipeline(sim, tmp_path, odoo_batch_size=5)
    day = sim.last_day - timedelta(days=1)
    with odoo:
        run_extract(settings, lake, day, ["pos"], odoo)
        clean = lake.read_partition(raw_spec("pos"), day)
        sim.inject_fault("pos.order.line", "search_read", nth=2, kind="502", times=1)
        sim.inject_fault("pos.payment", "search_read", nth=1, kind="timeout", times=1)
        settings_short = settings.replace(odoo_timeout=1.0)
        with connect(settings_short) as impatient:
            [result] = run_extract(settings_short, lake, day, ["pos"], impatient)
    assert result.status == "success"
    assert lake.read_partition(raw_spec("pos"), day).equals(clean)


def test_a_revoked_key_fails_with_one_clear_line_and_no_key_in_the_record(fresh_sim, tmp_path):
    settings, lake, odoo = pipeline(fresh_sim, tmp_path)
    day = fresh_sim.last_day
    with odoo:
        fresh_sim.revoke_key()
        with pytest.raises(OdooAccessDenied) as info:
            run_extract(settings, lake, day, ["pos"], odoo)
    assert "\n" not in str(info.value)
    record = Metadata(lake).last_run("extract", "pos", day)
    assert record.status == "failed" and "OdooAccessDenied" in record.error
    assert settings.odoo_api_key.reveal() not in json.dumps(record.to_dict())
    assert lake.read_partition(raw_spec("pos"), day) is None


def test_raw_keeps_the_records_exactly_as_odoo_returned_them(sim, tmp_path):
    settings, lake, odoo = pipeline(sim, tmp_path)
    day = sim.first_day + timedelta(days=1)
    with odoo:
        run_extract(settings, lake, day, ["pos"], odoo)
        raw_orders = raw_records(lake, "pos", day, "pos.order")
        raw_lines = raw_records(lake, "pos", day, "pos.order.line")
        fields = sorted({key for order in raw_orders for key in order} - {"id"})
        line_fields = sorted({key for line in raw_lines for key in line} - {"id"})
        expected_orders = odoo.search_read_all("pos.order", [("id", "in", [o["id"] for o in raw_orders])], fields)
        expected_lines = odoo.search_read_all(
            "pos.order.line", [("order_id", "in", [o["id"] for o in raw_orders])], line_fields
        )
    assert raw_orders == expected_orders
    assert raw_lines == expected_lines
    assert isinstance(raw_orders[0]["company_id"], list)  # many2one kept as [id, name]
    assert any(order["partner_id"] is False for order in raw_orders)  # false kept as false
