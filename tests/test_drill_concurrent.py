"""Drill 2: two reruns of the same day started at once, as two processes.

Decided behaviour: the second does not wait. It stops at once with exit 1 and one clear
"already running" line, before writing anything (no data, no run record), and the first finishes
alone: the lake holds one copy, equal to an undisturbed run's.

Both start together; whichever takes the locks first is held at its first write until the other has
exited (NKPIPE_DRILL_HOLD_UNTIL), so the two surely overlap however slow the machine is. Were the
lock broken, both would get past it, neither would exit, both would go on after the hold's 60 s and
succeed — and the test would fail.
"""

from __future__ import annotations

import json
import time

from tests.fixtures.drills import assert_only_whole_files_visible, differences, start_cli


def test_two_reruns_at_once_leave_one_copy_and_the_second_says_already_running(drill_world, tmp_path):
    world = drill_world
    day = world.day.isoformat()
    case = world.copy_state("start", tmp_path / "case")
    settings = world.settings(case)
    args = ["run", "--date", day, "--stages", "extract,transform"]
    release = case / "release"

    runs = {name: start_cli(args, settings, case / "cli", name, hold_until=release) for name in ("first", "second")}
    deadline = time.monotonic() + 120
    while all(run.process.poll() is None for run in runs.values()) and time.monotonic() < deadline:
        time.sleep(0.02)
    release.touch()  # one has exited: let the other finish
    codes = {name: run.wait() for name, run in runs.items()}

    assert sorted(codes.values()) == [0, 1], codes
    loser = runs["first"] if codes["first"] == 1 else runs["second"]
    errors = [line for line in loser.stderr_lines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: already running: extract."), loser.stderr_lines()
    assert "wait for it to finish, then rerun" in errors[0]

    lake = case / "lake"
    assert_only_whole_files_visible(lake)
    assert differences(lake, world.snapshots["transform"] / "lake") == []
    # The loser recorded nothing: one attempt per stage, dataset and day, and it succeeded.
    runs_recorded = sorted((lake / "metadata" / "runs").glob(f"*/*/{day}/*.json"))
    assert len(runs_recorded) == 12  # 6 targets x (extract, transform)
    assert {json.loads(p.read_text())["status"] for p in runs_recorded} == {"success"}
    assert not list((lake / "metadata" / "locks").glob("*.lock"))
