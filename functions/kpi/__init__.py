"""KPI tables in TiDB (or the embedded DuckDB store), the Supabase mirror, and the demo operations.

Thin entry points only: the modules behind them import their drivers when called.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.metadata import StageResult


def run_kpi(settings: Settings, lake: Lake, day: date, dry_run: bool = False, run_id: str | None = None) -> StageResult:
    from functions.kpi.stage import run_kpi as _run

    return _run(settings, lake, day, dry_run=dry_run, run_id=run_id)


def run_mirror(settings: Settings, lake: Lake, day: date, dry_run: bool = False, run_id: str | None = None) -> StageResult:
    from functions.kpi.stage import run_mirror as _run

    return _run(settings, lake, day, dry_run=dry_run, run_id=run_id)


def migrate(settings: Settings, target: str = "all") -> dict[str, list[str]]:
    from functions.kpi.stage import migrate as _migrate

    return _migrate(settings, target=target)


def rollback_day(settings: Settings, day: date) -> dict[str, dict[str, int]]:
    from functions.kpi.stage import rollback_day as _rollback

    return _rollback(settings, day)


def plan_rollback(settings: Settings, first: date, last: date) -> dict[str, dict[str, int]]:
    from functions.kpi.stage import plan_rollback as _plan

    return _plan(settings, first, last)


def plan_drop(settings: Settings) -> dict[str, dict[str, int]]:
    from functions.kpi.stage import plan_drop as _plan

    return _plan(settings)


def delete_sales_days(settings: Settings, days: Sequence[date]) -> dict[str, int]:
    from functions.kpi.stage import delete_sales_days as _delete

    return _delete(settings, days)


def drop_kpi_tables(settings: Settings, confirm: bool = False) -> dict[str, list[str]]:
    from functions.kpi.stage import drop_kpi_tables as _drop

    return _drop(settings, confirm=confirm)


def demo_summary(settings: Settings, day: date) -> list[dict[str, Any]]:
    from functions.kpi.stage import demo_summary as _summary

    return _summary(settings, day)


def load_ops_into(settings: Settings, days: Sequence[date], **options: Any) -> dict[str, int]:
    from functions.kpi.ops_data import load_ops_into as _load

    return _load(settings, days, **options)
