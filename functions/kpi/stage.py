"""The kpi and mirror stages, migrate, rollback and drop: the functions the CLI and functions call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from functions.kpi import compute, mirror, schema, sqlfile
from functions.kpi.notices import warn_once
from functions.kpi.store import open_store
from functions.kpi.tables import OPS_TABLES_READ_BY_KPI
from functions.kpi.transports import DirectMirror, mirror_transport
from functions.runs import DatasetRun, Outcome, run_recorded
from shared import clock, lineage
from shared.config import Settings
from shared.dates import business_day_window
from shared.errors import ConfigError, InputError
from shared.lake import Lake
from shared.log import get_logger
from shared.metadata import SKIPPED, Metadata, StageResult, provisional_as_of
from shared.schemas import AGG_PROFIT_DAILY, AGG_PROFIT_DAILY_BY_PRODUCT, AGG_PROFIT_HOURLY

log = get_logger(__name__)

STORE_TARGETS = ("store", "supabase")


# ---------------------------------------------------------------- kpi stage


def read_hourly_rows(settings: Settings, lake: Lake, day: date, now: datetime) -> list[dict]:
    """sales_kpi_hourly rows of `day` from the lake's agg_profit_hourly (none when it is missing)."""
    from functions.kpi.sales import sales_kpi_hourly_rows

    return sales_kpi_hourly_rows(
        day,
        settings.nk_org_id,
        lake.read_partition(AGG_PROFIT_HOURLY, day),
        compute.utc_naive(now).replace(microsecond=0),
    )


def sales_mark(settings: Settings, day: date, now: datetime) -> tuple[bool, datetime]:
    """(provisional, as_of) of the sales rows written now: inside an intraday run the moment its
    data were read; otherwise final, complete up to the end of the day (or now, for a day not over)."""
    as_of = provisional_as_of()
    if as_of is not None:
        return True, compute.utc_naive(as_of).replace(microsecond=0)
    return False, compute.utc_naive(min(now, business_day_window(day, settings.tz)[1])).replace(microsecond=0)


def read_sales_rows(
    settings: Settings, lake: Lake, day: date, now: datetime, verified: bool = True
) -> tuple[list, list, str]:
    """Sales KPI rows of `day` from the lake's profit outputs, and a note when there are none."""
    from functions.kpi.sales import sales_kpi_rows
    from shared.schemas import (
        AGG_PROFIT_DAILY,
        AGG_PROFIT_DAILY_BY_PRODUCT,
        DIM_PRODUCTS,
        FACT_SALES_LINES_PROFIT,
    )

    daily = lake.read_partition(AGG_PROFIT_DAILY, day)
    if daily is None:
        return [], [], f"no agg_profit_daily for {day}: sales KPIs of the day are empty"
    rows = sales_kpi_rows(
        day,
        settings.nk_org_id,
        daily,
        lake.read_partition(AGG_PROFIT_DAILY_BY_PRODUCT, day),
        lake.read_partition(FACT_SALES_LINES_PROFIT, day),
        lake.read_table(DIM_PRODUCTS),
        compute.utc_naive(now).replace(microsecond=0),
        verified,
    )
    return rows[0], rows[1], ""


def require_ops_tables(store: Any) -> None:
    """The operational tables the KPI SQL reads must exist (they belong to the operations system)."""
    missing = [t for t in OPS_TABLES_READ_BY_KPI if not store.table_exists(t)]
    if missing:
        message = (
            f"{store.description} has no operational table(s) {', '.join(missing)}: point TIDB_DATABASE at the "
            "PTMMM operations schema (or load demo operations with nkpipe demo --load-ops-into-tidb)"
        )
        warn_once("missing-ops-tables", "%s", message)
        raise ConfigError(message)


def run_kpi(settings: Settings, lake: Lake, day: date, dry_run: bool = False, run_id: str | None = None) -> StageResult:
    """Compute and store day `day` of every KPI table (TiDB, or the embedded store) in one transaction."""
    if dry_run:
        where = (
            f"TiDB {settings.tidb_host}"
            if settings.tidb_host
            else f"embedded store {settings.kpi_duckdb_path}"
        )
        return StageResult(
            "kpi", "kpi", day, status=SKIPPED, message=f"dry run: would replace {day} in {where}"
        )
    [result] = run_recorded(lake, "kpi", day, [DatasetRun("kpi", lambda _: kpi_day(settings, lake, day))], run_id)
    return result


def kpi_day(settings: Settings, lake: Lake, day: date) -> Outcome:
    """The kpi stage's work: every KPI table's rows of `day`, replaced in one transaction; the sales
    rows carry the day's verification (functions/verification.py) as their `verified` flag."""
    from functions.kpi.sales import mark
    from functions.verification import day_verification

    now = clock.now()
    provisional, as_of = sales_mark(settings, day, now)
    inputs = lineage.input_stamps(lake, (AGG_PROFIT_DAILY, AGG_PROFIT_DAILY_BY_PRODUCT, AGG_PROFIT_HOURLY), day)
    # a provisional (intraday) day is never "verified": its checks run with the nightly run
    verified = not provisional and day_verification(Metadata(lake), day).verified
    sales_daily, sales_by_product, note = read_sales_rows(settings, lake, day, now, verified)
    sales_daily, sales_by_product, sales_hourly = (
        mark(rows, provisional, as_of)
        for rows in (sales_daily, sales_by_product, read_hourly_rows(settings, lake, day, now))
    )
    with open_store(settings) as store:
        applied = schema.migrate_store(store)
        if provisional:
            # An intraday refresh: only the sales tables (from the lake); inventory and fleet of a
            # day that is not over come with the nightly run.
            rows = compute.write_sales_day(store, day, sales_daily, sales_by_product, sales_hourly)
        else:
            require_ops_tables(store)
            rows = compute.write_day(
                store, day, settings.tz, sales_daily, sales_by_product, now=now, sales_hourly=sales_hourly
            )
        extra = {"store": store.description, "migrations": applied, "note": note, "verified": verified}
    lineage.attach(extra, inputs)
    return Outcome(rows=dict(rows), message=note, extra=extra)


# ---------------------------------------------------------------- mirror stage


def run_mirror(settings: Settings, lake: Lake, day: date, dry_run: bool = False, run_id: str | None = None) -> StageResult:
    """Copy day `day` of the KPI tables to Supabase and check it; skipped when Supabase is not set."""
    if dry_run:
        transport = mirror_transport(settings)
        message = (
            f"dry run: would mirror {day} via {transport.name}" if transport else "dry run: no Supabase setting"
        )
        return StageResult("mirror", "mirror", day, status=SKIPPED, message=message)
    [result] = run_recorded(
        lake, "mirror", day, [DatasetRun("mirror", lambda _: mirror_day(settings, lake, day))], run_id
    )
    return result


def mirror_day(settings: Settings, lake: Lake, day: date) -> Outcome:
    """The mirror stage's work: day `day` of the KPI tables copied to Supabase, count and checksum checked."""
    transport = mirror_transport(settings)
    if transport is None:
        warn_once(
            "mirror-skipped",
            "no Supabase setting (SUPABASE_DB_URL or SUPABASE_URL+SUPABASE_SERVICE_KEY): mirror skipped",
        )
        return Outcome(status=SKIPPED, message="no Supabase setting: mirror skipped")
    # the KPI rows it copies are identified by the kpi run that wrote them (its lineage input)
    kpi_run = Metadata(lake).last_success("kpi", "kpi", day)
    inputs = lineage.run_input("kpi", "kpi", day, kpi_run.run_id if kpi_run else None)
    with open_store(settings) as store:
        if schema.pending_store_migrations(store):
            schema.migrate_store(store)
        source = mirror.read_source_day(store, day)
    checks = transport.mirror_day(day, source)
    return Outcome(
        rows={c.table: c.target_rows for c in checks},
        message=f"mirrored via {transport.name}, count and checksum match",
        extra={
            "transport": transport.name,
            "checksums": {c.table: c.target_checksum for c in checks},
            lineage.LINEAGE_KEY: inputs,
        },
    )


# ---------------------------------------------------------------- migrate, rollback, drop


def migrate(settings: Settings, target: str = "all") -> dict[str, list[str]]:
    """Create or update the KPI tables in TiDB/the embedded store ('store') and in Supabase ('supabase').

    Returns the applied migration labels per target ([] when already up to date).
    """
    if target not in ("all", *STORE_TARGETS):
        raise InputError(f"unknown migrate target {target!r}: choose from all, {', '.join(STORE_TARGETS)}")
    applied: dict[str, list[str]] = {}
    if target in ("all", "store"):
        with open_store(settings) as store:
            applied[schema.store_target(store)] = schema.migrate_store(store)
    if target in ("all", "supabase"):
        transport = mirror_transport(settings)
        if transport is None:
            if target == "supabase":
                raise ConfigError("no Supabase setting: set SUPABASE_DB_URL to migrate Supabase")
        else:
            migrated = transport.migrate()  # None over REST: the files are applied in the SQL editor
            if migrated is not None:
                applied["supabase"] = migrated
    return applied


def plan_rollback(settings: Settings, first: date, last: date) -> dict[str, dict[str, int]]:
    """What `kpi rollback` of first..last would delete: {side: {table: rows}}; changes nothing."""
    planned: dict[str, dict[str, int]] = {}
    with open_store(settings) as store:
        planned[schema.store_target(store)] = compute.count_range(store, first, last)
    transport = mirror_transport(settings)
    if transport is not None:
        planned["supabase"] = transport.count_days(first, last)
    return planned


def plan_drop(settings: Settings) -> dict[str, dict[str, int]]:
    """What `kpi drop` would remove: {side: {table: rows}} of the KPI tables that exist."""
    planned: dict[str, dict[str, int]] = {}
    with open_store(settings) as store:
        planned[schema.store_target(store)] = compute.count_all(store)
    transport = mirror_transport(settings)
    if isinstance(transport, DirectMirror):  # over REST the mirror tables are dropped by hand
        planned["supabase"] = transport.count_all()
    return planned


def rollback_day(settings: Settings, day: date) -> dict[str, dict[str, int]]:
    """Delete one data_date from every KPI table, in TiDB/the embedded store and in Supabase."""
    done: dict[str, dict[str, int]] = {}
    with open_store(settings) as store:
        if schema.pending_store_migrations(store):
            schema.migrate_store(store)
        before = compute.count_day(store, day)
        compute.rollback_store_day(store, day)
        done[schema.store_target(store)] = before
    transport = mirror_transport(settings)
    if transport is not None:
        done["supabase"] = transport.delete_day(day)
    return done


def delete_sales_days(settings: Settings, days: Sequence[date]) -> dict[str, int]:
    """Delete the sales KPI rows of `days` (they derive from the lake) in the KPI store and, when
    Supabase is configured, in the mirror: one transaction per side. Returns rows deleted, keyed
    `<side>/<table>` (side: tidb, duckdb or supabase)."""
    days = sorted(set(days))
    done: dict[str, int] = {}
    if not days:
        return done
    with open_store(settings) as store:
        if schema.pending_store_migrations(store):
            schema.migrate_store(store)
        side = schema.store_target(store)
        for table, count in compute.delete_sales_store_days(store, days).items():
            done[f"{side}/{table}"] = count
    transport = mirror_transport(settings)
    deleted = transport.delete_sales_days(days) if transport is not None else {}
    done.update({f"supabase/{table}": count for table, count in deleted.items()})
    return done


def drop_kpi_tables(settings: Settings, confirm: bool = False) -> dict[str, list[str]]:
    """Drop the KPI tables on both sides. Refuses unless `confirm` (the CLI's --yes)."""
    if not confirm:
        raise InputError("refusing to drop the KPI tables without --yes")
    dropped: dict[str, list[str]] = {}
    with open_store(settings) as store:
        present = [
            t
            for t in (*compute.KPI_TABLES, "kpi_inventory_balance", "kpi_inventory_balance_day")
            if store.table_exists(t)
        ]
        store.run_file("sql/drop_tables.sql")
        dropped[schema.store_target(store)] = present
    transport = mirror_transport(settings)
    if transport is not None:
        tables = transport.drop_tables()  # None over REST: dropped in the SQL editor
        if tables is not None:
            dropped["supabase"] = tables
    return dropped


# ---------------------------------------------------------------- demo


def demo_summary(settings: Settings, day: date) -> list[dict[str, Any]]:
    """A few lines per KPI table for `nkpipe demo` to print (from TiDB or the embedded store)."""
    with open_store(settings) as store:
        if schema.pending_store_migrations(store):
            schema.migrate_store(store)
        rows = store.query_dicts(
            sqlfile.statements("sql/demo_summary.sql")[0], {"day": day}, what="demo summary"
        )
    # Plain numbers for printing (drivers return Decimal for DECIMAL sums).
    return [{k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in rows]
