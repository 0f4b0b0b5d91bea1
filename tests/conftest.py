"""The suite owns its dates: before any test module is imported, the project clock (shared/clock.py)
is pinned for this process and — through NKPIPE_NOW in the environment — for every CLI subprocess and
server the tests start. A test about another moment sets it itself (`clock.frozen`, `clock.env_for`).

`scripts/test` also runs the suite with the *system* clock moved (Debian's faketime), which shows that
nothing reads the wall clock around the project clock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from shared import clock

# 2026-11-22 06:00 in Jakarta: "yesterday" (the day a scheduled run processes) is 2026-11-21.
TEST_NOW = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)

# Shared fixtures live in plugin modules under tests/fixtures/; add yours to this list.
pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.kpi",
    "tests.fixtures.drills",
    "tests.fixtures.processed_lake",
]


def pytest_configure(config) -> None:
    os.environ.update(clock.env_for(TEST_NOW))
