"""Run stages over business days: the one orchestration the CLI, the Cloud Functions and tests share."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from functions.extract import run_extract
from functions.kpi import run_kpi, run_mirror
from functions.profit import run_profit
from functions.runs import lock_name
from functions.transform import run_transform
from shared import clock
from shared.config import Settings
from shared.dates import today as business_today
from shared.errors import InputError, NkpipeError
from shared.lake import Lake
from shared.log import get_logger, log_context
from shared.metadata import FAILED, SKIPPED, Metadata, StageResult, new_run_id, provisional
from shared.odoo import OdooClient, connect

log = get_logger(__name__)

STAGES: tuple[str, ...] = ("extract", "transform", "profit", "kpi", "mirror")
TARGETS: tuple[str, ...] = ("pos", "invoice-sales", "purchases", "inventory-moves", "stock-quants", "dimensions")
TARGETED_STAGES = frozenset({"extract", "transform"})

# The intraday refresh of today: the sales targets (purchases too: a bill posted this morning prices
# today's sales) through every stage, provisional until the nightly run (see run_days).
INTRADAY_PIPELINE = "intraday"
INTRADAY_TARGETS: tuple[str, ...] = ("pos", "invoice-sales", "purchases")

# Scheduled pipelines (Cloud Scheduler jobs): name -> (stages, targets).
PIPELINES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    **{target: (("extract", "transform"), (target,)) for target in TARGETS},
    "profit": (("profit",), ()),
    "kpi": (("kpi", "mirror"), ()),
    INTRADAY_PIPELINE: (STAGES, INTRADAY_TARGETS),
}


@dataclass(frozen=True)
class StageCall:
    """What the pipeline hands a stage: one day of one run (`run_id` goes into every record and log line)."""

    settings: Settings
    lake: Lake
    day: date
    targets: tuple[str, ...]
    run_id: str
    odoo: OdooClient | None = None


@dataclass(frozen=True)
class Stage:
    """A stage as the pipeline runs it: plain references, no lookup by name or signature."""

    name: str
    run: Callable[[StageCall], list[StageResult]]
    dry_run: Callable[[StageCall], StageResult] | None = None  # None: the stage has no dry-run mode
    targeted: bool = False  # runs per target (extract, transform) rather than once per day


def _profit(call: StageCall) -> list[StageResult]:
    return [run_profit(call.settings, call.lake, call.day, run_id=call.run_id)]


def _kpi(call: StageCall) -> list[StageResult]:
    return [run_kpi(call.settings, call.lake, call.day, run_id=call.run_id)]


def _mirror(call: StageCall) -> list[StageResult]:
    return [run_mirror(call.settings, call.lake, call.day, run_id=call.run_id)]


STAGE_TABLE: dict[str, Stage] = {
    "extract": Stage(
        "extract",
        lambda c: run_extract(c.settings, c.lake, c.day, c.targets, c.odoo, run_id=c.run_id),
        targeted=True,
    ),
    "transform": Stage(
        "transform", lambda c: run_transform(c.settings, c.lake, c.day, c.targets, run_id=c.run_id), targeted=True
    ),
    "profit": Stage("profit", _profit, dry_run=lambda c: run_profit(c.settings, c.lake, c.day, dry_run=True)),
    "kpi": Stage("kpi", _kpi, dry_run=lambda c: run_kpi(c.settings, c.lake, c.day, dry_run=True)),
    "mirror": Stage("mirror", _mirror, dry_run=lambda c: run_mirror(c.settings, c.lake, c.day, dry_run=True)),
}

Progress = Callable[[StageResult], None]


def _parse_names(text: str | Sequence[str] | None, known: tuple[str, ...], kind: str) -> tuple[str, ...]:
    if text is None or text == "" or text == ():
        return known
    items = [s.strip() for s in (text.split(",") if isinstance(text, str) else text)]
    items = [s for s in items if s]
    unknown = [s for s in items if s not in known]
    if unknown:
        raise InputError(f"unknown {kind} {', '.join(map(repr, unknown))}: choose from {', '.join(known)}")
    if not items:
        raise InputError(f"no {kind} given: choose from {', '.join(known)}")
    # Always the canonical order, whatever order they were given in.
    return tuple(name for name in known if name in items)


def parse_stages(text: str | Sequence[str] | None) -> tuple[str, ...]:
    return _parse_names(text, STAGES, "stage")


def parse_targets(text: str | Sequence[str] | None) -> tuple[str, ...]:
    return _parse_names(text, TARGETS, "target")


def parse_pipeline(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        return PIPELINES[name]
    except KeyError:
        raise InputError(f"unknown pipeline {name!r}: choose from {', '.join(PIPELINES)}") from None


def run_days(
    settings: Settings,
    lake: Lake,
    days: Sequence[date],
    stages: Sequence[str] = STAGES,
    targets: Sequence[str] = TARGETS,
    progress: Progress | None = None,
    odoo: OdooClient | None = None,
    dry_run: bool = False,
    intraday: bool = False,
    run_id: str | None = None,
) -> list[StageResult]:
    """Run `stages` (canonical order) for each day, oldest first; stop at the first failure.

    One Odoo connection serves the whole run. A failure raises (after progress has seen the results
    so far); downstream stages of that day never run on half-done inputs.

    `intraday`: the provisional refresh of today (only today): the same stages and locks, but every
    lock of the run is held from its first stage to its last (a run of the same day never
    interleaves with it), its records are provisional as of the moment it started, no watermark
    moves, and the last complete refresh is recorded for health and the dashboard.
    """
    stages = parse_stages(list(stages))
    targets = parse_targets(list(targets)) if any(s in TARGETED_STAGES for s in stages) else tuple(targets)
    if intraday:
        return _run_intraday(settings, lake, days, stages, targets, progress, odoo, dry_run)
    own_odoo = False
    if odoo is None and "extract" in stages and not dry_run:
        odoo = connect(settings)  # stops with a clear ConfigError when Odoo is not configured
        own_odoo = True
    run_id = run_id or new_run_id()
    results: list[StageResult] = []
    try:
        for day in sorted(days):
            for stage in stages:
                results.extend(
                    _run_stage(settings, lake, day, stage, targets, run_id, odoo, dry_run, progress)
                )
        if "mirror" in stages and not dry_run and days:
            results.extend(_publish_status_sheet(settings, lake, max(days), run_id, progress))
    finally:
        if own_odoo and odoo is not None:
            odoo.close()
    return results


def check_intraday_days(settings: Settings, days: Sequence[date]) -> date:
    """An intraday run is of today's business day and nothing else."""
    today = business_today(settings.business_tz)
    if list(days) != [today]:
        given = ", ".join(d.isoformat() for d in days) or "no day"
        raise InputError(
            f"an intraday run is for today's business day only ({today.isoformat()} in {settings.business_tz}), "
            f"not {given}"
        )
    return today


def stage_datasets(stage: str, targets: Sequence[str]) -> list[str]:
    """The datasets a stage records (and locks) for a day: its targets, or the stage itself."""
    return sorted(targets) if stage in TARGETED_STAGES else [stage]


def _run_intraday(
    settings: Settings,
    lake: Lake,
    days: Sequence[date],
    stages: Sequence[str],
    targets: Sequence[str],
    progress: Progress | None,
    odoo: OdooClient | None,
    dry_run: bool,
) -> list[StageResult]:
    day = check_intraday_days(settings, days)
    if dry_run:
        return run_days(settings, lake, [day], stages, targets, progress, odoo, dry_run=True)
    as_of = clock.now()
    run_id = new_run_id()
    with contextlib.ExitStack() as held:
        if odoo is None and "extract" in stages:
            # before any lock: a misconfigured run stops with one line and leaves nothing behind
            odoo = connect(settings)
            held.callback(odoo.close)
        # Every lock of the refresh, from the first stage to the last (each stage takes its own
        # again: the lake's locks are re-entrant for their owner).
        for stage in stages:
            for dataset in stage_datasets(stage, targets):
                held.enter_context(lake.lock(lock_name(stage, dataset, day), owner=run_id))
        with provisional(as_of), log_context(intraday=True, as_of=as_of.isoformat()):
            results = run_days(settings, lake, [day], stages, targets, progress, odoo, run_id=run_id)
    rows: dict[str, int] = {}
    for result in results:
        for name, count in result.rows.items():
            rows[name] = rows.get(name, 0) + count
    Metadata(lake).record_intraday(day, as_of, run_id, rows)
    return results


def _publish_status_sheet(
    settings: Settings, lake: Lake, day: date, run_id: str, progress: Progress | None
) -> list[StageResult]:
    """The kpi pipeline's last step: the ops spreadsheet's Status ETL tab, when SHEETS_SPREADSHEET_ID is set."""
    if not settings.sheets_spreadsheet_id:
        return []
    from functions.sheets.status_sheet import publish_if_configured

    result = publish_if_configured(settings, lake, day, run_id=run_id)
    if result is None:
        return []
    if progress:
        progress(result)
    return [result]


def error_message(exc: BaseException) -> str:
    """What a result or an answer says about a failure: our own errors carry one clear, redacted line;
    any other is named by its type only (its text may quote data or a connection string)."""
    if isinstance(exc, NkpipeError):
        return str(exc)
    return f"unexpected {type(exc).__name__}; see the log"


def _run_stage(
    settings: Settings,
    lake: Lake,
    day: date,
    stage: str,
    targets: Sequence[str],
    run_id: str,
    odoo: OdooClient | None,
    dry_run: bool,
    progress: Progress | None,
) -> list[StageResult]:
    spec = STAGE_TABLE[stage]
    call = StageCall(settings, lake, day, tuple(targets) if spec.targeted else (), run_id, odoo)
    started = time.monotonic()
    with log_context(run_id=run_id, stage=stage, date=day.isoformat()):
        if dry_run:
            if spec.dry_run is None:
                skipped = StageResult(stage, stage, day, status=SKIPPED, message="dry run: stage has no dry-run mode")
                if progress:
                    progress(skipped)
                return [skipped]
            stage_results = [spec.dry_run(call)]
        else:
            try:
                # The stage runs its datasets through functions.runs.run_recorded: the one lock per
                # stage, dataset and day (a second run stops at once with "already running"; a lock
                # of a killed run is taken over), one run record per dataset with this run_id.
                stage_results = spec.run(call)
            except Exception as exc:
                failed = StageResult(stage, ",".join(targets) if spec.targeted else stage, day,
                                     status=FAILED, duration_s=round(time.monotonic() - started, 3),
                                     message=error_message(exc), run_id=run_id)
                if progress:
                    progress(failed)
                # INFO, not ERROR: the caller reports the failure once (the CLI's `error:` line, the
                # Cloud Function's pipeline_failed entry); the run record keeps the details.
                log.info("stage %s failed for %s: %s", stage, day, exc)
                raise
        for result in stage_results:
            log.info(
                "%s %s %s: rows %s in %.1fs",
                stage,
                result.dataset,
                result.status,
                result.rows,
                result.duration_s,
                extra={"fields": {"rows": result.rows, "calls": result.calls, "status": result.status}},
            )
            if progress:
                progress(result)
        return stage_results
