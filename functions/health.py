"""Freshness of the lake and the KPI tables, from the run records under metadata/.

`freshness(settings, lake)` is what `nkpipe health` prints and the Cloud Function health entry returns:
per dataset (extract + transform of each target, profit) and per KPI table (the kpi stage writes all
of them, the mirror copies them): the last processed business day, the last success, the last error
(with whether a later success of that day resolved it) and `fresh` / `behind` / `never` against the
day a nightly run processes (yesterday in BUSINESS_TZ). Failures that a later attempt replaced are
looked up in the full run history of the last CATCHUP_LOOKBACK_DAYS days only.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from functions.kpi import tables as kpi_tables
from shared import clock
from shared.dates import yesterday
from shared.metadata import FAILED, SKIPPED, SUCCESS, Metadata, RunRecord

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake

KPI_TABLES = tuple(table.name for table in kpi_tables.KPI_TABLES)
FRESH, BEHIND, NEVER = "fresh", "behind", "never"


def _processed_days(records: Sequence[RunRecord]) -> set[date]:
    # a provisional (intraday) run of a day is not that day processed: the nightly run is
    return {r.day for r in records if r.status in (SUCCESS, SKIPPED) and not r.provisional}


def summarise_runs(
    groups: Sequence[Sequence[RunRecord]], expected: date, earlier: Sequence[RunRecord] = ()
) -> dict[str, Any]:
    """One entry from the latest run records of the (stage, dataset) pairs that make a dataset
    (`earlier`: older attempts, to find failures a later run has since replaced).

    A day counts as processed when every pair's latest run of that day succeeded.
    """
    day_sets = [_processed_days(records) for records in groups]
    processed = set.intersection(*day_sets) if day_sets else set()
    last_day = max(processed) if processed else None
    records = [r for records in groups for r in records]
    successes = [r for r in records if r.status == SUCCESS and not r.provisional]
    failures = [r for r in (*records, *earlier) if r.status == FAILED]
    last_success = max(successes, key=lambda r: r.finished_at or r.started_at, default=None)
    last_error = max(failures, key=lambda r: r.started_at, default=None)
    if last_day is None:
        status = NEVER
    elif last_day >= expected:
        status = FRESH
    else:
        status = BEHIND
    entry: dict[str, Any] = {
        "last_processed": last_day.isoformat() if last_day else None,
        "days_behind": (expected - last_day).days if last_day and last_day < expected else 0,
        "last_success": last_success.finished_at if last_success else None,
        "last_error": None,
        "status": status,
        # data warnings of the latest successful run (e.g. profit without the cost field): never silent
        "warnings": list((last_success.extra or {}).get("warnings") or []) if last_success else [],
    }
    if last_error is not None:
        entry["last_error"] = {
            "at": last_error.started_at,
            "date": last_error.date,
            "stage": last_error.stage,
            "message": last_error.error,
            # the latest record of that day is the failure itself unless a later run fixed it
            "resolved": last_error.day in processed,
        }
    return entry


def freshness(settings: Settings, lake: Lake, now: datetime | None = None) -> dict[str, Any]:
    """Freshness of every dataset and KPI table (JSON-ready)."""
    from functions.pipeline import TARGETS

    metadata = Metadata(lake)
    expected = yesterday(settings.business_tz, now)
    by_pair: dict[tuple[str, str], list[RunRecord]] = {}
    for stage in ("extract", "transform", "profit", "kpi", "mirror"):
        for rec in metadata.runs(stage):
            by_pair.setdefault((rec.stage, rec.dataset), []).append(rec)

    def runs(stage: str, dataset: str) -> list[RunRecord]:
        return by_pair.get((stage, dataset), [])

    recent = [expected - timedelta(days=i) for i in range(settings.catchup_lookback_days)]

    def earlier(*pairs: tuple[str, str]) -> list[RunRecord]:
        # failures replaced by a later attempt are only in the full history: read it for recent days
        return [r for stage, dataset in pairs for day in recent for r in metadata.history(stage, dataset, day)]

    datasets = {
        target: summarise_runs(
            [runs("extract", target), runs("transform", target)],
            expected,
            earlier(("extract", target), ("transform", target)),
        )
        for target in TARGETS
    }
    datasets["profit"] = summarise_runs([runs("profit", "profit")], expected, earlier(("profit", "profit")))
    kpi_runs = runs("kpi", "kpi")
    mirror_runs = runs("mirror", "mirror")
    kpi_earlier = earlier(("kpi", "kpi"))
    kpi_tables = {}
    mirrored = [r.day for r in mirror_runs if r.status == SUCCESS]
    mirror: str | None
    if mirrored:
        mirror = max(mirrored).isoformat()
    else:  # a skipped mirror (no Supabase settings) copied nothing: never show it as mirrored
        mirror = "not configured" if any(r.status == SKIPPED for r in mirror_runs) else None
    for table in KPI_TABLES:
        entry = summarise_runs([kpi_runs], expected, kpi_earlier)
        entry["mirror"] = mirror
        kpi_tables[table] = entry
    entries = [*datasets.values(), *kpi_tables.values()]
    checked_at = now or clock.now()
    return {
        "checked_at": checked_at.isoformat(),
        "expected_day": expected.isoformat(),
        "ok": all(e["status"] == FRESH for e in entries),
        "datasets": datasets,
        "kpi_tables": kpi_tables,
        "intraday": intraday_summary(metadata.last_intraday(), checked_at, _processed_days(kpi_runs)),
    }


def intraday_summary(
    last: dict[str, Any] | None, now: datetime, final_days: Set[date] = frozenset()
) -> dict[str, Any] | None:
    """The last complete intraday refresh: its day, as_of, age in minutes, and whether a nightly run
    has made that day final since (None: never ran).

    Informational: it never makes health "ok" or not (a provisional day is not a processed day)."""
    if not last:
        return None
    as_of = datetime.fromisoformat(last["as_of"])
    return {
        "date": last["date"],
        "as_of": last["as_of"],
        "age_minutes": round((now - as_of).total_seconds() / 60, 1),
        "run_id": last.get("run_id"),
        "final": date.fromisoformat(last["date"]) in final_days,
    }


def health_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The freshness report as table rows (for `nkpipe health`)."""
    rows = []
    for kind, key in (("dataset", "datasets"), ("kpi table", "kpi_tables")):
        for name, entry in report[key].items():
            error = entry["last_error"]
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "last processed": entry["last_processed"],
                    "status": entry["status"] + (f" ({entry['days_behind']}d)" if entry["days_behind"] else "")
                    + (" WARNING" if entry.get("warnings") else ""),
                    "last success": (entry["last_success"] or "")[:19].replace("T", " ") or None,
                    "last error": None
                    if error is None
                    else f"{error['date']} {error['stage']}{' (resolved)' if error['resolved'] else ''}: "
                    f"{(error['message'] or '')[:80]}",
                }
            )
    return rows


def intraday_line(summary: dict[str, Any] | None) -> str:
    """`nkpipe health`'s line about the intraday refresh."""
    if summary is None:
        return "intraday refresh: never ran"
    as_of = summary["as_of"][:16].replace("T", " ")
    state = "final since the nightly run" if summary.get("final") else "provisional until the nightly run"
    return f"intraday refresh: {summary['date']} as of {as_of} UTC, {summary['age_minutes']:g} min ago ({state})"
