"""shared/clock.py: one clock, pinned in-process or through the environment for child processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shared import clock, dates
from tests.conftest import TEST_NOW

REPO = Path(__file__).resolve().parents[1]
MOMENT = datetime(2027, 3, 1, 0, 30, tzinfo=UTC)  # 2027-03-01 07:30 in Jakarta


def test_the_suite_runs_on_its_own_pinned_day():
    # conftest pinned the clock before any module was imported; it ticks from there
    result = clock.now()
    assert TEST_NOW <= result < TEST_NOW + timedelta(hours=2)
    assert dates.yesterday("Asia/Jakarta") == date(2026, 11, 21)


def test_frozen_pins_and_restores():
    before = clock.now()
    with clock.frozen(MOMENT):
        assert clock.now() == MOMENT
        assert dates.today("Asia/Jakarta") == date(2027, 3, 1)
        assert dates.yesterday("Asia/Jakarta") == date(2027, 2, 28)  # a month boundary
        clock.advance(timedelta(hours=16, minutes=30))  # 2027-03-02 00:00 in Jakarta
        assert dates.today("Asia/Jakarta") == date(2027, 3, 2)
    assert abs(clock.now() - before) < timedelta(minutes=5)


def test_a_ticking_pin_moves_on():
    with clock.frozen(MOMENT, ticking=True):
        first = clock.now()
        second = clock.now()
    assert MOMENT <= first <= second < MOMENT + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-06-15", datetime(2027, 6, 15, 12, tzinfo=UTC)),
        ("2027-06-15T03:00:00", datetime(2027, 6, 15, 3, tzinfo=UTC)),
        ("2027-06-15T10:00:00+07:00", datetime(2027, 6, 15, 3, tzinfo=UTC)),
        ("2027-06-15T03:00:00Z", datetime(2027, 6, 15, 3, tzinfo=UTC)),
    ],
)
def test_parse_instant(text, expected):
    assert clock.parse_instant(text) == expected


def test_a_bad_pin_is_a_clear_error():
    with pytest.raises(ValueError, match="NKPIPE_NOW='next tuesday' is not an ISO date or datetime"):
        clock.parse_instant("next tuesday")


def test_a_child_process_shares_the_moved_clock():
    # the whole environment: a child must share the parent's system clock too (faketime in scripts/test)
    env = {**os.environ, "PYTHONPATH": str(REPO), **clock.env_for(MOMENT)}
    code = "from shared import clock, dates; print(clock.now().isoformat(), dates.yesterday('Asia/Jakarta'))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    moment_text, yesterday_text = out.stdout.split()
    result = datetime.fromisoformat(moment_text)
    assert MOMENT <= result < MOMENT + timedelta(minutes=1)
    assert yesterday_text == "2027-02-28"


def test_env_for_follows_an_in_process_pin():
    with clock.frozen(MOMENT):
        env = clock.env_for()
    assert clock.parse_instant(env[clock.NOW_ENV]) == MOMENT


# Everything that asks for "now" goes through shared/clock.py; durations (time.monotonic) are fine.
WALL_CLOCK = re.compile(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|\btime\.time\(\)")


@pytest.mark.parametrize("folder", ["functions", "shared", "bench", "tests"])
def test_nothing_reads_the_wall_clock_around_the_project_clock(folder):
    offenders = []
    for path in sorted((REPO / folder).rglob("*.py")):
        if path == REPO / "shared" / "clock.py" or path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if WALL_CLOCK.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []
