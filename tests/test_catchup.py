"""Catch-up against the simulator through the real odoorpc client: missed days, a late edit, deleted
records, the lookback limit, and `nkpipe catch-up`."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from functions.catchup import plan_catch_up, run_catch_up
from functions.cli import main
from functions.pipeline import run_days
from shared.dates import yesterday
from shared.errors import LockedError
from shared.lake import open_lake
from shared.metadata import Metadata
from shared.odoo import connect
from shared.odoo_sim import OdooSimulator, SimConfig
from shared.schemas import FACT_INVENTORY_MOVES, FACT_INVOICE_SALES, FACT_SALES, FACT_SALES_LINES_PROFIT
from tests.odoo_helpers import sim_settings

TZ = "Asia/Jakarta"
# The simulator's newest day is the day before yesterday, so none of its records is written "later
# today" (late-night records get write_dates a little after their day); yesterday is a quiet day.
END_DAY = yesterday(TZ) - timedelta(days=1)


@pytest.fixture()
def setup(tmp_path):
    """A simulator with 3 days and a lake where the first two went through every stage."""
    with OdooSimulator(SimConfig(seed=17, lines_per_day=30, days=3, end_day=END_DAY, purchase_history_days=10)).start() as sim:
        settings = sim_settings(sim, str(tmp_path), kpi_duckdb_path=str(tmp_path / "kpi.duckdb"))
        lake = open_lake(str(tmp_path))
        days = [sim.first_day, sim.first_day + timedelta(days=1)]
        run_days(settings, lake, days)
        yield sim, settings, lake, days


def rows_of(lake, spec, day) -> pl.DataFrame:
    return pl.from_arrow(lake.read_partition(spec, day))


def test_missed_days_are_processed_then_nothing_is_left(setup):
    sim, settings, lake, days = setup
    with connect(settings) as odoo:
        plan = plan_catch_up(settings, lake, odoo)
        assert plan.last_full == days[-1]
        assert plan.new_days == [sim.last_day, sim.last_day + timedelta(days=1)]
        assert plan.changes == []
        with lake.lock("catch-up", "another-run"), pytest.raises(LockedError, match="already running: catch-up"):
            run_catch_up(settings, lake, odoo)
        report = run_catch_up(settings, lake, odoo)
        assert all(r.ok for r in report.results)
        after = plan_catch_up(settings, lake, odoo)
    assert (after.last_full, after.new_days, after.changes) == (yesterday(TZ), [], [])
    assert rows_of(lake, FACT_SALES, sim.last_day).height > 0


def test_late_edit_is_picked_up_with_profit_rerun(setup):
    sim, settings, lake, days = setup
    day = days[0]
    line = rows_of(lake, FACT_SALES, day).sort("line_id").row(0, named=True)
    sim.write("pos.order.line", line["line_id"], {"qty": 99.0})
    with connect(settings) as odoo:
        plan = plan_catch_up(settings, lake, odoo)
        assert [(c.day, c.target) for c in plan.changes] == [(day, "pos")]
        assert "pos.order.line written since the extraction" in plan.changes[0].reasons[0]
        run_catch_up(settings, lake, odoo)
        assert plan_catch_up(settings, lake, odoo).changes == []
    sales = rows_of(lake, FACT_SALES, day).filter(pl.col("line_id") == line["line_id"])
    assert sales["quantity"].to_list() == [99.0]
    profit = rows_of(lake, FACT_SALES_LINES_PROFIT, day).filter(
        (pl.col("source") == "pos") & (pl.col("line_id") == line["line_id"])
    )
    assert profit["quantity"].to_list() == [99.0]


def test_deleted_records_are_picked_up(setup):
    sim, settings, lake, days = setup
    moves = rows_of(lake, FACT_INVENTORY_MOVES, days[1])
    invoices = rows_of(lake, FACT_INVOICE_SALES, days[0])
    gone_line = moves["move_line_id"].min()
    gone_invoice = invoices["move_id"].min()
    sim.unlink("stock.move.line", [gone_line])
    sim.unlink("account.move", [gone_invoice])
    with connect(settings) as odoo:
        plan = plan_catch_up(settings, lake, odoo)
        changed = {(c.day, c.target): c.reasons for c in plan.changes}
        assert set(changed) == {(days[1], "inventory-moves"), (days[0], "invoice-sales")}
        assert changed[(days[1], "inventory-moves")] == ["1 stock.move.line gone from the day"]
        run_catch_up(settings, lake, odoo)
    assert gone_line not in rows_of(lake, FACT_INVENTORY_MOVES, days[1])["move_line_id"].to_list()
    assert rows_of(lake, FACT_INVENTORY_MOVES, days[1]).height == moves.height - 1
    assert gone_invoice not in rows_of(lake, FACT_INVOICE_SALES, days[0])["move_id"].to_list()


def test_changes_before_the_lookback_are_left_alone(setup):
    sim, settings, lake, days = setup
    line = rows_of(lake, FACT_SALES, days[0]).sort("line_id").row(0, named=True)
    sim.write("pos.order.line", line["line_id"], {"qty": 42.0})
    # the window is the last N days up to yesterday; the first day is N days back from there
    short = settings.replace(catchup_lookback_days=(yesterday(TZ) - days[0]).days)
    with connect(short) as odoo:
        plan = plan_catch_up(short, lake, odoo)
    assert days[0] not in plan.checked_days
    assert plan.changes == []


def test_nkpipe_catch_up_plan_prints_the_changes(setup, capsys, monkeypatch):
    sim, settings, lake, days = setup
    line = rows_of(lake, FACT_SALES, days[1]).sort("line_id").row(0, named=True)
    sim.write("pos.order.line", line["line_id"], {"discount": 50.0})
    environment = {
        "ODOO_HOST": "127.0.0.1", "ODOO_PORT": str(sim.port), "ODOO_DB": settings.odoo_db,
        "ODOO_USERNAME": settings.odoo_username, "ODOO_API_KEY": settings.odoo_api_key.reveal(),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code = main(["catch-up", "--plan", "--lake", settings.data_lake_root, "--env-file", "/nonexistent"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"last fully processed day: {days[1].isoformat()}" in out
    assert f"{days[1].isoformat()}  pos" in out
    assert rows_of(lake, FACT_SALES, days[1]).filter(pl.col("line_id") == line["line_id"])["discount"].to_list() == [
        line["discount"]
    ]  # --plan changes nothing


def test_a_failed_day_inside_the_window_is_run_again(setup):
    sim, settings, lake, days = setup
    metadata = Metadata(lake)
    metadata.fail(metadata.start("kpi", "kpi", days[0]), "TransientError: database is down")
    with connect(settings) as odoo:
        plan = plan_catch_up(settings, lake, odoo)
        assert plan.last_full == days[1]
        assert days[0] in plan.new_days and days[0] not in plan.checked_days
        run_catch_up(settings, lake, odoo)
        after = plan_catch_up(settings, lake, odoo)
    assert metadata.last_run("kpi", "kpi", days[0]).status == "success"
    assert after.new_days == []
