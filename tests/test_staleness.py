"""Lineage-aware freshness (functions/staleness.py, shared/lineage.py): an upstream rerun makes the days
below it stale; `nkpipe run` says so with the one command that refreshes them, `health` and
`catch-up --plan` list them, and `catch-up` re-runs exactly the stages below the change.

A demo-like lake over the simulator (real odoorpc client, every stage), the clock pinned."""

from __future__ import annotations

from datetime import date

from functions.catchup import plan_catch_up
from functions.cli import main
from functions.health import health_report
from functions.pipeline import run_days
from functions.staleness import Refresh, find_stale, refresh_command, refreshes
from shared.lineage import StaleOutput
from shared.metadata import Metadata
from shared.odoo import connect
from shared.schemas import FACT_SALES
from tests.fixtures.processed_lake import DAYS  # the fixture `processed` comes from that plugin


def runs_of(lake, stage: str, dataset: str) -> dict[date, int]:
    return {day: len(Metadata(lake).history(stage, dataset, day)) for day in DAYS}


def test_an_upstream_rerun_is_found_stale_and_catch_up_reruns_only_the_stages_below(processed, capsys):
    sim, settings, lake = processed
    assert find_stale(lake) == []
    assert health_report(settings, lake)["status"] == "fresh"

    assert main(["run", "--date", "2026-11-30", "--to", "2026-12-01", "--stages", "extract,transform",
                 "--targets", "pos"]) == 0
    out = capsys.readouterr().out
    assert "stale: profit of 2026-11-30, 2026-12-01 (older than its inputs)" in out
    assert "refresh them with: nkpipe run --date 2026-11-30 --to 2026-12-01 --stages profit,kpi,mirror" in out

    report = health_report(settings, lake)
    assert (report["status"], report["ok"]) == ("stale", False)
    assert report["datasets"]["profit"]["status"] == "stale"
    assert report["datasets"]["profit"]["stale_days"] == ["2026-11-30", "2026-12-01"]
    assert report["datasets"]["pos"]["status"] == "fresh"

    assert main(["catch-up", "--plan"]) == 0
    out = capsys.readouterr().out
    assert "new days: none" in out
    assert "re-run profit,kpi,mirror for 2026-11-30, 2026-12-01" in out

    profit_before, extract_before = runs_of(lake, "profit", "profit"), runs_of(lake, "extract", "pos")
    assert main(["catch-up"]) == 0
    capsys.readouterr()
    again = {date(2026, 11, 30), date(2026, 12, 1)}
    assert runs_of(lake, "profit", "profit") == {d: n + (d in again) for d, n in profit_before.items()}
    assert runs_of(lake, "kpi", "kpi") == {d: 1 + (d in again) for d in DAYS}
    assert runs_of(lake, "extract", "pos") == extract_before  # nothing above the change ran again
    assert find_stale(lake) == []
    assert health_report(settings, lake)["status"] == "fresh"


def test_a_profit_rerun_makes_kpi_stale_and_a_restore_makes_profit_stale(processed, capsys):
    sim, settings, lake = processed
    assert main(["run", "--date", "2026-12-01", "--stages", "profit"]) == 0
    assert "refresh them with: nkpipe run --date 2026-12-01 --stages kpi,mirror" in capsys.readouterr().out
    assert health_report(settings, lake)["kpi_tables"]["sales_kpi_daily"]["stale_days"] == ["2026-12-01"]
    assert main(["run", "--date", "2026-12-01", "--stages", "kpi,mirror"]) == 0
    assert find_stale(lake) == []

    good = lake.read_partition(FACT_SALES, date(2026, 11, 29))
    lake.write_partition(FACT_SALES, date(2026, 11, 29), good.slice(0, 2))  # a bad copy
    capsys.readouterr()
    assert main(["restore", "--table", "fact_sales", "--date", "2026-11-29"]) == 0
    out = capsys.readouterr().out
    assert lake.read_partition(FACT_SALES, date(2026, 11, 29)).num_rows == good.num_rows
    assert "stale: profit of 2026-11-29" in out
    assert "refresh them with: nkpipe run --date 2026-11-29 --stages profit,kpi,mirror" in out


def test_a_late_bill_makes_every_later_profit_day_stale(processed):
    sim, settings, lake = processed
    with connect(settings) as odoo:
        run_days(settings, lake, [date(2026, 11, 30)], ("extract", "transform"), ("purchases",), odoo=odoo)
    stale = {(s.stage, s.day) for s in find_stale(lake)}
    assert stale == {("profit", d) for d in DAYS if d >= date(2026, 11, 30)}
    with connect(settings) as odoo:
        plan = plan_catch_up(settings, lake, odoo)
    assert plan.refreshes() == [Refresh(tuple(d for d in DAYS if d >= date(2026, 11, 30)), ("profit", "kpi", "mirror"))]


def test_refreshes_start_at_the_highest_stale_stage_of_each_day():
    d1, d2 = date(2026, 11, 1), date(2026, 11, 2)
    stale = [
        StaleOutput("profit", "profit", d1, ("x",)),
        StaleOutput("transform", "pos", d1, ("y",)),
        StaleOutput("kpi", "kpi", d2, ("z",)),
    ]
    expected = [
        Refresh((d1,), ("transform", "profit", "kpi", "mirror"), ("pos",)),
        Refresh((d2,), ("kpi", "mirror")),
    ]
    assert refreshes(stale) == expected
    assert refreshes(stale, skip_days=[d1]) == expected[1:]
    assert refresh_command(stale) == (
        "nkpipe run --date 2026-11-01 --to 2026-11-02 --stages transform,profit,kpi,mirror --targets pos"
    )
    assert refresh_command([]) is None
