"""`nkpipe reset --to D` then `nkpipe catch-up`: the days from D are processed again, once, on a
demo-like lake over the simulator (real odoorpc client, every stage)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.catchup import plan_catch_up
from functions.cli import main
from functions.demo import demo_settings
from functions.pipeline import run_days
from shared.dates import days_between, yesterday
from shared.lake import open_lake
from shared.metadata import Metadata
from shared.odoo import connect
from shared.odoo_sim import OdooSimulator, SimConfig
from tests.fixtures.processed_lake import point_the_cli_at

TZ = "Asia/Jakarta"
# As in tests/test_catchup.py: the simulator's newest day is the day before yesterday, so no record
# is written "later today"; yesterday is a quiet day the pipeline still processes.
END_DAY = yesterday(TZ) - timedelta(days=1)


@pytest.fixture()
def processed(tmp_path, monkeypatch):
    """A simulator with 4 days and a lake where every day up to yesterday went through every stage."""
    config = SimConfig(seed=23, lines_per_day=12, days=4, end_day=END_DAY, purchase_history_days=6)
    with OdooSimulator(config).start() as sim:
        settings = demo_settings(str(tmp_path / "lake"), sim.port, kpi_duckdb_path=str(tmp_path / "kpi.duckdb"))
        lake = open_lake(settings.data_lake_root)
        days = days_between(sim.first_day, yesterday(TZ))
        assert all(result.ok for result in run_days(settings, lake, days))
        point_the_cli_at(sim, settings, monkeypatch, tmp_path)
        yield sim, settings, lake, days


def extract_attempts(lake, target: str, day) -> int:
    return len(Metadata(lake).history("extract", target, day))


def test_reset_then_catch_up_reprocesses_from_the_day_once(processed, capsys):
    sim, settings, lake, days = processed
    with connect(settings) as odoo:
        before = plan_catch_up(settings, lake, odoo)
    assert (before.last_full, before.new_days, before.changes) == (days[-1], [], [])

    reset_day = days[2]
    again = days[2:]
    assert main(["reset", "--to", reset_day.isoformat(), "--yes"]) == 0
    assert Metadata(lake).get_watermark("extract", "pos") == reset_day - timedelta(days=1)
    capsys.readouterr()

    assert main(["catch-up", "--plan"]) == 0
    out = capsys.readouterr().out
    assert f"last fully processed day: {days[1].isoformat()}" in out
    assert "new days: " + ", ".join(d.isoformat() for d in again) in out

    assert main(["catch-up"]) == 0
    capsys.readouterr()
    expected = {day: (2 if day in again else 1) for day in days}
    result = {day: extract_attempts(lake, "pos", day) for day in days}
    assert result == expected
    assert {day: len(Metadata(lake).history("mirror", "mirror", day)) for day in days} == expected
    # the re-runs really read Odoo again
    assert all(Metadata(lake).last_run("extract", "pos", day).calls["total"] > 0 for day in again)
    assert Metadata(lake).get_watermark("extract", "pos") == days[-1]

    assert main(["catch-up"]) == 0
    out = capsys.readouterr().out
    assert "new days: none" in out
    assert f"last fully processed day: {days[-1].isoformat()}" in out
    assert {day: extract_attempts(lake, "pos", day) for day in days} == expected


def test_a_reset_of_one_target_reprocesses_from_its_day(processed):
    sim, settings, lake, days = processed
    reset_day = days[-2]
    assert main(["reset", "--to", reset_day.isoformat(), "--targets", "purchases", "--yes"]) == 0
    marks = Metadata(lake).watermarks()
    assert marks[("extract", "purchases")] == reset_day - timedelta(days=1)
    assert marks[("extract", "pos")] == days[-1]  # other targets untouched
    with connect(settings) as odoo:
        plan = plan_catch_up(settings, lake, odoo)
    assert plan.new_days == days[-2:]
