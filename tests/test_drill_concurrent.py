"""Drill 2: two reruns of the same day started at once, as two processes.

Decided behaviour: the second does not wait. It stops at once with exit 1 and one clear
"already running" line, before writing anything (no data, no run record), and the first finishes
alone: the lake holds one copy, equal to an undisturbed run's.
"""

from __future__ import annotations

import json

import pytest

from shared.odoo_sim import OdooSimulator, SimConfig
from tests.fixtures.drills import assert_only_whole_files_visible, differences, start_cli


@pytest.fixture
def slow_sim(drill_sim):
    """The drill simulator's data, answering slowly, so the first run is still going when the second starts."""
    config = drill_sim.config
    slow = SimConfig(
        seed=config.seed, lines_per_day=config.lines_per_day, days=config.days,
        purchase_history_days=config.purchase_history_days, end_day=drill_sim.last_day, latency_s=0.06,
    )  # fmt: skip
    with OdooSimulator(slow) as sim:
        yield sim


def test_two_reruns_at_once_leave_one_copy_and_the_second_says_already_running(drill_world, slow_sim, tmp_path):
    world = drill_world
    day = world.day.isoformat()
    case = world.copy_state("start", tmp_path / "case")
    settings = world.settings(case, odoo_port=slow_sim.port)
    args = ["run", "--date", day, "--stages", "extract,transform"]

    first = start_cli(args, settings, case / "cli", "first")
    second = start_cli(args, settings, case / "cli", "second")
    codes = {"first": first.wait(), "second": second.wait()}

    assert sorted(codes.values()) == [0, 1], codes
    loser = first if codes["first"] == 1 else second
    errors = [line for line in loser.stderr_lines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: already running: extract."), loser.stderr_lines()
    assert "wait for it to finish, then rerun" in errors[0]

    lake = case / "lake"
    assert_only_whole_files_visible(lake)
    assert differences(lake, world.snapshots["transform"] / "lake") == []
    # The loser recorded nothing: one attempt per stage, dataset and day, and it succeeded.
    runs = sorted((lake / "metadata" / "runs").glob(f"*/*/{day}/*.json"))
    assert len(runs) == 12  # 6 targets x (extract, transform)
    assert {json.loads(p.read_text())["status"] for p in runs} == {"success"}
    assert not list((lake / "metadata" / "locks").glob("*.lock"))
