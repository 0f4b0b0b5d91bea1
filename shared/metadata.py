"""Run records and watermarks under `<lake>/metadata/`.

- `metadata/runs/<stage>/<dataset>/<date>/<started>-<run_id>.json`: every attempt, kept.
- `metadata/latest/<stage>/<dataset>/<date>.json`: the last attempt for that day (quick lookups).
- `metadata/watermarks/<stage>/<dataset>.json`: the last day fully processed.

A record says "success" only after the data it describes is written; a watermark moves only after
that, and only forward (unless reset on purpose, which is recorded with who and when).

Provisional runs (the intraday refresh of today, `provisional(as_of)`): their records carry
`provisional: true` and `as_of` (the moment the data was read up to), the partitions they describe are
"sementara" until the nightly run of that day replaces them, and they never move a watermark.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from shared import clock
from shared.lake import Lake

RUNNING, SUCCESS, FAILED, SKIPPED = "running", "success", "failed", "skipped"
# The data is written (and the watermark moved) but a check of it against Odoo or against itself
# found differences: `extra["differences"]` names them. Kept, shown loudly, re-run by catch-up.
UNVERIFIED = "unverified"
# statuses whose data is in place (a day with these is processed)
DONE = (SUCCESS, SKIPPED, UNVERIFIED)

# The as_of time of the provisional (intraday) run this code runs inside, or None for a normal run.
_PROVISIONAL: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("nkpipe_provisional", default=None)


@contextlib.contextmanager
def provisional(as_of: datetime) -> Iterator[None]:
    """Everything recorded inside is provisional as of `as_of` (UTC); no watermark moves."""
    token = _PROVISIONAL.set(as_of)
    try:
        yield
    finally:
        _PROVISIONAL.reset(token)


def provisional_as_of() -> datetime | None:
    """The as_of time when running inside `provisional(...)`, else None."""
    return _PROVISIONAL.get()


def new_run_id() -> str:
    return clock.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def code_version() -> str:
    """The package version, plus the Cloud Run revision or a NKPIPE_CODE_VERSION when set."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        base = version("nkpipe")
    except PackageNotFoundError:
        base = "0+unknown"
    extra = os.environ.get("NKPIPE_CODE_VERSION") or os.environ.get("K_REVISION")
    return f"{base}+{extra}" if extra else base


def describe_error(exc: BaseException) -> str:
    """One line for a run record, redacted, and capped."""
    from shared.redact import redact

    text = redact(f"{type(exc).__name__}: {exc}".replace("\n", " "))
    return text[:500]


Day = date  # RunRecord has a field named `date`


@dataclass
class RunRecord:
    stage: str
    dataset: str
    date: str
    run_id: str = field(default_factory=new_run_id)
    status: str = RUNNING
    rows: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    started_at: str = field(default_factory=lambda: clock.now().isoformat())
    finished_at: str | None = None
    duration_s: float | None = None
    code_version: str = field(default_factory=code_version)
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # An intraday run's record: its data are "sementara" (provisional) as of `as_of` until the
    # nightly run of the day replaces them; it never counts as the day being processed.
    provisional: bool = False
    as_of: str | None = None

    @property
    def day(self) -> Day:
        return Day.fromisoformat(self.date)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class StageResult:
    """What one stage did for one dataset and day: what the CLI prints and the functions return."""

    stage: str
    dataset: str
    day: date
    status: str = SUCCESS
    rows: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    message: str = ""
    run_id: str | None = None
    provisional: bool = False
    as_of: str | None = None
    differences: list[str] = field(default_factory=list)  # what made it unverified

    @property
    def ok(self) -> bool:
        """Not failed: its data is in place (an unverified result is ok, and not `verified`)."""
        return self.status in DONE

    @property
    def verified(self) -> bool:
        return self.status != UNVERIFIED

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return data

    @classmethod
    def from_record(cls, rec: RunRecord, message: str = "") -> StageResult:
        return cls(
            stage=rec.stage,
            dataset=rec.dataset,
            day=rec.day,
            status=rec.status,
            rows=dict(rec.rows),
            calls=dict(rec.calls),
            duration_s=rec.duration_s or 0.0,
            message=message or (rec.error or ""),
            run_id=rec.run_id,
            provisional=rec.provisional,
            as_of=rec.as_of,
            differences=list(rec.extra.get("differences") or []),
        )


class Metadata:
    """Run records and watermarks of one lake."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake

    # keys
    @staticmethod
    def _run_key(rec: RunRecord) -> str:
        return f"metadata/runs/{rec.stage}/{rec.dataset}/{rec.date}/{rec.started_at[:19].replace(':', '')}-{rec.run_id}.json"

    @staticmethod
    def _latest_key(stage: str, dataset: str, day: date | str) -> str:
        return f"metadata/latest/{stage}/{dataset}/{day if isinstance(day, str) else day.isoformat()}.json"

    @staticmethod
    def _watermark_key(stage: str, dataset: str) -> str:
        return f"metadata/watermarks/{stage}/{dataset}.json"

    # run records
    def _save(self, rec: RunRecord) -> None:
        from shared.redact import redact_data

        body = redact_data(rec.to_dict())
        self.lake.write_json(self._run_key(rec), body)
        self.lake.write_json(self._latest_key(rec.stage, rec.dataset, rec.date), body)

    def start(self, stage: str, dataset: str, day: date, run_id: str | None = None) -> RunRecord:
        rec = RunRecord(stage=stage, dataset=dataset, date=day.isoformat())
        if run_id:
            rec.run_id = run_id
        as_of = provisional_as_of()
        if as_of is not None:
            rec.provisional, rec.as_of = True, as_of.isoformat()
        self._save(rec)
        return rec

    def finish(
        self,
        rec: RunRecord,
        rows: dict[str, int] | None = None,
        calls: dict[str, int] | None = None,
        extra: dict[str, Any] | None = None,
        status: str = SUCCESS,
    ) -> RunRecord:
        rec.status = status
        rec.rows.update(rows or {})
        rec.calls.update(calls or {})
        rec.extra.update(extra or {})
        self._close(rec)
        self._save(rec)
        return rec

    def fail(self, rec: RunRecord, error: BaseException | str) -> RunRecord:
        rec.status = FAILED
        rec.error = error if isinstance(error, str) else describe_error(error)
        self._close(rec)
        self._save(rec)
        return rec

    @staticmethod
    def _close(rec: RunRecord) -> None:
        now = clock.now()
        rec.finished_at = now.isoformat()
        rec.duration_s = round((now - datetime.fromisoformat(rec.started_at)).total_seconds(), 3)

    def last_run(self, stage: str, dataset: str, day: date) -> RunRecord | None:
        data = self.lake.read_json(self._latest_key(stage, dataset, day))
        return None if data is None else RunRecord.from_dict(data)

    def last_success(self, stage: str, dataset: str, day: date) -> RunRecord | None:
        """The newest final attempt for that day that wrote its data, verified or not (the latest may be
        a later failure, or a provisional intraday run, which is never the day's final state)."""
        for rec in reversed(self.history(stage, dataset, day)):
            if rec.status in (SUCCESS, UNVERIFIED) and not rec.provisional:
                return rec
        return None

    def history(self, stage: str, dataset: str, day: date) -> list[RunRecord]:
        prefix = f"metadata/runs/{stage}/{dataset}/{day.isoformat()}/"
        found = (self.lake.read_json(key) for key in self.lake.store.list(prefix))
        records = [RunRecord.from_dict(data) for data in found if data is not None]
        return sorted(records, key=lambda r: r.started_at)

    def runs(self, stage: str | None = None, dataset: str | None = None) -> list[RunRecord]:
        """The latest record of every (stage, dataset, day), optionally filtered."""
        prefix = "metadata/latest/"
        if stage:
            prefix += f"{stage}/"
            if dataset:
                prefix += f"{dataset}/"
        records = []
        for key in self.lake.store.list(prefix):
            data = self.lake.read_json(key)
            if data is not None:
                records.append(RunRecord.from_dict(data))
        return sorted(records, key=lambda r: (r.stage, r.dataset, r.date))

    # the intraday refresh
    INTRADAY_KEY = "metadata/intraday/last.json"

    def record_intraday(self, day: date, as_of: datetime, run_id: str, rows: dict[str, int]) -> None:
        """The last complete intraday refresh (what health and the dashboard's freshness show)."""
        self.lake.write_json(
            self.INTRADAY_KEY,
            {
                "date": day.isoformat(),
                "as_of": as_of.isoformat(),
                "run_id": run_id,
                "finished_at": clock.now().isoformat(),
                "rows": rows,
            },
        )

    def last_intraday(self) -> dict[str, Any] | None:
        return self.lake.read_json(self.INTRADAY_KEY)

    # watermarks
    def get_watermark(self, stage: str, dataset: str) -> date | None:
        data = self.lake.read_json(self._watermark_key(stage, dataset))
        return date.fromisoformat(data["date"]) if data and data.get("date") else None

    def set_watermark(
        self, stage: str, dataset: str, day: date, by: str | None = None, force: bool = False
    ) -> bool:
        """Move the watermark to `day`; only forward unless `force` (a reset). Returns True if moved.

        Inside a provisional (intraday) run it never moves: today is not done until the nightly run.
        """
        if provisional_as_of() is not None and not force:
            return False
        current = self.get_watermark(stage, dataset)
        if current is not None and day <= current and not force:
            return False
        self.lake.write_json(
            self._watermark_key(stage, dataset),
            {
                "date": day.isoformat(),
                "previous": current.isoformat() if current else None,
                "updated_at": clock.now().isoformat(),
                "by": by or "pipeline",
            },
        )
        return True

    def watermarks(self) -> dict[tuple[str, str], date]:
        found = {}
        for key in self.lake.store.list("metadata/watermarks/"):
            parts = key.removeprefix("metadata/watermarks/").removesuffix(".json").split("/")
            if len(parts) == 2:
                data = self.lake.read_json(key)
                if data and data.get("date"):
                    found[(parts[0], parts[1])] = date.fromisoformat(data["date"])
        return found
