"""The one run-record path: lock, open the record, run one dataset of a stage, close the record.

Every stage (extract, transform, profit, kpi, mirror) runs its datasets through `run_recorded`, with
the pipeline's `run_id`: the lock `metadata/locks/<stage>.<dataset>.<day>.lock` (all of the stage's
datasets for the day are taken before the first one starts, so a second run stops at once with
"already running", before writing anything), then per dataset a run record under `metadata/runs/`
that says "running", then "success"/"skipped"/"unverified" with the `Outcome`, or "failed" with the
error (and re-raises). A success (or an unverified run, whose data is written) moves the stage's
watermark for that dataset.

A stage's work returns an `Outcome`; it never writes run records or takes locks itself. What later
work adds to a run (verification flags, lineage, intraday marks) goes into `Outcome.flags` and
`Outcome.extra`, which the record keeps as they are.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.lake import Lake
from shared.log import log_context
from shared.metadata import SKIPPED, SUCCESS, UNVERIFIED, Metadata, StageResult, new_run_id


@dataclass
class Outcome:
    """What one dataset of a stage did for one day (the typed result every stage's work returns).

    rows: rows written, one entry per disjoint set of rows (a table, or one model's rows of a raw
    partition): a key never counts rows another key counts.
    """

    rows: dict[str, int] = field(default_factory=dict)
    status: str = SUCCESS  # SUCCESS, SKIPPED, or UNVERIFIED (written, but a check found differences)
    message: str = ""
    calls: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    flags: tuple[str, ...] = ()  # kept in the record's extra["flags"] when any
    advance_watermark: bool = True  # on success only

    @classmethod
    def skipped(cls, reason: str) -> Outcome:
        return cls(status=SKIPPED, message=reason, extra={"reason": reason})


CallMeter = Callable[[], Mapping[str, int]]


@dataclass
class Attempt:
    """The open run of one dataset, handed to its work."""

    stage: str
    dataset: str
    day: date
    run_id: str
    meters: list[CallMeter] = field(default_factory=list)

    def count_calls(self, meter: CallMeter) -> None:
        """`meter()` is recorded as the run's calls when it ends, whether it succeeds or fails."""
        self.meters.append(meter)

    def calls(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for meter in self.meters:
            counted.update(meter())
        return counted


Work = Callable[[Attempt], Outcome]


@dataclass(frozen=True)
class DatasetRun:
    dataset: str
    work: Work


def lock_name(stage: str, dataset: str, day: date) -> str:
    return f"{stage}.{dataset}.{day.isoformat()}"


def run_recorded(
    lake: Lake,
    stage: str,
    day: date,
    runs: Sequence[DatasetRun],
    run_id: str | None = None,
    lock: bool = True,
) -> list[StageResult]:
    """Run each dataset's work under the stage's locks, one run record per dataset; raises the first
    failure after recording it (the datasets before it keep their results).

    `lock=False` only for a step that writes nothing of the lake's data (the status sheet)."""
    run_id = run_id or new_run_id()
    metadata = Metadata(lake)
    with contextlib.ExitStack() as locks:
        for dataset in sorted({run.dataset for run in runs}) if lock else ():
            locks.enter_context(lake.lock(lock_name(stage, dataset, day), owner=run_id))
        return [_record_one(metadata, stage, day, run, run_id) for run in runs]


def _record_one(metadata: Metadata, stage: str, day: date, run: DatasetRun, run_id: str) -> StageResult:
    attempt = Attempt(stage, run.dataset, day, run_id)
    started = time.monotonic()
    with log_context(run_id=run_id, stage=stage, dataset=run.dataset, date=day.isoformat()):
        rec = metadata.start(stage, run.dataset, day, run_id)
        try:
            outcome = run.work(attempt)
        except BaseException as exc:
            rec.calls.update(attempt.calls())
            metadata.fail(rec, exc)
            raise
    extra = dict(outcome.extra)
    if outcome.flags:
        extra["flags"] = list(outcome.flags)
    rec = metadata.finish(
        rec, rows=outcome.rows, calls={**attempt.calls(), **outcome.calls}, extra=extra, status=outcome.status
    )
    # unverified data is written and kept: it moves the watermark like a success (the day is flagged)
    if outcome.status in (SUCCESS, UNVERIFIED) and outcome.advance_watermark:
        metadata.set_watermark(stage, run.dataset, day)
    result = StageResult.from_record(rec, message=outcome.message)
    result.duration_s = round(time.monotonic() - started, 3)
    return result
