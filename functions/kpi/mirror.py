"""Mirror one business day of the KPI tables from TiDB (or the embedded store) to Supabase.

Two transports:
- direct Postgres (SUPABASE_DB_URL, psycopg), the default: migrations when needed, then one
  transaction per day that deletes the day and inserts it in every mirror table, checks count and
  checksum of each table against the source, and commits only when all match.
- REST (SUPABASE_URL + SUPABASE_SERVICE_KEY, the supabase client) for projects without database
  access: batched upserts on the table key, then the day's rows that are no longer in the source are
  deleted, then count and checksum are checked over REST. REST has no transactions: a failure
  midway leaves the day partly new until the next run repairs it, and the check reports it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from functions.kpi.store import KpiStore
from functions.kpi.tables import BOOL, BY_NAME, DATE, DEC, INT, KPI_TABLES, TEXT, TS, KpiTable
from shared.errors import ConfigError, TerminalError, TransientError
from shared.log import get_logger

log = get_logger(__name__)

REST_BATCH_ROWS = 500
REST_PAGE_ROWS = 1000  # Supabase's default max rows per response
# SQLSTATE classes a retry can fix: connection, transaction rollback (serialization, deadlock),
# insufficient resources, operator intervention (e.g. the database restarting).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")


# ---------------------------------------------------------------- checksum


def _normal(kind: str, value: Any) -> str:
    """One canonical text per value, whatever the driver returned (Decimal, str, float, datetime)."""
    if value is None:
        return "\\N"
    if kind == DATE:
        return (value if isinstance(value, date) else date.fromisoformat(str(value)[:10])).isoformat()
    if kind == INT:
        return str(int(value))
    if kind == DEC:
        number = Decimal(str(value))
        return "0" if number == 0 else format(number.normalize(), "f")
    if kind == TS:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.replace(microsecond=0).isoformat(sep=" ")
    if kind == TEXT:
        return str(value)
    if kind == BOOL:  # MySQL BOOLEAN comes back as 0/1, DuckDB and Postgres as bool, REST as JSON
        return "t" if value in (True, 1, "true", "t", "1") else "f"
    raise ValueError(f"unknown column kind {kind!r}")


def checksum(table: KpiTable, rows: Iterable[dict[str, Any]]) -> tuple[int, str]:
    """(row count, sha256 over the rows in key order, every value in canonical text)."""
    lines = sorted("\x1f".join(_normal(kind, row.get(name)) for name, kind in table.columns) for row in rows)
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return len(lines), digest


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum


def compare(table: KpiTable, source: Sequence[dict], target: Sequence[dict]) -> TableCheck:
    source_count, source_sum = checksum(table, source)
    target_count, target_sum = checksum(table, target)
    return TableCheck(table.name, source_count, target_count, source_sum, target_sum)


def _raise_on_mismatch(day: date, checks: Sequence[TableCheck]) -> None:
    bad = [c for c in checks if not c.ok]
    if bad:
        detail = ", ".join(f"{c.table} {c.target_rows} rows vs {c.source_rows} in TiDB" for c in bad)
        raise TerminalError(f"mirror check failed for {day}: {detail} (count or checksum differ)")


# ---------------------------------------------------------------- source


def read_source_day(store: KpiStore, day: date) -> dict[str, list[dict[str, Any]]]:
    """The day's rows of every KPI table in TiDB / the embedded store."""
    return {
        t.name: store.query_dicts(t.store_select_day, {"day": day}, what=f"read {t.name}") for t in KPI_TABLES
    }


def _as_utc(value: Any) -> Any:
    # TiDB DATETIME is naive UTC; Postgres timestamptz needs to know that.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _pg_value(kind: str, value: Any) -> Any:
    # MySQL's BOOLEAN is TINYINT(1): it comes back as 0/1, which Postgres will not take as boolean.
    if kind == BOOL and value is not None:
        return bool(value)
    return _as_utc(value)


# ---------------------------------------------------------------- direct Postgres


def pg_error(exc: BaseException, what: str) -> Exception:
    import psycopg

    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return ConfigError(f"{what}: Supabase refused access: {exc.diag.message_primary or exc}")
    if isinstance(
        exc, psycopg.OperationalError | psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected
    ):
        return TransientError(f"{what}: Supabase database unavailable: {str(exc).strip().splitlines()[0]}")
    return TerminalError(f"{what}: Supabase database error: {str(exc).strip().splitlines()[0]}")


def connect_pg(dsn: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(dsn, connect_timeout=10, autocommit=True, application_name="nkpipe-kpi-mirror")
    except psycopg.Error as exc:
        raise pg_error(exc, "connect to Supabase database") from exc


def _pg_statements(table: KpiTable) -> tuple[Any, Any, Any]:
    from psycopg import sql

    name = sql.Identifier("public", table.name)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in table.column_names)
    delete = sql.SQL("DELETE FROM {} WHERE data_date = %s").format(name)
    insert = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        name, cols, sql.SQL(", ").join(sql.Placeholder() * len(table.column_names))
    )
    select = sql.SQL("SELECT {} FROM {} WHERE data_date = %s").format(cols, name)
    return delete, insert, select


def _pg_rows(cursor: Any) -> list[dict[str, Any]]:
    names = [d.name for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_PG_DAY_LOCK = "SELECT pg_advisory_xact_lock(hashtext('nkpipe.kpi.mirror'), %s)"


def mirror_direct(dsn: str, day: date, source: dict[str, list[dict]]) -> list[TableCheck]:
    """Replace day `day` of the four mirror tables in one Postgres transaction, checked before commit."""
    import psycopg

    from functions.kpi.schema import migrate_supabase

    connection = connect_pg(dsn)
    try:
        migrate_supabase(connection)
        checks = []
        with connection.transaction(), connection.cursor() as cursor:
            # Two mirrors of the same day (a retry overlapping a slow run) take turns.
            cursor.execute(_PG_DAY_LOCK, (day.toordinal(),))
            for table in KPI_TABLES:
                delete, insert, select = _pg_statements(table)
                rows = source[table.name]
                cursor.execute(delete, (day,))
                if rows:
                    cursor.executemany(
                        insert, [tuple(_pg_value(kind, r[c]) for c, kind in table.columns) for r in rows]
                    )
                cursor.execute(select, (day,))
                checks.append(compare(table, rows, _pg_rows(cursor)))
            _raise_on_mismatch(day, checks)
        return checks
    except psycopg.Error as exc:
        raise pg_error(exc, f"mirror {day}") from exc
    finally:
        connection.close()


def delete_day_direct(dsn: str, day: date) -> dict[str, int]:
    import psycopg

    connection = connect_pg(dsn)
    try:
        deleted = {}
        with connection.transaction(), connection.cursor() as cursor:
            for table in KPI_TABLES:
                if not _pg_table_exists(cursor, table.name):
                    continue
                cursor.execute(_pg_statements(table)[0], (day,))
                deleted[table.name] = cursor.rowcount
        return deleted
    except psycopg.Error as exc:
        raise pg_error(exc, f"rollback {day} in Supabase") from exc
    finally:
        connection.close()


def count_days_direct(dsn: str, first: date | None = None, last: date | None = None) -> dict[str, int]:
    """Rows of the mirror tables that exist, of the days first..last (every row without days)."""
    import psycopg
    from psycopg import sql

    connection = connect_pg(dsn)
    try:
        counts = {}
        with connection.cursor() as cursor:
            for table in KPI_TABLES:
                if not _pg_table_exists(cursor, table.name):
                    continue
                name = sql.Identifier("public", table.name)
                if first is None or last is None:
                    cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(name))
                else:
                    query = sql.SQL("SELECT COUNT(*) FROM {} WHERE data_date BETWEEN %s AND %s").format(name)
                    cursor.execute(query, (first, last))
                counts[table.name] = int(cursor.fetchone()[0])
        return counts
    except psycopg.Error as exc:
        raise pg_error(exc, "count mirror rows in Supabase") from exc
    finally:
        connection.close()


def count_days_rest(url: str, service_key: str, first: date, last: date) -> dict[str, int]:
    """The same over REST (an exact count, no rows transferred)."""
    client = rest_client(url, service_key)
    counts = {}
    for table in KPI_TABLES:
        result = _rest_call(
            f"count {table.name}",
            client.table(table.name)
            .select("data_date", count="exact")
            .gte("data_date", first.isoformat())
            .lte("data_date", last.isoformat())
            .limit(1)
            .execute,
        )
        counts[table.name] = int(result.count or 0)
    return counts


def _pg_table_exists(cursor: Any, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{name}",))
    return bool(cursor.fetchone()[0])


def drop_tables_direct(dsn: str) -> list[str]:
    """Drop the four mirror tables (organisations, warehouses and user roles are kept) and forget the
    migrations, so `nkpipe migrate` recreates them."""
    import psycopg
    from psycopg import sql

    connection = connect_pg(dsn)
    try:
        dropped = []
        with connection.transaction(), connection.cursor() as cursor:
            for table in KPI_TABLES:
                if _pg_table_exists(cursor, table.name):
                    cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier("public", table.name)))
                    dropped.append(table.name)
            if _pg_table_exists(cursor, "kpi_schema_migrations"):
                cursor.execute("DELETE FROM public.kpi_schema_migrations")
        return dropped
    except psycopg.Error as exc:
        raise pg_error(exc, "drop KPI tables in Supabase") from exc
    finally:
        connection.close()


# ---------------------------------------------------------------- REST (supabase client)


def _json_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == DATE:
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == DEC:
        return str(value)  # exact: PostgREST casts the text to numeric
    if kind == TS:
        return _as_utc(value).isoformat() if isinstance(value, datetime) else str(value)
    if kind == INT:
        return int(value)
    if kind == BOOL:
        return bool(value)
    return value


def _rest_select(table: KpiTable) -> str:
    # Numbers come back as text so no float rounding gets into the checksum.
    return ",".join(f"{name}::text" if kind == DEC else name for name, kind in table.columns)


def rest_client(url: str, service_key: str) -> Any:
    from supabase import create_client
    from supabase.lib.client_options import SyncClientOptions

    options = SyncClientOptions(postgrest_client_timeout=60, auto_refresh_token=False, persist_session=False)
    return create_client(url, service_key, options)


def _rest_call(what: str, call: Any) -> Any:
    """Run one postgrest request; map HTTP and connection failures onto our error kinds."""
    import httpx
    from postgrest.exceptions import APIError

    from shared.errors import error_for_http_status

    try:
        return call()
    except APIError as exc:
        code = str(exc.code or "")
        # PostgREST reports Postgres errors by SQLSTATE, its own by PGRSTnnn, proxies by HTTP status.
        if code == "42501":
            raise ConfigError(f"{what}: Supabase refused access: {exc.message}") from exc
        if code.isdigit() and len(code) == 3:
            raise error_for_http_status(int(code), f"{what}: {exc.message}") from exc
        if code.startswith(_TRANSIENT_SQLSTATE_CLASSES) or code.startswith("PGRST0"):
            raise TransientError(f"{what}: Supabase unavailable ({code}): {exc.message}") from exc
        raise TerminalError(f"{what}: Supabase error {code}: {exc.message}") from exc
    except (httpx.TransportError, httpx.TimeoutException) as exc:
        raise TransientError(f"{what}: Supabase unreachable: {exc}") from exc


def _rest_read_day(client: Any, table: KpiTable, day: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    start = 0
    while True:
        query = client.table(table.name).select(_rest_select(table)).eq("data_date", day.isoformat())
        for column in table.key:
            query = query.order(column)
        page = _rest_call(
            f"read {table.name}", lambda q=query, s=start: q.range(s, s + REST_PAGE_ROWS - 1).execute()
        )
        rows.extend(page.data)
        if len(page.data) < REST_PAGE_ROWS:
            return rows
        start += REST_PAGE_ROWS


def mirror_rest(url: str, service_key: str, day: date, source: dict[str, list[dict]]) -> list[TableCheck]:
    """Upsert day `day` over REST in batches, remove rows gone from the source, then check."""
    client = rest_client(url, service_key)
    checks = []
    for table in KPI_TABLES:
        rows = [
            {name: _json_value(kind, r[name]) for name, kind in table.columns} for r in source[table.name]
        ]
        for offset in range(0, len(rows), REST_BATCH_ROWS):
            batch = rows[offset : offset + REST_BATCH_ROWS]
            request = client.table(table.name).upsert(
                batch, on_conflict=",".join(table.key), returning="minimal"
            )
            _rest_call(f"upsert {table.name}", request.execute)
        wanted = {tuple(_normal(table.kinds[k], r[k]) for k in table.key) for r in rows}
        for row in _rest_read_day(client, table, day):
            if tuple(_normal(table.kinds[k], row[k]) for k in table.key) not in wanted:
                query = client.table(table.name).delete(returning="minimal")
                for k in table.key:
                    query = query.eq(k, row[k])
                _rest_call(f"delete stale {table.name}", query.execute)
        checks.append(compare(table, source[table.name], _rest_read_day(client, table, day)))
    _raise_on_mismatch(day, checks)
    return checks


def delete_day_rest(url: str, service_key: str, day: date) -> dict[str, int]:
    client = rest_client(url, service_key)
    deleted = {}
    for table in KPI_TABLES:
        result = _rest_call(
            f"rollback {table.name}",
            client.table(table.name)
            .delete(returning="representation")
            .eq("data_date", day.isoformat())
            .execute,
        )
        deleted[table.name] = len(result.data)
    return deleted


SALES_TABLES = ("sales_kpi_daily", "sales_kpi_daily_by_product", "sales_kpi_hourly")


def delete_sales_days_direct(dsn: str, days: Sequence[date]) -> dict[str, int]:
    """Delete the sales KPI rows of `days` from Supabase in one transaction; rows deleted per table."""
    import psycopg

    connection = connect_pg(dsn)
    try:
        deleted = dict.fromkeys(SALES_TABLES, 0)
        with connection.transaction(), connection.cursor() as cursor:
            for name in SALES_TABLES:
                if not _pg_table_exists(cursor, name):
                    continue
                for day in days:
                    cursor.execute(_pg_statements(BY_NAME[name])[0], (day,))
                    deleted[name] += cursor.rowcount
        return deleted
    except psycopg.Error as exc:
        raise pg_error(exc, "delete sales KPI days in Supabase") from exc
    finally:
        connection.close()


def delete_sales_days_rest(url: str, service_key: str, days: Sequence[date]) -> dict[str, int]:
    """The same over REST: no transaction there, a failure midway leaves some days deleted."""
    client = rest_client(url, service_key)
    deleted = dict.fromkeys(SALES_TABLES, 0)
    for name in SALES_TABLES:
        for day in days:
            result = _rest_call(
                f"delete sales KPI rows of {day} from {name}",
                client.table(name).delete(returning="representation").eq("data_date", day.isoformat()).execute,
            )
            deleted[name] += len(result.data)
    return deleted
