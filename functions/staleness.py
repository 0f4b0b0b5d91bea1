"""Stale days: outputs older than their inputs (see shared/lineage.py), and what refreshes them.

A stale (stage, dataset, day) is refreshed by running that stage and every stage below it for the
day: a stale transform of pos re-runs transform (pos), profit, kpi and mirror; a stale profit re-runs
profit, kpi and mirror. `health`, `catch-up --plan` / `catch-up`, `nkpipe run` and `nkpipe restore`
all read the same list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shared.lake import Lake
from shared.lineage import StaleOutput, stale_outputs
from shared.metadata import Metadata, RunRecord

__all__ = ["Refresh", "StaleOutput", "find_stale", "refresh_command", "refreshes"]


def find_stale(lake: Lake, records: Sequence[RunRecord] | None = None) -> list[StaleOutput]:
    return stale_outputs(lake, records, Metadata(lake))


@dataclass(frozen=True)
class Refresh:
    """One `run_days` call: these stages (and, with transform, these targets) for these days."""

    days: tuple[date, ...]
    stages: tuple[str, ...]
    targets: tuple[str, ...] = ()


def _stages_below(stage: str) -> tuple[str, ...]:
    from functions.pipeline import STAGES

    return STAGES[STAGES.index(stage) :]


def refreshes(stale: Sequence[StaleOutput], skip_days: Sequence[date] = ()) -> list[Refresh]:
    """The runs that bring every stale day up to date, days sharing the same stages grouped."""
    from functions.pipeline import STAGES

    by_day: dict[date, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for day in sorted({s.day for s in stale} - set(skip_days)):
        of_day = [s for s in stale if s.day == day]
        targets = tuple(sorted({s.dataset for s in of_day if s.stage == "transform"}))
        top = min((STAGES.index(s.stage) for s in of_day if s.stage in STAGES), default=None)
        if top is None:
            continue
        by_day[day] = (_stages_below(STAGES[top]), targets)
    grouped: dict[tuple[tuple[str, ...], tuple[str, ...]], list[date]] = {}
    for day, key in by_day.items():
        grouped.setdefault(key, []).append(day)
    return [Refresh(tuple(days), stages, targets) for (stages, targets), days in grouped.items()]


def refresh_command(stale: Sequence[StaleOutput]) -> str | None:
    """The one command that refreshes every stale day (a range re-runs days between them too:
    harmless, each day is replaced by its rerun)."""
    plans = refreshes(stale)
    if not plans:
        return None
    days = [d for plan in plans for d in plan.days]
    stages = max((plan.stages for plan in plans), key=len)
    targets = sorted({t for plan in plans for t in plan.targets})
    first, last = min(days), max(days)
    command = f"nkpipe run --date {first.isoformat()}"
    if last != first:
        command += f" --to {last.isoformat()}"
    command += f" --stages {','.join(stages)}"
    if targets:
        command += f" --targets {','.join(targets)}"
    return command


def describe_days(days: Sequence[date]) -> str:
    days = sorted(set(days))
    if not days:
        return "none"
    if len(days) > 4:
        return f"{days[0].isoformat()} .. {days[-1].isoformat()} ({len(days)} days)"
    return ", ".join(d.isoformat() for d in days)


def stale_notice(stale: Sequence[StaleOutput]) -> list[str]:
    """The lines `nkpipe run` / `nkpipe restore` print when downstream days are now stale."""
    if not stale:
        return []
    lines = []
    by_stage: dict[tuple[str, str], list[date]] = {}
    for s in stale:
        by_stage.setdefault((s.stage, s.dataset), []).append(s.day)
    for (stage, dataset), days in sorted(by_stage.items()):
        name = stage if stage == dataset else f"{stage} {dataset}"
        lines.append(f"stale: {name} of {describe_days(days)} (older than its inputs)")
    command = refresh_command(stale)
    if command:
        lines.append(f"refresh them with: {command}")
    return lines
