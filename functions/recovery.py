"""Operator recovery tools made safe: purge, reset, rebuild, restore.

The old guide deleted folders by hand, overwrote `etl_status.json` and ran `find … -delete`. Here every
destructive step names exactly what it touches, shows it first (nothing is deleted without `yes`),
refuses an empty target list, and never deletes a day it does not replace.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared import clock
from shared.errors import InputError, NotFoundError
from shared.lake import Lake, TableSpec
from shared.metadata import SUCCESS, Metadata, StageResult

LAYER_NAMES = {"raw": "raw", "clean": "clean", "star": "star-schema", "star-schema": "star-schema"}
# Raw retention ("--older-than 90d") is the one purge allowed without naming targets.
RETENTION_LAYER = "raw"


def operator() -> str:
    """Who is acting, for the run records (CLI user, or the Cloud Run service)."""
    for name in ("NKPIPE_OPERATOR", "K_SERVICE"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# --- which tables a target owns ---------------------------------------------------------------------
def target_tables(target: str) -> list[TableSpec]:
    """Every lake table the extract and transform of `target` write (raw, clean, star)."""
    from functions.datasets import dataset

    return sorted(dataset(target).tables, key=lambda s: (s.layer, s.name))


def downstream_tables() -> list[TableSpec]:
    from shared.schemas import PROFIT_OUTPUTS

    return list(PROFIT_OUTPUTS)


def all_known_tables() -> list[TableSpec]:
    from functions.datasets import DATASETS

    specs: dict[str, TableSpec] = {}
    for ds in DATASETS:
        for spec in ds.tables:
            specs[str(spec)] = spec
    for spec in downstream_tables():
        specs[str(spec)] = spec
    return list(specs.values())


def find_table(name: str) -> TableSpec:
    """A table by `name` or `layer/name` (e.g. `fact_sales`, `raw/pos`)."""
    matches = [s for s in all_known_tables() if name in (s.name, str(s))]
    if not matches:
        raise InputError(f"unknown table {name!r}: see `nkpipe sql` for the table names")
    if len(matches) > 1:
        raise InputError(f"table name {name!r} is ambiguous: use one of {', '.join(map(str, matches))}")
    return matches[0]


def parse_layers(text: str | None) -> tuple[str, ...]:
    items = [s.strip() for s in (text or "").split(",") if s.strip()]
    if not items:
        raise InputError("--layers is required: any of raw, clean, star")
    unknown = [s for s in items if s not in LAYER_NAMES]
    if unknown:
        raise InputError(f"unknown layer {', '.join(map(repr, unknown))}: choose from raw, clean, star")
    return tuple(dict.fromkeys(LAYER_NAMES[s] for s in items))


def parse_age(text: str) -> timedelta:
    """`90d` (days) or `12w` (weeks)."""
    raw = text.strip().lower()
    units = {"d": 1, "w": 7}
    if len(raw) < 2 or raw[-1] not in units or not raw[:-1].isdigit() or int(raw[:-1]) <= 0:
        raise InputError(f"bad age {text!r}: use a number of days like 90d (or weeks like 12w)")
    return timedelta(days=int(raw[:-1]) * units[raw[-1]])


# --- purge ------------------------------------------------------------------------------------------
@dataclass
class PurgePlan:
    keys: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)  # table -> partitions
    # With --with-downstream: the days whose sales KPI rows (built from the lake) go too.
    sales_kpi_days: list[date] = field(default_factory=list)
    # Whose watermarks move back to the day before the first purged day, so health and catch-up
    # both see those days as not processed (empty for raw retention: the star schema stays).
    reset_datasets: list[str] = field(default_factory=list)
    first_day: date | None = None

    def add(self, spec: TableSpec, key: str) -> None:
        self.keys.append(key)
        self.tables[str(spec)] = self.tables.get(str(spec), 0) + 1


def plan_purge(
    lake: Lake,
    targets: Sequence[str],
    layers: Sequence[str],
    start: date | None = None,
    end: date | None = None,
    older_than: date | None = None,
    with_downstream: bool = False,
) -> PurgePlan:
    """Exactly the partitions to delete. Dimensions (one file, not partitioned) only without dates."""
    if not targets:
        raise InputError("no targets given: name them with --targets (the whole lake is never one flag away)")
    if start and end and end < start:
        raise InputError(f"--to {end} is before --from {start}")
    specs: dict[str, TableSpec] = {}
    for target in targets:
        for spec in target_tables(target):
            if spec.layer in layers:
                specs[str(spec)] = spec
    if with_downstream:
        for spec in downstream_tables():
            specs[str(spec)] = spec
    dated = start is not None or end is not None or older_than is not None
    plan = PurgePlan()
    purged_days: set[date] = set()
    for spec in sorted(specs.values(), key=lambda s: (s.layer, s.name)):
        if not spec.partitioned:
            if not dated and lake.store.exists(lake.table_key(spec)):
                plan.add(spec, lake.table_key(spec))
            continue
        for day in lake.list_dates(spec):
            if (start and day < start) or (end and day > end) or (older_than and day >= older_than):
                continue
            plan.add(spec, lake.partition_key(spec, day))
            purged_days.add(day)
    if with_downstream:
        # Inventory and fleet KPIs come from the operational tables, not the lake: they stay.
        plan.sales_kpi_days = sorted(purged_days)
    retention = older_than is not None and tuple(layers) == (RETENTION_LAYER,)
    if purged_days and not retention:
        plan.first_day = min(purged_days)
        plan.reset_datasets = [*targets, *(("profit", "kpi") if with_downstream else ())]
    return plan


def execute_purge(lake: Lake, plan: PurgePlan, reason: str, settings=None) -> int:
    """Delete the planned keys (and, with downstream, the sales KPI rows of those days in the KPI
    store and the Supabase mirror) and leave a run record saying who did it and why."""
    kpi_deleted: dict[str, int] = {}
    if plan.sales_kpi_days:
        if settings is None:
            raise InputError("purging downstream KPI rows needs the settings of the KPI store")
        from functions.kpi import delete_sales_days

        # KPI rows first: if that fails the lake is untouched and the purge can simply be retried.
        kpi_deleted = delete_sales_days(settings, plan.sales_kpi_days)
    deleted = sum(1 for key in plan.keys if lake.store.delete(key))
    moved = reset_watermarks(lake, plan.first_day, plan.reset_datasets) if plan.first_day else {}
    meta = Metadata(lake)
    rec = meta.start("ops", "purge", clock.now().date())
    extra = {"by": operator(), "reason": reason, "tables": plan.tables,
             "watermarks": {k: [a.isoformat(), b.isoformat()] for k, (a, b) in moved.items()}}
    if plan.sales_kpi_days:
        extra.update(sales_kpi_days=[d.isoformat() for d in plan.sales_kpi_days], kpi_rows_deleted=kpi_deleted)
    meta.finish(rec, rows={"deleted": deleted}, extra=extra)
    return deleted


# --- reset ------------------------------------------------------------------------------------------
def reset_watermarks(lake: Lake, to_day: date, targets: Iterable[str] | None = None, apply: bool = True) -> dict[str, tuple[date, date]]:
    """Move every watermark at or after `to_day` back to the day before it, so catch-up redoes from
    `to_day`. Returns {"stage/dataset": (old, new)}; recorded as an `ops/reset` run with who and when."""
    wanted = set(targets) if targets else None
    new = to_day - timedelta(days=1)
    meta = Metadata(lake)
    changes = {}
    for (stage, dataset), current in sorted(meta.watermarks().items()):
        if wanted is not None and dataset not in wanted:
            continue
        if current >= to_day:
            changes[f"{stage}/{dataset}"] = (current, new)
    if apply and changes:
        for name in changes:
            stage, dataset = name.split("/", 1)
            meta.set_watermark(stage, dataset, new, by=f"reset by {operator()}", force=True)
        rec = meta.start("ops", "reset", to_day)
        meta.finish(
            rec,
            rows={"watermarks": len(changes)},
            extra={"by": operator(), "to": to_day.isoformat(), "moved": {k: [a.isoformat(), b.isoformat()] for k, (a, b) in changes.items()}},
        )
    return changes


# --- rebuild ----------------------------------------------------------------------------------------
def _rebuild_key(targets: Sequence[str], start: date, end: date, stages: Sequence[str]) -> str:
    ident = json.dumps([sorted(targets), start.isoformat(), end.isoformat(), list(stages)])
    return f"metadata/rebuilds/{hashlib.sha256(ident.encode()).hexdigest()[:16]}.json"


def rebuild(
    settings,
    lake: Lake,
    targets: Sequence[str],
    days: Sequence[date],
    with_downstream: bool = False,
    progress: Callable[[StageResult], None] | None = None,
    on_day: Callable[[date, int, int], None] | None = None,
) -> dict:
    """Reset the watermarks to the first day, then rerun day by day, oldest first.

    Each day is replaced atomically by its rerun (never deleted first), and recorded as done in a
    state file, so an interrupted rebuild called again with the same arguments continues where it
    stopped. Returns the state document.
    """
    from functions.pipeline import run_days

    if not targets:
        raise InputError("no targets given: name them with --targets")
    stages = ("extract", "transform") + (("profit", "kpi", "mirror") if with_downstream else ())
    key = _rebuild_key(targets, days[0], days[-1], stages)
    state = lake.read_json(key)
    if not state or state.get("status") == "finished":
        state = {
            "targets": list(targets),
            "from": days[0].isoformat(),
            "to": days[-1].isoformat(),
            "stages": list(stages),
            "done": [],
            "status": "running",
            "started_at": clock.now().isoformat(),
            "by": operator(),
        }
        # kept to be put back at the end: the days after the range were not touched and stay processed
        state["watermarks_before"] = {
            f"{stage}/{dataset}": day.isoformat()
            for (stage, dataset), day in Metadata(lake).watermarks().items()
            if dataset in targets
        }
        reset_watermarks(lake, days[0], targets)
        lake.write_json(key, state)
    state["resumed"] = bool(state["done"])
    done = set(state["done"])
    for index, day in enumerate(days, 1):
        if day.isoformat() in done:
            continue
        run_days(settings, lake, [day], stages, targets, progress=progress)
        state["done"].append(day.isoformat())
        lake.write_json(key, state)
        if on_day:
            on_day(day, index, len(days))
    meta = Metadata(lake)
    for name, before in (state.get("watermarks_before") or {}).items():
        stage, dataset = name.split("/", 1)
        current = meta.get_watermark(stage, dataset)
        if current is None or current < date.fromisoformat(before):
            meta.set_watermark(stage, dataset, date.fromisoformat(before), by=f"rebuild by {operator()}", force=True)
    state["status"] = "finished"
    state["finished_at"] = clock.now().isoformat()
    lake.write_json(key, state)
    rec = meta.start("ops", "rebuild", days[0])
    meta.finish(rec, rows={"days": len(days)}, extra={k: state[k] for k in ("targets", "from", "to", "by")})
    return state


# --- restore ---------------------------------------------------------------------------------------
# A partition's stored versions form a timeline: every write by a run (extract, transform, profit)
# and every restore made one. A plain restore goes back one step from the newest version a *run*
# wrote, so restoring twice finds the same target, sees it is already current and does nothing;
# `--back N` goes N steps back from there, `--version V` names one stored version.


@dataclass(frozen=True)
class StoredVersion:
    version: str  # the store's id (GCS generation, local copy name, "current")
    updated: datetime
    size: int
    rows: int | None
    digest: str
    current: bool
    written_by: str | None  # "<stage> <run_id>", or "restore <run_id>"; None when no record matches
    written_at: str | None = None  # when that run started (the run record's clock)

    @property
    def by_restore(self) -> bool:
        return bool(self.written_by and self.written_by.startswith("restore "))


def writer_of(spec: TableSpec) -> tuple[str, str] | None:
    """The (stage, dataset) whose runs write `spec`."""
    from functions.pipeline import TARGETS

    if str(spec) in {str(s) for s in downstream_tables()}:
        return "profit", "profit"
    for target in TARGETS:
        if str(spec) in {str(s) for s in target_tables(target)}:
            return ("extract" if spec.layer == "raw" else "transform"), target
    return None


def _write_events(lake: Lake, spec: TableSpec, key: str, day: date | None) -> list[tuple[str, str]]:
    """(started_at, label) of every recorded write of `key`: successful writer runs and restores."""
    meta = Metadata(lake)
    events: list[tuple[str, str]] = []
    writer = writer_of(spec)
    if writer is not None and day is not None:
        events += [(r.started_at, f"{r.stage} {r.run_id}") for r in meta.history(*writer, day) if r.status == SUCCESS]
    restore_days = {day} if day else {r.day for r in meta.runs("ops", "restore")}
    for restore_day in restore_days:
        events += [
            (r.started_at, f"restore {r.run_id}")
            for r in meta.history("ops", "restore", restore_day)
            if r.status == SUCCESS and r.extra.get("key") == key
        ]
    return sorted(events)


def _parquet_rows(data: bytes) -> int | None:
    import io

    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
    except Exception:  # noqa: BLE001 - a kept copy that is not Parquet is listed without a row count
        return None


def list_versions(lake: Lake, spec: TableSpec, day: date | None) -> list[StoredVersion]:
    """Every stored version of a partition, oldest first, with its rows and the run that wrote it.

    Versions are matched to write records from the newest backwards (the store keeps the newest
    copies; older ones are pruned), so no clock is compared with another.
    """
    key = _key_of(lake, spec, day)
    stored = lake.store.versions(key)
    events: list[tuple[str | None, str | None]] = list(_write_events(lake, spec, key, day))
    labels: list[tuple[str | None, str | None]] = [(None, None)] * len(stored)
    # the newest write record goes with the newest version, and so on back (the shorter list ends it)
    for index, (started, label) in zip(range(len(stored) - 1, -1, -1), reversed(events), strict=False):
        labels[index] = (started, label)
    found = []
    for version, (started, label) in zip(stored, labels, strict=True):
        data = lake.store.get(key, None if version.current else version.version) or b""
        found.append(
            StoredVersion(
                version.version, version.updated, version.size, _parquet_rows(data),
                hashlib.sha256(data).hexdigest(), version.current, label, started,
            )
        )
    return found


def restore_target(versions: Sequence[StoredVersion], back: int = 1, version: str | None = None) -> StoredVersion:
    """The version a restore puts back: `version`, or `back` steps before the newest run-written one."""
    key = "this partition"
    if version:
        chosen = next((v for v in versions if v.version == version), None)
        if chosen is None:
            raise NotFoundError(f"{key}: no version {version!r} (see --list)")
        return chosen
    if back < 1:
        raise InputError("--back must be 1 or more")
    written = [i for i, v in enumerate(versions) if not v.by_restore]
    newest = written[-1] if written else len(versions) - 1
    if newest - back < 0:
        raise NotFoundError(
            f"no version {back} step(s) before the newest one written by a run: "
            f"{newest} older version(s) kept (see --list)"
        )
    return versions[newest - back]


def restore_partition(
    lake: Lake,
    spec: TableSpec,
    day: date | None,
    version: str | None = None,
    apply: bool = True,
    back: int = 1,
) -> dict:
    """Put back an earlier stored version of one partition (or of a dimension file).

    On gs:// the versions are object generations (bucket versioning); on a local lake the copies the
    atomic writer kept. The replaced copy is itself kept, so a restore can be undone with --version.
    Restoring what is already current does nothing (`info["changed"]` is False) and records nothing.
    """
    key = _key_of(lake, spec, day)
    versions = list_versions(lake, spec, day)
    if not any(not v.current for v in versions) and not version:
        raise NotFoundError(
            f"{key}: no previous version kept"
            + (" (is object versioning on for the bucket?)" if lake.url.startswith("gs://") else "")
        )
    try:
        chosen = restore_target(versions, back, version)
    except NotFoundError as exc:
        raise NotFoundError(f"{key}: {exc}") from None
    current = next((v for v in versions if v.current), None)
    info = {
        "key": key, "version": chosen.version, "updated": chosen.written_at or chosen.updated.isoformat(),
        "size": chosen.size,
        "rows": chosen.rows, "written_by": chosen.written_by,
        "changed": current is None or current.digest != chosen.digest,
    }
    if apply and info["changed"]:
        data = lake.store.get(key, None if chosen.current else chosen.version)
        if data is None:
            raise NotFoundError(f"{key}: version {chosen.version} could not be read")
        from shared.lake import from_parquet_bytes

        from_parquet_bytes(data)  # never put back something that is not a readable Parquet file
        meta = Metadata(lake)
        rec = meta.start("ops", "restore", day or clock.now().date())
        lake.store.put(key, data)
        meta.finish(
            rec,
            rows={"rows": chosen.rows or 0},
            extra={"by": operator(), "table": str(spec), "back": None if version else back,
                   "replaced": current.version if current else None, **info},
        )
        info["run_id"] = rec.run_id
    return info


def _key_of(lake: Lake, spec: TableSpec, day: date | None) -> str:
    if not spec.partitioned:
        return lake.table_key(spec)
    if day is None:
        raise InputError(f"{spec} is partitioned: give --date")
    return lake.partition_key(spec, day)
