"""Write one business day of every KPI table in one transaction: delete the day, insert the day.

A rerun of a day leaves exactly one copy; a failure anywhere rolls the whole day back, so the
previous copy stays. The same statements run on TiDB/MariaDB and on the embedded DuckDB store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from functions.kpi import sqlfile, tables
from functions.kpi.store import KpiStore
from shared import clock
from shared.dates import business_day_of, business_day_window
from shared.errors import TransientError

KPI_TABLES: tuple[str, ...] = tuple(table.name for table in tables.KPI_TABLES)

# Start of history for a day that has no trusted balance day before it (MySQL DATETIME's minimum).
BEGINNING_OF_HISTORY = datetime(1000, 1, 1)

_COUNT_DAY = {table: f"SELECT COUNT(*) FROM {table} WHERE data_date = :day" for table in KPI_TABLES}
_COUNT_RANGE = {
    table: f"SELECT COUNT(*) FROM {table} WHERE data_date BETWEEN :first AND :last" for table in KPI_TABLES
}
_COUNT_ALL = {table: f"SELECT COUNT(*) FROM {table}" for table in KPI_TABLES}


def utc_naive(moment: datetime) -> datetime:
    """Operational timestamps are naive UTC DATETIME; parameters are passed the same way."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def day_parameters(day: date, tz: Any, now: datetime) -> dict[str, Any]:
    start, end = business_day_window(day, tz)
    return {
        "day": day,
        "day_start": utc_naive(start),
        "day_end": utc_naive(end),
        "now": utc_naive(now).replace(microsecond=0),
        # A balance computed before its day ended must never be the start of a later day.
        "is_final": utc_naive(now) >= utc_naive(end),
    }


def base_parameters(store: KpiStore, day: date, tz: Any) -> dict[str, Any]:
    """The starting balance of `day`: the latest trusted balance day that no later insert missed.

    A balance day covered every inventory_tx id up to its covered_max_id. A row with a higher id dated
    before that day's end (a backdated insert) makes it, and every balance day from that row's business
    day on, unusable: the search moves to an earlier day, or to full history when none is left. In the
    normal case this is one primary-key range over the rows added since the balance was saved.
    """
    before = day
    while True:
        found = store.query(sqlfile.statements("sql/base_balance_day.sql")[0], {"day": day, "before": before})
        if not found:
            return {"base_day": None, "base_end": BEGINNING_OF_HISTORY}
        base_day, base_max_id = found[0]
        if isinstance(base_day, datetime):
            base_day = base_day.date()
        base_end = utc_naive(business_day_window(base_day, tz)[1])
        late_rows, earliest = store.query(
            sqlfile.statements("sql/balance_late_rows.sql")[0],
            {"base_max_id": base_max_id, "base_end": base_end},
        )[0]
        if not late_rows:
            return {"base_day": base_day, "base_end": base_end}
        before = business_day_of(earliest, tz)
        store.run_file("sql/balance_forget_from.sql", {"stale_from": before})


LOCK_CONFLICT_ATTEMPTS = 3


def write_day(
    store: KpiStore,
    day: date,
    tz: Any,
    sales_daily: Sequence[dict[str, Any]] = (),
    sales_by_product: Sequence[dict[str, Any]] = (),
    now: datetime | None = None,
    sales_hourly: Sequence[dict[str, Any]] = (),
) -> dict[str, int]:
    """Replace day `day` of every KPI table; returns the rows now stored per table.

    A deadlock or write conflict with a concurrent run of the same day rolls the whole transaction
    back; it is then run again (up to LOCK_CONFLICT_ATTEMPTS times) before the error goes up.
    """
    return _retry_lock_conflicts(
        lambda: _write_day_once(store, day, tz, sales_daily, sales_by_product, now, sales_hourly)
    )


def _retry_lock_conflicts(write: Callable[[], dict[str, int]]) -> dict[str, int]:
    """Run one day's transaction; again (up to LOCK_CONFLICT_ATTEMPTS times) after a deadlock or a
    write conflict with a concurrent run, which rolled it back whole."""
    for attempt in range(1, LOCK_CONFLICT_ATTEMPTS + 1):
        try:
            return write()
        except TransientError as exc:
            if not getattr(exc, "lock_conflict", False) or attempt == LOCK_CONFLICT_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _write_day_once(
    store: KpiStore,
    day: date,
    tz: Any,
    sales_daily: Sequence[dict[str, Any]],
    sales_by_product: Sequence[dict[str, Any]],
    now: datetime | None,
    sales_hourly: Sequence[dict[str, Any]] = (),
) -> dict[str, int]:
    now = now or clock.now()
    params = day_parameters(day, tz, now)
    with store.transaction():
        params["covered_max_id"] = int(store.query(sqlfile.statements("sql/inventory_max_id.sql")[0])[0][0])
        params.update(base_parameters(store, day, tz))
        store.run_file("sql/inventory_day.sql", params)
        store.run_file("sql/fleet_day.sql", params)
        _replace_sales(store, day, sales_daily, sales_by_product, sales_hourly)
        return count_day(store, day)


# Rows given without the provisional mark are final (kpi stage rows always carry it).
_FINAL_MARK: dict[str, Any] = {"provisional": False, "as_of": None}


def _replace_sales(
    store: KpiStore,
    day: date,
    sales_daily: Sequence[dict[str, Any]],
    sales_by_product: Sequence[dict[str, Any]],
    sales_hourly: Sequence[dict[str, Any]],
) -> None:
    store.run_file("sql/sales_day.sql", {"day": day})
    for name, rows in (
        ("sql/sales_insert_daily.sql", sales_daily),
        ("sql/sales_insert_by_product.sql", sales_by_product),
        ("sql/sales_insert_hourly.sql", sales_hourly),
    ):
        store.executemany(sqlfile.statements(name)[0], [{**_FINAL_MARK, **row} for row in rows])


def write_sales_day(
    store: KpiStore,
    day: date,
    sales_daily: Sequence[dict[str, Any]],
    sales_by_product: Sequence[dict[str, Any]],
    sales_hourly: Sequence[dict[str, Any]],
) -> dict[str, int]:
    """Replace only the sales KPI rows of `day` (an intraday refresh: inventory and fleet of a day
    not over yet stay as they are), in one transaction; rows now stored per sales table."""

    def once() -> dict[str, int]:
        with store.transaction():
            _replace_sales(store, day, sales_daily, sales_by_product, sales_hourly)
            return {t: int(store.query(_COUNT_DAY[t], {"day": day})[0][0]) for t in SALES_TABLES}

    return _retry_lock_conflicts(once)


def count_day(store: KpiStore, day: date) -> dict[str, int]:
    """Rows of day `day` in each KPI table."""
    return {table: int(store.query(_COUNT_DAY[table], {"day": day})[0][0]) for table in KPI_TABLES}


def count_range(store: KpiStore, first: date, last: date) -> dict[str, int]:
    """Rows of the days first..last in each KPI table (what a rollback of them would delete)."""
    return {
        table: int(store.query(_COUNT_RANGE[table], {"first": first, "last": last})[0][0])
        for table in KPI_TABLES
        if store.table_exists(table)
    }


def count_all(store: KpiStore) -> dict[str, int]:
    """Rows of each KPI table that exists (what a drop would remove)."""
    return {table: int(store.query(_COUNT_ALL[table])[0][0]) for table in KPI_TABLES if store.table_exists(table)}


def rollback_store_day(store: KpiStore, day: date) -> None:
    """Delete one data_date from every KPI table of the store (and its stock balance)."""
    with store.transaction():
        store.run_file("sql/rollback_day.sql", {"day": day})

SALES_TABLES: tuple[str, ...] = ("sales_kpi_daily", "sales_kpi_daily_by_product", "sales_kpi_hourly")


def delete_sales_store_days(store: KpiStore, days: Sequence[date]) -> dict[str, int]:
    """Delete the sales KPI rows of `days` in one transaction; rows deleted per table.

    Inventory and fleet rows stay: they come from the operational tables, not from the lake.
    """
    deleted = dict.fromkeys(SALES_TABLES, 0)
    with store.transaction():
        for day in days:
            for table in SALES_TABLES:
                deleted[table] += int(store.query(_COUNT_DAY[table], {"day": day})[0][0])
            store.run_file("sql/sales_day.sql", {"day": day})
    return deleted
