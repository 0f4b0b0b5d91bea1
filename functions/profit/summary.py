"""Profit per day for people: what `nkpipe demo` prints after the profit stage."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from shared.lake import Lake
from shared.schemas import AGG_PROFIT_DAILY


def summary_row(day: date, aggregate: dict[str, Any] | None) -> dict[str, Any]:
    """One day's figures; a day the profit stage has not written shows as not run."""
    if aggregate is None:
        return {
            "date": day.isoformat(),
            "revenue": None,
            "cogs": None,
            "gross_profit": None,
            "margin_pct": None,
            "lines": None,
            "lines_without_cost": None,
            "status": "not run",
        }
    revenue = float(aggregate["revenue_tax_in"] or 0.0)
    gross = float(aggregate["gross_profit"] or 0.0)
    return {
        "date": day.isoformat(),
        "revenue": revenue,
        "cogs": float(aggregate["cogs_tax_in"] or 0.0),
        "gross_profit": gross,
        "margin_pct": round(100.0 * gross / revenue, 2) if revenue else None,
        "lines": int(aggregate["lines"] or 0),
        "lines_without_cost": int(aggregate["cost_missing_lines"] or 0),
        "status": "ok",
    }


def demo_summary(lake: Lake, days: Iterable[date]) -> list[dict[str, Any]]:
    """Revenue, COGS, gross profit, margin and lines without cost for each day (tax included)."""
    rows = []
    for day in days:
        table = lake.read_partition(AGG_PROFIT_DAILY, day)
        aggregate = table.to_pylist()[0] if table is not None and table.num_rows else None
        rows.append(summary_row(day, aggregate))
    return rows
