"""The intraday refresh (functions.pipeline.run_days(..., intraday=True)) through a simulated day.

The simulator runs live (`SimConfig(live=True)`): POS orders and bills exist from their create_date
on, so as the pinned clock walks through store hours every 30-minute run sees more of today. Each run
replaces today's partitions and the provisional KPI rows; the nightly run turns the day final; no
watermark moves before it, and catch-up and health never count a provisional day as processed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from functions.catchup import plan_catch_up, processed_days, read_watermarks, required_runs
from functions.health import freshness, intraday_line
from functions.kpi.store import open_store
from functions.pipeline import INTRADAY_TARGETS, STAGES, TARGETS, run_days
from shared import clock
from shared.errors import InputError, NkpipeError
from shared.lake import open_lake
from shared.metadata import Metadata
from shared.odoo_sim import OdooSimulator, SimConfig
from shared.schemas import FACT_SALES

D = date(2026, 11, 20)  # a Friday; D - 7 is the same weekday last week
LAST_WEEK = D - timedelta(days=7)
STORE_OPEN_UTC = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 WIB
NIGHTLY_UTC = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)  # 02:00 WIB on D + 1


@pytest.fixture(scope="module")
def live_sim():
    with OdooSimulator(
        SimConfig(seed=19, lines_per_day=120, days=8, end_day=D, purchase_history_days=20, live=True)
    ) as sim:
        yield sim


@pytest.fixture
def world(live_sim, tmp_path):
    from functions.demo import demo_settings
    from functions.kpi import load_ops_into

    settings = demo_settings(
        str(tmp_path / "lake"), live_sim.port, kpi_duckdb_path=str(tmp_path / "kpi.duckdb")
    )
    load_ops_into(settings, [LAST_WEEK, D - timedelta(days=1), D])
    lake = open_lake(settings.data_lake_root, 0)
    # The nightly runs before today: last week's same weekday and yesterday.
    with clock.frozen(datetime(2026, 11, 19, 20, 0, tzinfo=UTC)):
        run_days(settings, lake, [LAST_WEEK, D - timedelta(days=1)], STAGES, TARGETS)
    return settings, lake


def pos_lines_until(sim: OdooSimulator, moment: datetime) -> set[int]:
    """The POS line ids of D that Odoo holds at `moment` (created by then, of a paid/done order)."""
    cutoff = moment.strftime("%Y-%m-%d %H:%M:%S")
    with clock.frozen(NIGHTLY_UTC + timedelta(days=1)):  # the whole day, whatever the real date
        return _lines_created_by(sim, cutoff)


def _lines_created_by(sim: OdooSimulator, cutoff: str) -> set[int]:
    orders = {
        o["id"]
        for o in sim.records("pos.order", D)
        if o["create_date"] <= cutoff and o["state"] in ("paid", "done", "invoiced")
    }
    return {ln["id"] for ln in sim.records("pos.order.line", D) if ln["order_id"] in orders}


def sales_rows(settings, table: str, day: date) -> list[dict]:
    with open_store(settings) as store:
        return store.query_dicts(f"SELECT * FROM {table} WHERE data_date = :day", {"day": day})


def watermarks(lake) -> dict:
    return Metadata(lake).watermarks()


def is_processed(lake, day: date) -> bool:
    """Whether catch-up counts `day` as processed, even judged only by what an intraday run covers."""
    metadata = Metadata(lake)
    required = required_runs(INTRADAY_TARGETS)
    return day in processed_days(metadata, required, read_watermarks(metadata, required))[0]


def test_a_day_walked_through_store_hours_grows_provisionally_then_the_nightly_run_makes_it_final(
    world, live_sim
):
    settings, lake = world
    marks_before = watermarks(lake)
    assert marks_before[("extract", "pos")] == D - timedelta(days=1)
    seen_revenue: list[float] = []
    moment = STORE_OPEN_UTC
    runs = 0
    while moment <= datetime(2026, 11, 20, 14, 30, tzinfo=UTC):  # 08:00 .. 21:30 WIB, every 30 minutes
        with clock.frozen(moment):
            results = run_days(settings, lake, [D], STAGES, INTRADAY_TARGETS, intraday=True)
            report = freshness(settings, lake)
        runs += 1
        assert all(r.ok and r.provisional and r.as_of == moment.isoformat() for r in results)

        # today's partition holds exactly what Odoo had at that moment, replaced whole
        stored = lake.read_partition(FACT_SALES, D)
        expected_lines = pos_lines_until(live_sim, moment)
        assert set(stored.column("line_id").to_pylist()) == expected_lines
        assert stored.num_rows == len(expected_lines)

        # the provisional KPI rows: one daily row, hours only up to now, all marked as of now
        daily = sales_rows(settings, "sales_kpi_daily", D)
        hourly = sales_rows(settings, "sales_kpi_hourly", D)
        assert len(daily) == 1 and bool(daily[0]["provisional"]) is True
        assert bool(daily[0]["verified"]) is False  # a day that is not over is never "verified"
        assert daily[0]["as_of"] == moment.replace(tzinfo=None)
        assert all(bool(r["provisional"]) and r["as_of"] == moment.replace(tzinfo=None) for r in hourly)
        wib_hour = (moment + timedelta(hours=7)).hour
        assert all(r["hour"] <= wib_hour for r in hourly)
        pos_revenue = sum(float(r["revenue_tax_in"]) for r in hourly)
        seen_revenue.append(pos_revenue)
        # inventory and fleet of a day that is not over are the nightly run's business
        assert sales_rows(settings, "inventory_kpi_daily", D) == []

        # nothing counts today as done
        assert watermarks(lake) == marks_before
        assert not is_processed(lake, D)
        assert report["expected_day"] == (D - timedelta(days=1)).isoformat()
        assert report["datasets"]["pos"]["last_processed"] == (D - timedelta(days=1)).isoformat()
        assert (
            report["kpi_tables"]["sales_kpi_hourly"]["last_processed"] == (D - timedelta(days=1)).isoformat()
        )
        assert report["intraday"] == {
            "date": D.isoformat(),
            "as_of": moment.isoformat(),
            "age_minutes": 0.0,
            "run_id": report["intraday"]["run_id"],
            "final": False,
        }
        moment += timedelta(minutes=30)
    assert runs == 28
    assert seen_revenue[-1] > seen_revenue[0] > 0, "the day grows through store hours"

    # after closing, before the nightly run: health says how old the last refresh is, and catch-up
    # plans today as a day still to do
    with clock.frozen(datetime(2026, 11, 20, 18, 0, tzinfo=UTC)):  # 01:00 WIB on D + 1
        report = freshness(settings, lake)
        plan = plan_catch_up(settings, lake, connect_to(settings))
    assert report["intraday"]["age_minutes"] == 210.0
    assert intraday_line(report["intraday"]) == (
        "intraday refresh: 2026-11-20 as of 2026-11-20 14:30 UTC, 210 min ago (provisional until the nightly run)"
    )
    assert D in plan.new_days

    # the nightly run of D replaces every provisional partition and row and clears the mark
    with clock.frozen(NIGHTLY_UTC):
        results = run_days(settings, lake, [D], STAGES, TARGETS)
    assert not any(r.provisional for r in results)
    stored = lake.read_partition(FACT_SALES, D)
    assert set(stored.column("line_id").to_pylist()) == pos_lines_until(live_sim, NIGHTLY_UTC)
    daily = sales_rows(settings, "sales_kpi_daily", D)
    assert [bool(r["provisional"]) for r in daily] == [False]
    assert [bool(r["verified"]) for r in daily] == [True]  # the nightly run's checks passed
    assert daily[0]["as_of"] == datetime(2026, 11, 20, 17, 0)  # complete up to the end of D (UTC)
    hourly = sales_rows(settings, "sales_kpi_hourly", D)
    assert hourly and not any(bool(r["provisional"]) for r in hourly)
    assert sum(float(r["revenue_tax_in"]) for r in hourly) >= seen_revenue[-1]
    assert sales_rows(settings, "inventory_kpi_daily", D) != []
    assert watermarks(lake)[("extract", "pos")] == D
    assert is_processed(lake, D)
    with clock.frozen(NIGHTLY_UTC):
        report = freshness(settings, lake)
    assert report["datasets"]["pos"]["last_processed"] == D.isoformat()
    assert report["intraday"]["final"] is True
    assert intraday_line(report["intraday"]).endswith("(final since the nightly run)")


def connect_to(settings):
    from shared.odoo import connect

    return connect(settings)


def test_last_week_has_its_hourly_shape_from_the_nightly_run(world):
    settings, _lake = world
    hourly = sales_rows(settings, "sales_kpi_hourly", LAST_WEEK)
    daily = sales_rows(settings, "sales_kpi_daily", LAST_WEEK)
    assert hourly and not any(bool(r["provisional"]) for r in hourly)
    assert {r["config_id"] for r in hourly} >= {1}
    assert all(0 <= r["hour"] <= 23 for r in hourly)
    # POS only: the hours add up to at most the day (which has the invoices too)
    assert sum(float(r["revenue_tax_in"]) for r in hourly) <= float(daily[0]["revenue_tax_in"]) + 0.01


def test_a_failed_intraday_run_keeps_the_previous_refresh_and_moves_nothing(world, live_sim):
    settings, lake = world
    first = STORE_OPEN_UTC + timedelta(hours=2)
    with clock.frozen(first):
        run_days(settings, lake, [D], STAGES, INTRADAY_TARGETS, intraday=True)
    before = sales_rows(settings, "sales_kpi_daily", D)
    live_sim.inject_fault("pos.order", kind="access_denied")
    try:
        with clock.frozen(first + timedelta(minutes=30)), pytest.raises(NkpipeError, match="(?i)access"):
            run_days(settings, lake, [D], STAGES, INTRADAY_TARGETS, intraday=True)
    finally:
        live_sim.clear_faults()
    assert sales_rows(settings, "sales_kpi_daily", D) == before
    assert Metadata(lake).last_intraday()["as_of"] == first.isoformat()
    assert not list((lake.store.root / "metadata" / "locks").glob("*.lock"))


def test_an_intraday_run_is_for_today_only(world):
    settings, lake = world
    with clock.frozen(STORE_OPEN_UTC), pytest.raises(InputError, match="today's business day only"):
        run_days(settings, lake, [D - timedelta(days=1)], STAGES, INTRADAY_TARGETS, intraday=True)


def test_an_intraday_run_and_a_run_of_the_same_day_never_interleave(world):
    from shared.errors import LockedError

    settings, lake = world
    with clock.frozen(STORE_OPEN_UTC):
        with lake.lock(f"profit.profit.{D.isoformat()}", owner="a-nightly-rerun"):
            with pytest.raises(LockedError, match="already running: profit.profit"):
                run_days(settings, lake, [D], STAGES, INTRADAY_TARGETS, intraday=True)
    # it stopped before its first stage: nothing of today was extracted
    assert lake.read_partition(FACT_SALES, D) is None


def hari_ini_paths(today: date) -> list[str]:
    """The PostgREST reads the dashboard's "Hari Ini" refresh makes (apps_script/src/today.js), from
    the script itself run in Node on the fakes."""
    import json
    import subprocess
    from pathlib import Path

    script = (
        "const { loadScript } = require('./test/support/sandbox');"
        "const s = loadScript({ now: '2026-11-20T07:35:00Z' });"
        "const size = s.global('REST_PAGE_SIZE');"
        f"const paths = s.call('todayQueries_', '{today.isoformat()}')"
        ".map((q) => s.call('buildRestPath_', q, q.limit || size, q.limit ? null : 0));"
        "process.stdout.write(JSON.stringify(paths));"
    )
    apps_script = Path(__file__).resolve().parents[1] / "apps_script"
    done = subprocess.run(["node", "-e", script], cwd=apps_script, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_hari_ini_reads_see_the_provisional_day_in_supabase_under_row_level_security(
    live_sim, tmp_path, supabase_db
):
    from functions.demo import demo_settings
    from functions.kpi import load_ops_into
    from shared.config import Secret
    from tests.fixtures.kpi import add_user
    from tests.test_apps_script_fixtures import run_as_user

    settings = demo_settings(
        str(tmp_path / "lake"),
        live_sim.port,
        kpi_duckdb_path=str(tmp_path / "kpi.duckdb"),
        supabase_db_url=Secret(supabase_db),
    )
    load_ops_into(settings, [LAST_WEEK])
    lake = open_lake(settings.data_lake_root, 0)
    with clock.frozen(datetime(2026, 11, 13, 20, 0, tzinfo=UTC)):
        run_days(settings, lake, [LAST_WEEK], STAGES, TARGETS)
    as_of = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # 14:30 WIB
    with clock.frozen(as_of):
        results = run_days(settings, lake, [D], STAGES, INTRADAY_TARGETS, intraday=True)
    assert [r.status for r in results if r.stage == "mirror"] == ["success"]

    import psycopg

    viewer, outsider = add_user(supabase_db, org_id=1), add_user(supabase_db, org_id=2)
    hourly_path, products_path = hari_ini_paths(D)
    with psycopg.connect(supabase_db, autocommit=True) as conn:
        hourly = run_as_user(conn, str(viewer), hourly_path)
        products = run_as_user(conn, str(viewer), products_path)
        assert run_as_user(conn, str(outsider), hourly_path) == []
    today = [r for r in hourly if r["data_date"] == D.isoformat()]
    week = [r for r in hourly if r["data_date"] == LAST_WEEK.isoformat()]
    assert today and week
    assert all(r["provisional"] is True and r["as_of"].startswith("2026-11-20T07:30:00") for r in today)
    assert all(r["provisional"] is False for r in week)
    assert max(r["hour"] for r in today) <= 14
    # what the sheet reads is what the KPI store holds
    stored = sales_rows(settings, "sales_kpi_hourly", D)
    assert sum(r["revenue_tax_in"] for r in today) == pytest.approx(sum(float(r["revenue_tax_in"]) for r in stored))
    assert 0 < len(products) <= 10
    assert [p["revenue_tax_in"] for p in products] == sorted((p["revenue_tax_in"] for p in products), reverse=True)
    assert all(p["provisional"] is True for p in products)
