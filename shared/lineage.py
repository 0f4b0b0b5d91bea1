"""Lineage: which versions of its inputs each output partition was computed from.

A stage that reads lake partitions takes their stamps (`input_stamps`, before it reads them) and,
once its outputs are written, attaches them to its run (`attach` into `Outcome.extra`): the record's
`extra["lineage"]` maps each input key to the stamp it had (the GCS generation, the S3 ETag, inode +
mtime + size on disk; `missing` when it did not exist). An input that is not a lake object, such as
the KPI rows the mirror copies, is named `run:<stage>/<dataset>/<date>` with the id of the run that
wrote it; all partitions of a table up to a day (profit's purchases) are one digest,
`<table>/date<=D`. Nothing goes into the Parquet files themselves, so the table contracts are untouched.

`stale_outputs` compares every recorded lineage with the inputs as they are now: an output whose
input was rewritten or restored since is stale (one that is gone now is not newer: never stale) (one listing per input table, not one read
per partition). Records written before lineage existed carry none and are never called stale.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.lake import PARTITION_FILE, Lake, TableSpec
from shared.metadata import SKIPPED, SUCCESS, Metadata, RunRecord

LINEAGE_KEY = "lineage"
MISSING = "missing"
RUN_PREFIX = "run:"
RANGE_MARK = "date<="  # `<table prefix>date<=D`: every partition of the table up to D
_DATE_PART = re.compile(r"/date(=|<=)")


def partition_key(lake: Lake, spec: TableSpec, day: date) -> str:
    return lake.partition_key(spec, day) if spec.partitioned else lake.table_key(spec)


def input_stamps(lake: Lake, specs: Iterable[TableSpec], day: date) -> dict[str, str]:
    """{key: stamp} of the day's partition of each spec (the file itself for a dimension table)."""
    found: dict[str, str] = {}
    for spec in specs:
        key = partition_key(lake, spec, day)
        found[key] = lake.store.stamps(key).get(key, MISSING)
    return found


def _date_of(key: str, prefix: str) -> date | None:
    rest = key[len(prefix) :] if key.startswith(prefix) else None
    if not rest or not rest.startswith("date=") or not rest.endswith("/" + PARTITION_FILE):
        return None
    try:
        return date.fromisoformat(rest[len("date=") : len("date=") + 10])
    except ValueError:
        return None


def partition_stamps(lake: Lake, spec: TableSpec) -> dict[date, str]:
    """A stamp per partition of `spec` (one listing call) that changes whenever the partition is
    rewritten or removed; by date."""
    stamps = {}
    for key, stamp in lake.store.stamps(spec.prefix).items():
        day = _date_of(key, spec.prefix)
        if day is not None:
            stamps[day] = stamp
    return dict(sorted(stamps.items()))


def range_input(spec: TableSpec, upto: date, stamps: Mapping[date, str]) -> dict[str, str]:
    """Every partition of `spec` up to `upto` as one input: a digest of their stamps (a year of
    purchases is one entry of the record, not 365)."""
    return {f"{spec.prefix}{RANGE_MARK}{upto.isoformat()}": _range_digest(stamps, upto)}


def _range_digest(stamps: Mapping[date, str], upto: date) -> str:
    lines = sorted(f"{d.isoformat()}={stamp}" for d, stamp in stamps.items() if d <= upto)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32] if lines else MISSING


def run_input(stage: str, dataset: str, day: date, run_id: str | None) -> dict[str, str]:
    """A non-lake input: the run that wrote it."""
    return {f"{RUN_PREFIX}{stage}/{dataset}/{day.isoformat()}": run_id or MISSING}


def attach(extra: MutableMapping[str, Any], inputs: Mapping[str, str]) -> None:
    """Put the inputs' stamps into a run's extra (a stage's `Outcome.extra`, kept on its run record)."""
    extra.setdefault(LINEAGE_KEY, {}).update(inputs)


def _table_prefix(key: str) -> str:
    match = _DATE_PART.search(key)
    return key[: match.start() + 1] if match else key


@dataclass(frozen=True)
class StaleOutput:
    stage: str
    dataset: str
    day: date
    changed: tuple[str, ...]  # the input keys whose stamp differs from the recorded one

    def describe(self) -> str:
        names = sorted({_table_prefix(k).rstrip("/").removeprefix(RUN_PREFIX) for k in self.changed})
        return f"{len(self.changed)} input(s) changed since it ran: {', '.join(names)}"


class CurrentStamps:
    """The stamps of inputs as they are now, listed once per table and looked up by key."""

    def __init__(self, lake: Lake, metadata: Metadata) -> None:
        self.lake = lake
        self.metadata = metadata
        self._tables: dict[str, dict[str, str]] = {}

    def __call__(self, key: str) -> str:
        if key.startswith(RUN_PREFIX):
            stage, dataset, day = key.removeprefix(RUN_PREFIX).split("/")
            rec = self.metadata.last_run(stage, dataset, date.fromisoformat(day))
            if rec is not None and rec.status != SUCCESS:
                rec = self.metadata.last_success(stage, dataset, date.fromisoformat(day))
            return rec.run_id if rec is not None else MISSING
        prefix = _table_prefix(key)
        if prefix not in self._tables:
            self._tables[prefix] = self.lake.store.stamps(prefix)
        listed = self._tables[prefix]
        if RANGE_MARK in key:
            upto = date.fromisoformat(key.rsplit(RANGE_MARK, 1)[1])
            by_day = {}
            for name, stamp in listed.items():
                found = _DATE_PART.search(name)
                if found and found.group(1) == "=" and name.endswith("/" + PARTITION_FILE):
                    by_day[date.fromisoformat(name[found.end() : found.end() + 10])] = stamp
            return _range_digest(by_day, upto)
        return listed.get(key, MISSING)


def changed_inputs(rec: RunRecord, current: CurrentStamps) -> tuple[str, ...]:
    """Inputs rewritten since the run. An input that is gone now (raw retention, a purge) is not
    newer than the output: nothing to recompute from, so it never makes the output stale."""
    recorded = rec.extra.get(LINEAGE_KEY) or {}
    changed = []
    for key, stamp in recorded.items():
        now = current(key)
        if now != stamp and now != MISSING:
            changed.append(key)
    return tuple(sorted(changed))


def stale_outputs(
    lake: Lake, records: Sequence[RunRecord] | None = None, metadata: Metadata | None = None
) -> list[StaleOutput]:
    """Every (stage, dataset, day) whose latest successful run read inputs that have changed since.

    `records`: the latest run records to look at (default: all of the lake's).
    """
    metadata = metadata or Metadata(lake)
    current = CurrentStamps(lake, metadata)
    stale = []
    for rec in metadata.runs() if records is None else records:
        # a provisional (intraday) run is replaced by the nightly one anyway: never called stale
        if rec.status not in (SUCCESS, SKIPPED) or rec.provisional or not rec.extra.get(LINEAGE_KEY):
            continue
        if changed := changed_inputs(rec, current):
            stale.append(StaleOutput(rec.stage, rec.dataset, rec.day, changed))
    return sorted(stale, key=lambda s: (s.day, s.stage, s.dataset))

