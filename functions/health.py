"""Freshness of the lake and the KPI tables, from the run records under metadata/.

`freshness(settings, lake)` is what `nkpipe health` prints and the Cloud Function health entry returns:
per dataset (extract + transform of each target, profit) and per KPI table (the kpi stage writes all
of them, the mirror copies them): the last processed business day, the last success, the last error
(with whether a later success of that day resolved it) and `fresh` / `behind` / `never` against the
day a nightly run processes (yesterday in BUSINESS_TZ). Failures that a later attempt replaced are
looked up in the full run history of the last CATCHUP_LOOKBACK_DAYS days only.

A day counts as processed exactly as catch-up counts it (`functions.catchup.processed_days`): a run
of a day after a watermark that a reset, rebuild or purge moved back over it does not count, so
`health` and `catch-up --plan` never disagree. An entry is `stale` when a day's output is older than
its inputs (`stale_days`, see shared/lineage.py). Times are in BUSINESS_TZ, the zone named.

`health_report` is the one report: `nkpipe health --json` prints it and the HTTP health answers it.

Days of the lookback whose latest checking run is unverified are listed with their differences
(`unverified_days`) and make the report not ok (status `unverified`; `nkpipe health --strict` exits 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from functions.kpi import tables as kpi_tables
from shared import clock
from shared.dates import yesterday
from shared.metadata import DONE, FAILED, SKIPPED, SUCCESS, UNVERIFIED, Metadata, RunRecord

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake

KPI_TABLES = tuple(table.name for table in kpi_tables.KPI_TABLES)
FRESH, BEHIND, NEVER, STALE = "fresh", "behind", "never", "stale"
# A predicate a record must pass to count as its day processed (catch-up's watermark rule).
Counts = Callable[[RunRecord], bool]


def _processed_days(records: Sequence[RunRecord], counts: Counts | None = None) -> set[date]:
    # a provisional (intraday) run of a day is not that day processed: the nightly run is
    return {
        r.day
        for r in records
        if r.status in DONE and not r.provisional and (counts is None or counts(r))
    }


def local_time(stamp: str | None, tz: str) -> str | None:
    """An ISO UTC time of a run record in BUSINESS_TZ, with its offset."""
    if not stamp:
        return None
    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def zone_label(stamp: str | None, tz: str) -> str | None:
    """`2026-11-22 07:26:02 WIB` from an ISO time (the zone's own abbreviation, or its offset)."""
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp).astimezone(ZoneInfo(tz))
    return moment.strftime("%Y-%m-%d %H:%M:%S ") + (moment.tzname() or "")


def summarise_runs(
    groups: Sequence[Sequence[RunRecord]],
    expected: date,
    earlier: Sequence[RunRecord] = (),
    counts: Counts | None = None,
    stale: Sequence[date] = (),
    tz: str = "UTC",
) -> dict[str, Any]:
    """One entry from the latest run records of the (stage, dataset) pairs that make a dataset
    (`earlier`: older attempts, to find failures a later run has since replaced).

    A day counts as processed when every pair's latest run of that day succeeded.
    """
    day_sets = [_processed_days(records, counts) for records in groups]
    processed = set.intersection(*day_sets) if day_sets else set()
    last_day = max(processed) if processed else None
    records = [r for records in groups for r in records]
    successes = [r for r in records if r.status == SUCCESS and not r.provisional]
    failures = [r for r in (*records, *earlier) if r.status == FAILED]
    last_success = max(successes, key=lambda r: r.finished_at or r.started_at, default=None)
    last_error = max(failures, key=lambda r: r.started_at, default=None)
    stale_days = sorted({d for d in stale if d in processed})
    if last_day is None:
        status = NEVER
    elif last_day < expected:
        status = BEHIND
    elif stale_days:
        status = STALE
    else:
        status = FRESH
    entry: dict[str, Any] = {
        "last_processed": last_day.isoformat() if last_day else None,
        "days_behind": (expected - last_day).days if last_day and last_day < expected else 0,
        "last_success": local_time(last_success.finished_at if last_success else None, tz),
        "last_error": None,
        "stale_days": [d.isoformat() for d in stale_days],
        "status": status,
        # data warnings of the latest successful run (e.g. profit without the cost field): never silent
        "warnings": list((last_success.extra or {}).get("warnings") or []) if last_success else [],
    }
    if last_error is not None:
        entry["last_error"] = {
            "at": local_time(last_error.started_at, tz),
            "date": last_error.date,
            "stage": last_error.stage,
            "message": last_error.error,
            # the latest record of that day is the failure itself unless a later run fixed it
            "resolved": last_error.day in processed,
        }
    return entry


def freshness(settings: Settings, lake: Lake, now: datetime | None = None) -> dict[str, Any]:
    """Freshness of every dataset and KPI table (JSON-ready)."""
    from functions.catchup import counts_as_processed, pending_days, read_watermarks, required_runs
    from functions.pipeline import TARGETS
    from functions.staleness import find_stale

    metadata = Metadata(lake)
    tz = settings.business_tz
    expected = yesterday(tz, now)
    by_pair: dict[tuple[str, str], list[RunRecord]] = {}
    latest: list[RunRecord] = []
    for stage in ("extract", "transform", "profit", "kpi", "mirror"):
        for rec in metadata.runs(stage):
            by_pair.setdefault((rec.stage, rec.dataset), []).append(rec)
            latest.append(rec)
    marks = read_watermarks(metadata, [*required_runs(TARGETS), *by_pair])
    counts = counts_as_processed(marks)
    # a day catch-up will run through every stage anyway is "to do", not stale (the plan says the same)
    todo = set(pending_days(settings, metadata, expected)[0].new_days)
    stale_by_pair: dict[tuple[str, str], set[date]] = {}
    for item in (s for s in find_stale(lake, latest) if s.day not in todo and s.day <= expected):
        stale_by_pair.setdefault((item.stage, item.dataset), set()).add(item.day)

    def runs(stage: str, dataset: str) -> list[RunRecord]:
        return by_pair.get((stage, dataset), [])

    def stale(*pairs: tuple[str, str]) -> set[date]:
        return set().union(*(stale_by_pair.get(pair, set()) for pair in pairs))

    recent = [expected - timedelta(days=i) for i in range(settings.catchup_lookback_days)]

    def earlier(*pairs: tuple[str, str]) -> list[RunRecord]:
        # failures replaced by a later attempt are only in the full history: read it for recent days
        return [r for stage, dataset in pairs for day in recent for r in metadata.history(stage, dataset, day)]

    datasets = {}
    for target in TARGETS:
        pairs = (("extract", target), ("transform", target))
        datasets[target] = summarise_runs(
            [runs(*pair) for pair in pairs], expected, earlier(*pairs), counts, sorted(stale(*pairs)), tz
        )
    datasets["profit"] = summarise_runs(
        [runs("profit", "profit")], expected, earlier(("profit", "profit")), counts,
        sorted(stale(("profit", "profit"))), tz,
    )
    kpi_runs = runs("kpi", "kpi")
    mirror_runs = runs("mirror", "mirror")
    kpi_earlier = earlier(("kpi", "kpi"))
    kpi_stale = sorted(stale(("kpi", "kpi"), ("mirror", "mirror")))
    kpi_tables = {}
    mirrored = [r.day for r in mirror_runs if r.status == SUCCESS]
    mirror: str | None
    if mirrored:
        mirror = max(mirrored).isoformat()
    else:  # a skipped mirror (no Supabase settings) copied nothing: never show it as mirrored
        mirror = "not configured" if any(r.status == SKIPPED for r in mirror_runs) else None
    for table in KPI_TABLES:
        entry = summarise_runs([kpi_runs], expected, kpi_earlier, counts, kpi_stale, tz)
        entry["mirror"] = mirror
        kpi_tables[table] = entry
    entries = [*datasets.values(), *kpi_tables.values()]
    checked_at = now or clock.now()
    unverified = unverified_days([r for records in by_pair.values() for r in records], set(recent))
    return {
        "checked_at": checked_at.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds"),
        "timezone": tz,
        "expected_day": expected.isoformat(),
        "ok": all(e["status"] == FRESH for e in entries) and not unverified,
        "datasets": datasets,
        "kpi_tables": kpi_tables,
        "unverified_days": unverified,
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


def unverified_days(latest: Sequence[RunRecord], days: set[date]) -> list[dict[str, Any]]:
    """The days of `days` whose latest extract, transform or profit run is unverified, with the
    differences (oldest first)."""
    from functions.verification import CHECKING_STAGES, DayVerification

    by_day: dict[date, list[RunRecord]] = {}
    for rec in latest:
        if rec.status == UNVERIFIED and rec.stage in CHECKING_STAGES and rec.day in days:
            by_day.setdefault(rec.day, []).append(rec)
    return [
        {"date": day.isoformat(), "differences": DayVerification(day, tuple(runs)).differences}
        for day, runs in sorted(by_day.items())
    ]


def overall_status(report: dict[str, Any]) -> str:
    """`fresh`; `unverified` when every entry has yesterday but a recent day is unverified; `stale` when
    every entry has yesterday but some day is older than its inputs; else `behind`."""
    if report["ok"]:
        return FRESH
    statuses = {e["status"] for key in ("datasets", "kpi_tables") for e in report[key].values()}
    if statuses <= {FRESH, STALE} and report.get("unverified_days"):
        return UNVERIFIED
    return STALE if statuses <= {FRESH, STALE} else BEHIND


def health_report(settings: Settings, lake: Lake, now: datetime | None = None) -> dict[str, Any]:
    """The health report with its `status`: what `nkpipe health --json` prints and HTTP health answers."""
    report = freshness(settings, lake, now)
    return {"status": overall_status(report), **report}


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
                    "last success": zone_label(entry["last_success"], report.get("timezone", "UTC")),
                    "stale days": len(entry["stale_days"]) or None,
                    "last error": None
                    if error is None
                    else f"{error['date']} {error['stage']}{' (resolved)' if error['resolved'] else ''}: "
                    f"{(error['message'] or '')[:80]}",
                }
            )
    for day in report.get("unverified_days", []):
        rows.append(
            {
                "name": day["date"],
                "kind": "day",
                "last processed": day["date"],
                "status": UNVERIFIED,
                "last success": None,
                "last error": "; ".join(day["differences"])[:160],
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
