"""Catch-up: bring the lake up to date and repair recent days Odoo changed after they were extracted.

1. New days: every business day after the last fully processed one, up to yesterday, runs through
   every stage (a first run ever processes yesterday only; at most MAX_RANGE_DAYS days at a time),
   and so does a day of the lookback window that was started but never finished (a failed stage).
   A day is fully processed when the latest run of every (stage, dataset) it needs succeeded and,
   for a (stage, dataset) with a watermark, that run is not of a day after the watermark from
   before the watermark was set: `nkpipe reset --to D` moves watermarks back to D - 1, so the days
   from D count as not processed and run again. Every successful extract, transform and profit run
   moves its watermark forward to its day, so a normal night does not redo old days.
2. Repairs: over the lookback (CATCHUP_LOOKBACK_DAYS, default 7) each already processed day of the
   day-scoped targets (pos, invoice-sales, purchases, inventory-moves) is checked against Odoo:
   - changed: a record of the day (the target's day domain) or an extracted child record whose
     `write_date` is newer than the one the raw partition holds (no clock involved; a record stored
     without one counts as changed when written after the extract run started);
   - disappeared or appeared: the ids the day domain matches now differ from the raw partition's ids,
     or extracted child records no longer exist.
   A changed target is extracted and transformed again for that day; when sales or purchases
   changed, profit, kpi and mirror run again for that day (purchases: also for the later processed
   days of the window, whose latest cost may come from the changed bill).
3. Unverified days: a processed day of the lookback whose latest extract, transform or profit run is
   `unverified` runs again once (its unverified targets, then profit, kpi and mirror); a clean re-run
   clears the flag, one that is still unverified is left to the operator.

Targets say what their day is in the registry (`functions.datasets`): a `Dataset.catchup` scope names
the models and domains that make up the day and the child models checked by id; `feeds_profit` says
whether a change reruns profit, kpi and mirror.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from functions.datasets import DATASETS, Dataset
from functions.datasets import dataset as dataset_of
from functions.extract import raw_spec
from functions.extract.inventory_moves import read_by_ids
from functions.pipeline import STAGES, TARGETS, run_days
from functions.staleness import Refresh, StaleOutput, find_stale, refreshes
from shared.dates import ODOO_DATETIME_FORMAT, days_between, yesterday
from shared.log import get_logger
from shared.metadata import DONE, UNVERIFIED, Metadata, StageResult, new_run_id

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

log = get_logger(__name__)

DAY_SCOPED_TARGETS = tuple(d.name for d in DATASETS if d.catchup is not None)
SALES_TARGETS = frozenset(d.name for d in DATASETS if d.feeds_profit)
DOWNSTREAM_STAGES = ("profit", "kpi", "mirror")
# For records stored without a write_date: Odoo's clock and ours may differ a little, so an edit this
# close before the extraction counts as after it (at worst one extra re-run of that day).
CLOCK_MARGIN = timedelta(minutes=2)


@dataclass
class DayChange:
    day: date
    target: str
    reasons: list[str]


@dataclass
class CatchUpPlan:
    last_full: date | None
    new_days: list[date]
    changes: list[DayChange] = field(default_factory=list)
    checked_days: list[date] = field(default_factory=list)
    # outputs older than their inputs (lineage): re-run from that stage down, for that day
    stale: list[StaleOutput] = field(default_factory=list)

    def refreshes(self) -> list[Refresh]:
        return refreshes(self.stale, skip_days=self.new_days)
    # unverified days of the lookback, run again once: {day: extract/transform targets to redo}
    unverified: dict[date, list[str]] = field(default_factory=dict)

    def reruns(self) -> dict[date, list[str]]:
        by_day: dict[date, list[str]] = {}
        for change in self.changes:
            by_day.setdefault(change.day, []).append(change.target)
        return {day: sorted(set(targets)) for day, targets in sorted(by_day.items())}


@dataclass
class CatchUpReport:
    plan: CatchUpPlan
    results: list[StageResult] = field(default_factory=list)


# ---------------------------------------------------------------- what has been processed


def required_runs(targets: Sequence[str]) -> list[tuple[str, str]]:
    """(stage, dataset) pairs whose latest run must have succeeded for a day to count as processed."""
    per_target = [(stage, target) for target in targets for stage in ("extract", "transform")]
    return [*per_target, ("profit", "profit"), ("kpi", "kpi"), ("mirror", "mirror")]


@dataclass(frozen=True)
class Watermark:
    day: date
    updated_at: datetime


def read_watermarks(metadata: Metadata, required: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Watermark]:
    """The watermark of every required (stage, dataset) that has one, with when it was last set."""
    found = {}
    for stage, dataset in required:
        # Metadata.get_watermark gives the day only; the time it was set is in the same document.
        data = metadata.lake.read_json(Metadata._watermark_key(stage, dataset))
        if data and data.get("date") and data.get("updated_at"):
            found[(stage, dataset)] = Watermark(
                date.fromisoformat(data["date"]), datetime.fromisoformat(data["updated_at"])
            )
    return found


def _before_watermark(rec: Any, mark: Watermark | None) -> bool:
    """False for a run of a day after the watermark that started before the watermark was set: the
    watermark was moved back over it (a reset), so that day is to be done again."""
    if mark is None or rec.day <= mark.day:
        return True
    return datetime.fromisoformat(rec.started_at) >= mark.updated_at


def counts_as_processed(
    watermarks: Mapping[tuple[str, str], Watermark] | None,
) -> Callable[[Any], bool]:
    """The rule a successful run must also pass to count as processing its day (health uses it too)."""
    marks = watermarks or {}
    # a provisional (intraday) run is never the day done: the nightly run still has to come
    return lambda rec: not rec.provisional and _before_watermark(rec, marks.get((rec.stage, rec.dataset)))


def processed_days(
    metadata: Metadata,
    required: Sequence[tuple[str, str]],
    watermarks: Mapping[tuple[str, str], Watermark] | None = None,
) -> tuple[set[date], set[date]]:
    """(days whose latest run of every required (stage, dataset) succeeded or was skipped and is
    not provisional, days with any run at all).

    A day after a (stage, dataset)'s watermark whose run started before the watermark was last set
    does not count as processed for it: a successful run moves the watermark forward to its day, so
    only a reset (`nkpipe reset --to D`) leaves such days behind, and those are to be done again.
    (A run after the watermark that started later, e.g. a skipped profit of a day without sales,
    moved nothing and still counts.)
    """
    ok: dict[tuple[str, str], set[date]] = {}
    attempted: set[date] = set()
    wanted = set(required)
    counts = counts_as_processed(watermarks)
    for stage in {stage for stage, _ in required}:
        for rec in metadata.runs(stage):
            if (rec.stage, rec.dataset) not in wanted:
                continue
            attempted.add(rec.day)
            if rec.status in DONE and counts(rec):
                ok.setdefault((rec.stage, rec.dataset), set()).add(rec.day)
    sets = [ok.get(pair, set()) for pair in required]
    return (set.intersection(*sets) if sets else set()), attempted


def new_days_after(last_full: date | None, until: date, max_days: int) -> list[date]:
    if last_full is None:
        return [until]
    if last_full >= until:
        return []
    days = days_between(last_full + timedelta(days=1), until)
    return days[:max_days]


# ---------------------------------------------------------------- what changed in Odoo


def day_scope(ds: Dataset, settings: Settings, day: date) -> tuple[dict[str, list], tuple[str, ...]]:
    """(day-defining model → domain, child models checked by id) for one target and day."""
    if ds.catchup is None:
        return {}, ()
    return ds.catchup.domains(settings.business_tz, day), ds.catchup.child_models


def _raw_versions(lake: Lake, dataset: str, day: date) -> dict[str, dict[int, str | None]] | None:
    """{model: {id: write_date as extracted}} of a raw partition (None when it does not exist)."""
    table = lake.read_partition(raw_spec(dataset), day)
    if table is None:
        return None
    versions: dict[str, dict[int, str | None]] = {}
    columns = (table.column(name).to_pylist() for name in ("model", "id", "write_date"))
    for model, rid, write_date in zip(*columns, strict=True):
        if not model.startswith("_"):
            versions.setdefault(model, {})[int(rid)] = write_date
    return versions


def _edited(now: dict[int, str | None], then: dict[int, str | None], since: str) -> int:
    """Records written after the version the partition holds (after the run, when it holds none)."""
    count = 0
    for rid, written in now.items():
        if rid not in then or not written:
            continue
        extracted = then[rid]
        if (extracted and written > extracted) or (not extracted and written >= since):
            count += 1
    return count


def _versions(records: Iterable[dict]) -> dict[int, str | None]:
    return {r["id"]: (r.get("write_date") or None) for r in records}


def changes_of_day(
    odoo: OdooClient, settings: Settings, lake: Lake, metadata: Metadata, target: str, day: date
) -> list[str]:
    """Why `target`'s partition of `day` no longer matches Odoo (empty when it still does).

    Compares ids and write_dates: what the day domain matches now against the raw partition, and the
    extracted child records by id. A record's write_date is compared with the one extracted, so no
    clock is involved; only records extracted without one fall back to the extract run's start.
    """
    run = metadata.last_success("extract", target, day)
    if run is None:
        return []
    ds = dataset_of(target)
    raw = _raw_versions(lake, ds.raw, day)
    if raw is None:
        return ["raw partition missing"]
    # a change committed late carries its transaction's start: look back the write overlap too
    margin = max(CLOCK_MARGIN, timedelta(seconds=getattr(settings, "odoo_write_overlap_s", 0)))
    started = datetime.fromisoformat(run.started_at).astimezone(UTC) - margin
    since = started.strftime(ODOO_DATETIME_FORMAT)
    domains, children = day_scope(ds, settings, day)
    reasons: list[str] = []
    for model, domain in domains.items():
        now = _versions(odoo.search_read_all(model, domain, ["write_date"]))
        then = raw.get(model, {})
        if edited := _edited(now, then, since):
            reasons.append(f"{edited} {model} written since the extraction")
        if new := len(now.keys() - then.keys()):
            reasons.append(f"{new} {model} new to the day")
        if gone := len(then.keys() - now.keys()):
            reasons.append(f"{gone} {model} gone from the day")
    for model in children if domains else tuple(raw):
        then = raw.get(model, {})
        if not then:
            continue
        now = _versions(read_by_ids(odoo, model, sorted(then), ["write_date"]))
        if edited := _edited(now, then, since):
            reasons.append(f"{edited} {model} written since the extraction")
        if gone := len(then.keys() - now.keys()):
            reasons.append(f"{gone} {model} deleted")
    return reasons


def pending_days(settings: Settings, metadata: Metadata, until: date) -> tuple[CatchUpPlan, set[date], list[date]]:
    """(a plan with last_full and new_days, the processed days, the lookback window): the days still
    to do, as catch-up and health both count them."""
    required = required_runs(TARGETS)
    processed, attempted = processed_days(metadata, required, read_watermarks(metadata, required))
    processed = {d for d in processed if d <= until}
    last_full = max(processed) if processed else None
    plan = CatchUpPlan(last_full, new_days_after(last_full, until, settings.max_range_days))
    window_start = until - timedelta(days=settings.catchup_lookback_days - 1)
    window = days_between(window_start, until)
    # a day of the window that was started but never finished (a failed stage) while later days did
    unfinished = [d for d in window if d in attempted - processed and (last_full is None or d < last_full)]
    plan.new_days = sorted(set(plan.new_days) | set(unfinished))
    return plan, processed, window


def plan_catch_up(settings: Settings, lake: Lake, odoo: OdooClient, now: datetime | None = None) -> CatchUpPlan:
    """What a catch-up would run: new days, and changed earlier days within the lookback."""
    metadata = Metadata(lake)
    targets = TARGETS
    until = yesterday(settings.business_tz, now)
    plan, processed, window = pending_days(settings, metadata, until)
    checked = [d for d in window if d in processed]
    plan.checked_days = checked
    plan.stale = [s for s in find_stale(lake) if s.day <= until and s.day not in plan.new_days]
    plan.unverified = unverified_to_rerun(metadata, checked, targets)
    for day in checked:
        for target in (t for t in DAY_SCOPED_TARGETS if t in targets):
            reasons = changes_of_day(odoo, settings, lake, metadata, target, day)
            if reasons:
                log.info("catch-up: %s %s changed: %s", target, day, "; ".join(reasons))
                plan.changes.append(DayChange(day, target, reasons))
    return plan


def unverified_to_rerun(metadata: Metadata, days: Sequence[date], targets: Sequence[str]) -> dict[date, list[str]]:
    """Unverified days to run once more: {day: targets whose extract or transform was unverified}.

    A day is run again once: when the latest unverified run of a (stage, dataset) already follows
    an earlier unverified run of the same day, a re-run did not clear it and the day is left to the
    operator (it stays unverified, loudly, in health and on the dashboard)."""
    from functions.verification import day_verification

    found: dict[date, list[str]] = {}
    for day in days:
        runs = day_verification(metadata, day).unverified_runs
        if not runs:
            continue
        tried = [
            rec for rec in runs
            if sum(r.status == UNVERIFIED for r in metadata.history(rec.stage, rec.dataset, day)) > 1
        ]
        if tried:
            log.warning("catch-up: %s is still unverified after a re-run; left for the operator", day)
            continue
        found[day] = sorted({rec.dataset for rec in runs if rec.stage != "profit" and rec.dataset in targets})
    return found


# ---------------------------------------------------------------- running it


def downstream_days(plan: CatchUpPlan) -> list[date]:
    """Days whose profit/kpi/mirror must run again after the repairs."""
    days: set[date] = set()
    for change in plan.changes:
        if change.target == "purchases":
            # a bill is the latest cost of the days after it too
            days.update(d for d in plan.checked_days if d >= change.day)
        elif change.target in SALES_TARGETS:
            days.add(change.day)
    return sorted(days)


def run_catch_up(
    settings: Settings,
    lake: Lake,
    odoo: OdooClient | None = None,
    progress: Callable[[StageResult], None] | None = None,
    now: datetime | None = None,
) -> CatchUpReport:
    """Plan, then run the repairs (oldest first) and the new days through every stage."""
    own = odoo is None
    if odoo is None:
        from shared.config import require_odoo
        from shared.odoo import connect

        require_odoo(settings)
        odoo = connect(settings)
    try:
        # one catch-up at a time: two would both see the same missed days and run them twice
        with lake.lock("catch-up", new_run_id()):
            return _plan_and_run(settings, lake, odoo, progress, now)
    finally:
        if own:
            odoo.close()


def _plan_and_run(
    settings: Settings, lake: Lake, odoo: OdooClient, progress: Callable[[StageResult], None] | None, now: datetime | None
) -> CatchUpReport:
    plan = plan_catch_up(settings, lake, odoo, now)
    report = CatchUpReport(plan)
    for day, targets in plan.unverified.items():
        log.info("catch-up: running unverified day %s again (%s)", day, ", ".join(targets) or "profit")
        if targets:
            report.results += run_days(
                settings, lake, [day], ("extract", "transform"), targets, progress=progress, odoo=odoo
            )
        report.results += run_days(settings, lake, [day], DOWNSTREAM_STAGES, progress=progress, odoo=odoo)
    for day, targets in plan.reruns().items():
        targets = [t for t in targets if t not in plan.unverified.get(day, ())]  # just run above
        if not targets:
            continue
        report.results += run_days(
            settings, lake, [day], ("extract", "transform"), targets, progress=progress, odoo=odoo
        )
    again = downstream_days(plan)
    if again:
        report.results += run_days(settings, lake, again, DOWNSTREAM_STAGES, progress=progress, odoo=odoo)
    for refresh in plan.refreshes():
        # what the repairs above already re-ran is fresh now; the rest of the stale days run here
        still = {s.day for s in find_stale(lake)}
        days = [d for d in refresh.days if d in still]
        if days:
            report.results += run_days(
                settings, lake, days, refresh.stages, refresh.targets or TARGETS, progress=progress, odoo=odoo
            )
    if plan.new_days:
        report.results += run_days(
            settings, lake, plan.new_days, STAGES, TARGETS, progress=progress, odoo=odoo
        )
    return report
