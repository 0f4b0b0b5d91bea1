"""Profit: star facts → cost events → latest cost → sales-line profit → daily aggregates.

Modules: cost_events, latest_cost, sales_profit, aggregates (pure polars transforms); stage
(`run_profit`, the I/O); validate (the checks of
`nkpipe validate-profit`); summary (`demo_summary`). Heavy imports stay inside those modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.metadata import StageResult


def run_profit(settings: Settings, lake: Lake, day: date, dry_run: bool = False, run_id: str | None = None) -> StageResult:
    """The profit stage for one business day -> StageResult (see functions.profit.stage)."""
    from functions.profit.stage import run_profit as run

    return run(settings, lake, day, dry_run=dry_run, run_id=run_id)


def demo_summary(lake: Lake, days: Sequence[date]) -> list[dict[str, Any]]:
    """Revenue, COGS, gross profit, margin and lines without cost per day (see functions.profit.summary)."""
    from functions.profit.summary import demo_summary as summary

    return summary(lake, days)
