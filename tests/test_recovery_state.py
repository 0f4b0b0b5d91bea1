"""One truth after recovery (#17): after `reset`, `rebuild` and `purge`, the watermarks, `health` and
`catch-up --plan` say the same about which days are processed, stale or still to do; and after the
catch-up they all say fresh again. On the processed demo-like lake of tests/fixtures/processed_lake.py."""

from __future__ import annotations

from datetime import date, timedelta

from functions.catchup import plan_catch_up
from functions.cli import main
from functions.health import health_report
from shared.metadata import Metadata
from shared.odoo import connect
from tests.fixtures.processed_lake import DAYS, YESTERDAY


def state(settings, lake) -> dict:
    """What each source of truth says about the pos target and the lake as a whole."""
    report = health_report(settings, lake)
    with connect(settings) as odoo:
        plan = plan_catch_up(settings, lake, odoo)
    marks = Metadata(lake).watermarks()
    pos_mark = min(marks[("extract", "pos")], marks[("transform", "pos")])
    return {
        "pos watermark": pos_mark,
        "health pos": date.fromisoformat(report["datasets"]["pos"]["last_processed"]),
        "plan last full": plan.last_full,
        "plan new days": plan.new_days,
        "health stale": sorted({date.fromisoformat(d) for key in ("datasets", "kpi_tables")
                                for e in report[key].values() for d in e["stale_days"]}),
        "plan stale": sorted({s.day for s in plan.stale}),
        "status": report["status"],
    }


def assert_agree(found: dict, last_processed: date) -> None:
    expected_new = [d for d in DAYS if d > last_processed]
    assert found["pos watermark"] == found["health pos"] == found["plan last full"] == last_processed, found
    assert found["plan new days"] == expected_new, found
    assert found["health stale"] == found["plan stale"], found
    assert found["status"] == ("behind" if expected_new else "stale" if found["plan stale"] else "fresh"), found


def catch_up_then_fresh(settings, lake, capsys) -> None:
    assert main(["catch-up"]) == 0
    capsys.readouterr()
    found = state(settings, lake)
    assert_agree(found, YESTERDAY)
    assert found["status"] == "fresh"


def test_reset_moves_health_and_the_plan_with_the_watermark(processed, capsys):
    sim, settings, lake = processed
    assert_agree(state(settings, lake), YESTERDAY)
    assert main(["reset", "--to", "2026-12-01", "--targets", "pos", "--yes"]) == 0
    assert_agree(state(settings, lake), date(2026, 11, 30))
    catch_up_then_fresh(settings, lake, capsys)


def test_rebuild_of_older_days_leaves_the_later_days_processed(processed, capsys):
    sim, settings, lake = processed
    assert main(["rebuild", "--targets", "pos", "--from", "2026-11-29", "--to", "2026-11-30"]) == 0
    found = state(settings, lake)
    assert_agree(found, YESTERDAY)  # the watermark is back at 12-03: nothing after the range is "new"
    assert found["plan stale"] == [date(2026, 11, 29), date(2026, 11, 30)]  # profit of the rebuilt days
    catch_up_then_fresh(settings, lake, capsys)


def test_purge_of_star_days_makes_them_to_do_for_everyone(processed, capsys):
    sim, settings, lake = processed
    args = ["purge", "--targets", "pos", "--layers", "clean,star", "--from", "2026-12-01", "--to", "2026-12-01"]
    assert main(args) == 0
    assert_agree(state(settings, lake), YESTERDAY)  # a dry run changes nothing
    assert main([*args, "--yes"]) == 0
    assert "moved back before 2026-12-01" in capsys.readouterr().out
    assert_agree(state(settings, lake), date(2026, 12, 1) - timedelta(days=1))
    catch_up_then_fresh(settings, lake, capsys)


def test_raw_retention_changes_no_state(processed, capsys):
    sim, settings, lake = processed
    before = state(settings, lake)
    assert main(["purge", "--layers", "raw", "--older-than", "4d", "--yes"]) == 0
    assert "raw retention: every target" in capsys.readouterr().out
    assert state(settings, lake) == before
