"""The one clock: every "now" in nkpipe (scheduled day, catch-up, health staleness, lock expiry,
temp-part and version sweeps, run-record times, the simulator's default end day) is read here, so a
test or a drill can move it — in-process with `set_now`/`frozen`, and for the CLI subprocesses and
servers it starts with the environment from `env_for`.

`NKPIPE_NOW` (ISO datetime, UTC when it has no offset; or a bare `YYYY-MM-DD`, taken as 12:00 UTC)
pins the clock. It keeps ticking from there: with `NKPIPE_NOW_SET_AT` (the real UTC time when the
pin was made, which `env_for` adds) every process started with the same environment agrees on the
same shifted time; without it the pin counts from the moment the process first reads the clock.
Unset, the clock is the system clock.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

NOW_ENV = "NKPIPE_NOW"
SET_AT_ENV = "NKPIPE_NOW_SET_AT"

_lock = threading.Lock()
# (pinned instant, the real instant it was pinned at, whether it ticks) or None for the system clock
_override: tuple[datetime, datetime, bool] | None = None
# parsed from the environment once per value, so a process agrees with itself
_env_cache: tuple[str, str, datetime, datetime] | None = None


def _real_now() -> datetime:
    return datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """`NKPIPE_NOW`'s format: an ISO datetime (naive = UTC) or a date (12:00 UTC of that day)."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(12, 0), tzinfo=UTC)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{NOW_ENV}={raw!r} is not an ISO date or datetime") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _from_env() -> datetime | None:
    global _env_cache
    pinned_text = os.environ.get(NOW_ENV, "").strip()
    if not pinned_text:
        return None
    set_at_text = os.environ.get(SET_AT_ENV, "").strip()
    real = _real_now()
    with _lock:
        cache = _env_cache
        if cache is None or cache[0] != pinned_text or cache[1] != set_at_text:
            anchor = parse_instant(set_at_text) if set_at_text else real
            cache = (pinned_text, set_at_text, parse_instant(pinned_text), anchor)
            _env_cache = cache
    return cache[2] + (real - cache[3])


def now() -> datetime:
    """The current UTC instant (aware) as nkpipe sees it."""
    override = _override
    if override is not None:
        pinned, anchor, ticks = override
        return pinned + (_real_now() - anchor) if ticks else pinned
    return _from_env() or _real_now()


def timestamp() -> float:
    """`now()` as POSIX seconds (for comparisons with stored epoch times)."""
    return now().timestamp()


def set_now(moment: datetime | None, *, ticking: bool = True) -> None:
    """Pin this process's clock at `moment` (naive = UTC); `None` goes back to the environment or
    the system clock. A ticking clock moves on from the pin in real time; a frozen one stays."""
    global _override
    if moment is None:
        _override = None
        return
    pinned = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    _override = (pinned, _real_now(), ticking)


def advance(delta: timedelta) -> None:
    """Move a pinned clock by `delta` (a test walking through the day)."""
    global _override
    if _override is None:
        set_now(now() + delta)
        return
    pinned, anchor, ticks = _override
    _override = (pinned + delta, anchor, ticks)


@contextmanager
def frozen(moment: datetime, *, ticking: bool = False) -> Iterator[None]:
    """`with clock.frozen(datetime(2027, 6, 15, 3, tzinfo=UTC)):` — the clock as given, restored after."""
    global _override
    previous = _override
    set_now(moment, ticking=ticking)
    try:
        yield
    finally:
        _override = previous


def env_for(moment: datetime | None = None) -> dict[str, str]:
    """The environment that makes a child process (CLI, server) share this process's clock — at
    `moment` if given, else at this process's current time when its clock is moved (an empty
    mapping when it is not: children then read the system clock as well)."""
    if moment is None:
        if _override is None and not os.environ.get(NOW_ENV, "").strip():
            return {}
        moment = now()
    pinned = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return {NOW_ENV: pinned.isoformat(), SET_AT_ENV: _real_now().isoformat()}
