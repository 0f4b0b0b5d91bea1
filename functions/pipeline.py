"""Run stages over business days: the one orchestration the CLI, the Cloud Functions and tests share."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from shared.config import Settings
from shared.errors import InputError, TerminalError
from shared.lake import Lake
from shared.log import get_logger, log_context
from shared.metadata import FAILED, SKIPPED, StageResult, new_run_id

log = get_logger(__name__)

STAGES: tuple[str, ...] = ("extract", "transform", "profit", "kpi", "mirror")
TARGETS: tuple[str, ...] = ("pos", "invoice-sales", "purchases", "inventory-moves", "stock-quants", "dimensions")
ODOO_STAGES = frozenset({"extract"})
TARGETED_STAGES = frozenset({"extract", "transform"})

# Scheduled pipelines (Cloud Scheduler jobs): name -> (stages, targets).
PIPELINES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    **{target: (("extract", "transform"), (target,)) for target in TARGETS},
    "profit": (("profit",), ()),
    "kpi": (("kpi", "mirror"), ()),
}

# stage -> (module, function). Imported only when the stage runs, so a light command stays light.
_STAGE_FUNCTIONS: dict[str, tuple[str, str]] = {
    "extract": ("functions.extract", "run_extract"),
    "transform": ("functions.transform", "run_transform"),
    "profit": ("functions.profit", "run_profit"),
    "kpi": ("functions.kpi", "run_kpi"),
    "mirror": ("functions.kpi", "run_mirror"),
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


def stage_function(stage: str) -> Callable[..., Any]:
    module_name, attr = _STAGE_FUNCTIONS[stage]
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise TerminalError(f"stage {stage!r} is not available in this build: {exc}") from exc


def _as_list(result: StageResult | Iterable[StageResult]) -> list[StageResult]:
    return [result] if isinstance(result, StageResult) else list(result)


def run_days(
    settings: Settings,
    lake: Lake,
    days: Sequence[date],
    stages: Sequence[str] = STAGES,
    targets: Sequence[str] = TARGETS,
    progress: Progress | None = None,
    odoo: Any = None,
    dry_run: bool = False,
) -> list[StageResult]:
    """Run `stages` (canonical order) for each day, oldest first; stop at the first failure.

    One Odoo connection serves the whole run. A failure raises (after progress has seen the results
    so far); downstream stages of that day never run on half-done inputs.
    """
    stages = parse_stages(list(stages))
    targets = parse_targets(list(targets)) if any(s in TARGETED_STAGES for s in stages) else tuple(targets)
    own_odoo = False
    if odoo is None and "extract" in stages and not dry_run:
        from shared.odoo import connect

        odoo = connect(settings)  # stops with a clear ConfigError when Odoo is not configured
        own_odoo = True
    run_id = new_run_id()
    results: list[StageResult] = []
    try:
        for day in sorted(days):
            for stage in stages:
                results.extend(
                    _run_stage(settings, lake, day, stage, targets, run_id, odoo, dry_run, progress)
                )
        if "mirror" in stages and not dry_run and days:
            results.extend(_publish_status_sheet(settings, lake, max(days), progress))
    finally:
        if own_odoo and hasattr(odoo, "close"):
            odoo.close()
    return results


def _publish_status_sheet(settings: Settings, lake: Lake, day: date, progress: Progress | None) -> list[StageResult]:
    """The kpi pipeline's last step: the ops spreadsheet's Status ETL tab, when SHEETS_SPREADSHEET_ID is set."""
    if not settings.sheets_spreadsheet_id:
        return []
    from functions.sheets.status_sheet import publish_if_configured

    result = publish_if_configured(settings, lake, day)
    if result is None:
        return []
    if progress:
        progress(result)
    return [result]


def lock_names(stage: str, targets: Sequence[str], day: date) -> list[str]:
    datasets = sorted(targets) if stage in TARGETED_STAGES else [stage]
    return [f"{stage}.{dataset}.{day.isoformat()}" for dataset in datasets]


def _run_stage(
    settings: Settings,
    lake: Lake,
    day: date,
    stage: str,
    targets: Sequence[str],
    run_id: str,
    odoo: Any,
    dry_run: bool,
    progress: Progress | None,
) -> list[StageResult]:
    fn = stage_function(stage)
    started = time.monotonic()
    with log_context(run_id=run_id, stage=stage, date=day.isoformat()):
        kwargs: dict[str, Any] = {}
        if stage == "extract":
            kwargs["odoo"] = odoo
        if dry_run:
            if "dry_run" not in inspect.signature(fn).parameters:
                skipped = StageResult(stage, stage, day, status=SKIPPED, message="dry run: stage has no dry-run mode")
                if progress:
                    progress(skipped)
                return [skipped]
            kwargs["dry_run"] = True
        args = (settings, lake, day, tuple(targets)) if stage in TARGETED_STAGES else (settings, lake, day)
        try:
            with contextlib.ExitStack() as locks:
                if not dry_run:
                    # Two runs of the same stage, dataset and day never overlap: the second stops at
                    # once with "already running" (a lock of a killed run is taken over).
                    for name in lock_names(stage, targets, day):
                        locks.enter_context(lake.lock(name, owner=run_id))
                stage_results = _as_list(fn(*args, **kwargs))
        except Exception as exc:
            failed = StageResult(stage, ",".join(targets) if stage in TARGETED_STAGES else stage, day,
                                 status=FAILED, duration_s=round(time.monotonic() - started, 3),
                                 message=str(exc), run_id=run_id)
            if progress:
                progress(failed)
            # INFO, not ERROR: the caller reports the failure once (the CLI's `error:` line, the
            # Cloud Function's pipeline_failed entry); the run record keeps the details.
            log.info("stage %s failed for %s: %s", stage, day, exc)
            raise
        for result in stage_results:
            log.info(
                "%s %s %s: %s rows in %.1fs",
                stage,
                result.dataset,
                result.status,
                sum(result.rows.values()),
                result.duration_s,
                extra={"fields": {"rows": result.rows, "calls": result.calls, "status": result.status}},
            )
            if progress:
                progress(result)
        return stage_results
