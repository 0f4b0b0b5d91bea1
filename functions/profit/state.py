"""When may day D reuse the latest-cost state an earlier day S built?

State S is a correct starting point only if the purchase partitions it was built from (every date
≤ S) are still exactly the ones in the lake: a rerun of day S-3 that brought a late bill changes
partition S-3 and makes state S (and every state after it) stale. So each state is written with a
small record under `metadata/profit/latest_cost/`: the stamp of every purchase partition ≤ S (the
object's generation on GCS, ETag on S3, inode + mtime + size on disk) and a digest of the state's
own rows. A state is reused only when the record matches the stamps listed now and the state read
back matches its digest; otherwise an older state is tried, and in the end the state is rebuilt
from every purchase partition. Prices are not part of the state's identity: they are recomputed
from the current tax map and dimensions on every run.

Stamps come from one listing call per run, so checking a year of history costs one request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from shared.lake import PARTITION_FILE, Lake, TableSpec

# Bumped when the selection rule or the state layout changes: older records are then never trusted.
STATE_FORMAT = 1
RECORD_PREFIX = "metadata/profit/latest_cost/"


def record_key(day: date) -> str:
    return f"{RECORD_PREFIX}{day.isoformat()}.json"


def _date_of(key: str, prefix: str) -> date | None:
    rest = key[len(prefix) :] if key.startswith(prefix) else None
    if not rest or not rest.startswith("date=") or not rest.endswith("/" + PARTITION_FILE):
        return None
    try:
        return date.fromisoformat(rest[len("date=") : len("date=") + 10])
    except ValueError:
        return None


def partition_stamps(lake: Lake, spec: TableSpec) -> dict[date, str]:
    """A stamp per partition of `spec` that changes whenever the partition is rewritten or removed."""
    raw = lake.store.stamps(spec.prefix)
    stamps = {}
    for key, stamp in raw.items():
        day = _date_of(key, spec.prefix)
        if day is not None:
            stamps[day] = stamp
    return dict(sorted(stamps.items()))


def stamps_upto(stamps: Mapping[date, str], day: date) -> dict[str, str]:
    return {d.isoformat(): s for d, s in stamps.items() if d <= day}


def state_digest(state: pl.DataFrame) -> str:
    """A digest of which event each product's state points at (independent of storage and prices)."""
    identity = state.select(
        pl.col("product_id").cast(pl.Int64),
        pl.col("cost_date").cast(pl.Date).cast(pl.Int32),
        pl.col("move_id").cast(pl.Int64),
        pl.col("line_id").cast(pl.Int64),
    ).sort("product_id")
    digest = hashlib.sha256()
    for column in identity.columns:
        series = identity[column]
        digest.update(series.is_null().to_numpy().tobytes())
        digest.update(series.fill_null(0).to_numpy().tobytes())
    return digest.hexdigest()


def make_record(day: date, stamps: Mapping[date, str], state: pl.DataFrame) -> dict[str, Any]:
    return {
        "format": STATE_FORMAT,
        "date": day.isoformat(),
        "purchase_partitions": stamps_upto(stamps, day),
        "rows": state.height,
        "state_digest": state_digest(state),
    }


def first_changed_day(record: Mapping[str, Any] | None, day: date, stamps: Mapping[date, str]) -> date | None:
    """The earliest purchase day ≤ `day` added, removed or rewritten since the record was made
    (None when nothing changed, or the record is not one this code can read)."""
    if not record or record.get("format") != STATE_FORMAT:
        return None
    recorded = record.get("purchase_partitions") or {}
    current = stamps_upto(stamps, day)
    changed = sorted(set(recorded.items()) ^ set(current.items()))
    return date.fromisoformat(changed[0][0]) if changed else None


def record_matches(record: Mapping[str, Any] | None, day: date, stamps: Mapping[date, str]) -> str | None:
    """None when the record says state `day` is current; otherwise why it is not."""
    if not record:
        return "no state record"
    if record.get("format") != STATE_FORMAT or record.get("date") != day.isoformat():
        return "state record of another format"
    first = first_changed_day(record, day, stamps)
    if first is not None:
        return f"purchases changed since it was built (first changed day {first})"
    return None


def state_matches(record: Mapping[str, Any], state: pl.DataFrame) -> bool:
    return record.get("rows") == state.height and record.get("state_digest") == state_digest(state)
