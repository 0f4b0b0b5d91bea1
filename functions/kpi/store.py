"""The KPI store: TiDB/MariaDB through pymysql, or the embedded DuckDB file when TIDB_HOST is unset.

Both run the same SQL texts (see sqlfile.py); this module only connects, binds parameters, opens and
closes transactions, and turns driver errors into TransientError / TerminalError.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from functions.kpi import sqlfile
from shared.config import Settings
from shared.errors import ConfigError, TerminalError, TransientError
from shared.log import get_logger

log = get_logger(__name__)

MYSQL, DUCKDB = "mysql", "duckdb"

# MySQL/TiDB error codes a retry can fix: connection lost or refused, too many connections, lock
# wait timeout, deadlock, TiDB write conflict / schema changed / TiKV or PD unavailable.
_TRANSIENT_MYSQL_CODES = frozenset(
    {
        1040,
        1053,
        1205,
        1213,
        2002,
        2003,
        2005,
        2006,
        2013,
        2055,
        8002,
        8022,
        8027,
        8028,
        9001,
        9002,
        9005,
        9007,
    }
)
_LOCK_CONFLICT_MYSQL_CODES = frozenset({1205, 1213, 8002, 8022, 9007})
_ACCESS_DENIED_MYSQL_CODES = frozenset({1044, 1045, 1142, 1227, 1049})

# Session settings every MySQL-dialect connection gets: UTC for UNIX_TIMESTAMP() on DATETIME columns,
# and REPEATABLE READ spelled the way both TiDB and MariaDB accept.
_MYSQL_SESSION = (
    "SET SESSION time_zone = '+00:00'",
    "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
)


def mysql_error(exc: BaseException, what: str) -> Exception:
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    text = exc.args[1] if len(exc.args) > 1 else str(exc)
    if code in _TRANSIENT_MYSQL_CODES:
        error = TransientError(f"{what}: TiDB/MySQL error {code}: {text}")
        # A lost lock race: running the same transaction again on the same connection fixes it.
        error.lock_conflict = code in _LOCK_CONFLICT_MYSQL_CODES  # type: ignore[attr-defined]
        return error
    if code in _ACCESS_DENIED_MYSQL_CODES:
        return ConfigError(f"{what}: TiDB/MySQL refused access ({code}): {text}")
    return TerminalError(f"{what}: TiDB/MySQL error {code}: {text}")


def duckdb_error(exc: BaseException, what: str) -> Exception:
    import duckdb

    if isinstance(exc, duckdb.IOException):
        # Typically the file lock held by another process: waiting and retrying helps.
        return TransientError(f"{what}: embedded KPI store busy or unreadable: {exc}")
    return TerminalError(f"{what}: embedded KPI store error: {exc}")


class KpiStore(ABC):
    """One connection to the KPI store. Use as a context manager, or call close().

    The dialect is chosen once, by the class (`MySqlStore` for TiDB/MariaDB, `DuckDbStore` for the
    embedded file); everything above speaks to this interface.
    """

    dialect: str
    _schema_filter: str  # how information_schema names this connection's own tables

    def __init__(self, connection: Any, description: str) -> None:
        self.connection = connection
        self.description = description
        self._in_transaction = False

    # ------------------------------------------------------------------ per dialect
    @staticmethod
    @abstractmethod
    def _bind_text(sql: str) -> str: ...

    @abstractmethod
    def _error(self, exc: BaseException, what: str) -> Exception: ...

    @abstractmethod
    def _driver_errors(self) -> tuple[type[BaseException], ...]: ...

    @abstractmethod
    def _run(self, text: str, params: dict) -> int: ...

    @abstractmethod
    def _fetch(self, text: str, params: dict) -> tuple[list[str], list[tuple]]: ...

    @abstractmethod
    def _run_many(self, text: str, rows: list[dict]) -> None: ...

    @abstractmethod
    def _begin(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    # ------------------------------------------------------------------ plumbing
    def _bind(self, sql: str, params: dict | None) -> tuple[str, dict]:
        return self._bind_text(sql), sqlfile.pick(params, sql)

    @contextmanager
    def _mapped(self, what: str) -> Iterator[None]:
        try:
            yield
        except self._driver_errors() as exc:
            raise self._error(exc, what) from exc

    # ------------------------------------------------------------------ statements
    def execute(self, sql: str, params: dict | None = None, what: str = "KPI statement") -> int:
        """Run one statement; returns the affected row count where the driver knows it (else -1)."""
        text, used = self._bind(sql, params)
        with self._mapped(what):
            return self._run(text, used)

    def query(self, sql: str, params: dict | None = None, what: str = "KPI query") -> list[tuple]:
        text, used = self._bind(sql, params)
        with self._mapped(what):
            return self._fetch(text, used)[1]

    def query_dicts(self, sql: str, params: dict | None = None, what: str = "KPI query") -> list[dict]:
        text, used = self._bind(sql, params)
        with self._mapped(what):
            names, rows = self._fetch(text, used)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def executemany(self, sql: str, rows: Sequence[dict], what: str = "KPI insert") -> None:
        if not rows:
            return
        names = sqlfile.parameter_names(sql)
        with self._mapped(what):
            self._run_many(self._bind_text(sql), [{n: r[n] for n in names} for r in rows])

    def run_file(self, relative_path: str, params: dict | None = None) -> None:
        """Every statement of a .sql file, in order, with the parameters each one uses."""
        for statement in sqlfile.statements(relative_path):
            self.execute(statement, params, what=relative_path)

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[KpiStore]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        if self._in_transaction:
            raise RuntimeError("nested KPI store transaction")
        with self._mapped("begin transaction"):
            self._begin()
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self._in_transaction = False
            try:
                self._rollback()
            except Exception as rollback_exc:  # noqa: BLE001 — the original error matters more
                log.warning("rollback failed: %s", rollback_exc)
            raise
        self._in_transaction = False
        with self._mapped("commit"):
            self._commit()

    def table_exists(self, name: str) -> bool:
        sql = "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = :name" + self._schema_filter
        return bool(self.query(sql, {"name": name})[0][0])

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001 — closing a dead connection is not an error worth raising
            pass

    def __enter__(self) -> KpiStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KpiStore({self.description})"


def tls_options(mode: str, host: str, ca: str | None = None, in_cloud: bool = False) -> dict[str, Any]:
    """PyMySQL's TLS arguments for TIDB_SSL: off, require (encrypted, certificate not checked) or
    verify (certificate and host name checked against TIDB_SSL_CA or the system's CAs). `auto` is
    verify in the cloud and for TiDB Cloud (which only accepts TLS), off for a local server."""
    if mode == "auto":
        mode = "verify" if in_cloud or host.endswith(".tidbcloud.com") else "off"
    if mode == "off":
        return {"ssl_disabled": True}
    if mode == "require":
        import ssl

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return {"ssl": context}
    if mode == "verify":
        return {"ssl_verify_cert": True, "ssl_verify_identity": True, **({"ssl_ca": ca} if ca else {})}
    raise ConfigError(f"TIDB_SSL must be auto, off, require or verify, got {mode!r}")


class MySqlStore(KpiStore):
    """TiDB (or MariaDB standing in) through pymysql."""

    dialect = MYSQL
    _schema_filter = " AND table_schema = DATABASE()"

    @staticmethod
    def _bind_text(sql: str) -> str:
        return sqlfile.bind_mysql(sql)

    def _error(self, exc: BaseException, what: str) -> Exception:
        return mysql_error(exc, what)

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        import pymysql

        return (pymysql.err.MySQLError,)

    def _run(self, text: str, params: dict) -> int:
        with self.connection.cursor() as cursor:
            # Always a dict, so pymysql applies `%` formatting and the doubled `%%` collapses.
            return cursor.execute(text, params)

    def _fetch(self, text: str, params: dict) -> tuple[list[str], list[tuple]]:
        with self.connection.cursor() as cursor:
            cursor.execute(text, params)
            names = [d[0] for d in cursor.description or ()]
            return names, list(cursor.fetchall())

    def _run_many(self, text: str, rows: list[dict]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(text, rows)

    def _begin(self) -> None:
        self.connection.begin()

    def _rollback(self) -> None:
        self.connection.rollback()

    def _commit(self) -> None:
        self.connection.commit()


class DuckDbStore(KpiStore):
    """The embedded DuckDB file (no TIDB_HOST)."""

    dialect = DUCKDB
    _schema_filter = " AND table_schema = 'main'"

    @staticmethod
    def _bind_text(sql: str) -> str:
        return sqlfile.bind_duckdb(sql)

    def _error(self, exc: BaseException, what: str) -> Exception:
        return duckdb_error(exc, what)

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        import duckdb

        return (duckdb.Error,)

    def _run(self, text: str, params: dict) -> int:
        self.connection.execute(text, params or None)
        return -1

    def _fetch(self, text: str, params: dict) -> tuple[list[str], list[tuple]]:
        result = self.connection.execute(text, params or None)
        names = [d[0] for d in result.description or ()]
        return names, result.fetchall()

    def _run_many(self, text: str, rows: list[dict]) -> None:
        self.connection.executemany(text, rows)

    def _begin(self) -> None:
        self.connection.execute("BEGIN TRANSACTION")

    def _rollback(self) -> None:
        self.connection.execute("ROLLBACK")

    def _commit(self) -> None:
        self.connection.execute("COMMIT")


def connect_mysql(
    host: str,
    port: int,
    user: str | None,
    password: str | None,
    database: str,
    tls: Mapping[str, Any] | None = None,
) -> KpiStore:
    import pymysql

    kwargs = dict(tls_options("auto", host) if tls is None else tls)
    try:
        connection = pymysql.connect(
            host=host,
            port=int(port),
            user=user or "",
            password=password or "",
            database=database,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=10,
            read_timeout=600,
            write_timeout=600,
            **kwargs,
        )
    except pymysql.err.MySQLError as exc:
        raise mysql_error(exc, f"connect to TiDB {host}:{port}/{database}") from exc
    store = MySqlStore(connection, f"TiDB {user}@{host}:{port}/{database}")
    for statement in _MYSQL_SESSION:
        store.execute(statement, what="session setup")
    return store


def connect_duckdb(path: str) -> KpiStore:
    import duckdb

    file = Path(path).expanduser()
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(file))
    except duckdb.Error as exc:
        raise duckdb_error(exc, f"open embedded KPI store {file}") from exc
    return DuckDbStore(connection, f"embedded DuckDB {file}")


def open_store(settings: Settings) -> KpiStore:
    """TiDB when TIDB_HOST is set, else the embedded DuckDB file (said in the log)."""
    if settings.tidb_host:
        password = settings.tidb_password.reveal() if settings.tidb_password else None
        tls = tls_options(settings.tidb_ssl, settings.tidb_host, settings.tidb_ssl_ca, settings.in_cloud)
        return connect_mysql(
            settings.tidb_host, settings.tidb_port, settings.tidb_user, password, settings.tidb_database, tls
        )
    if settings.in_cloud:
        raise ConfigError(
            "TIDB_HOST is not set: the embedded KPI store is not available in the cloud runtime"
        )
    from functions.kpi.notices import warn_once

    warn_once("embedded-store", "TIDB_HOST not set: using the embedded KPI store %s", settings.kpi_duckdb_path)
    return connect_duckdb(settings.kpi_duckdb_path)
