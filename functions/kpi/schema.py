"""Versioned migrations: functions/kpi/migrations/{tidb,duckdb,supabase}/NNN_name.sql.

Each target records what ran in its own `kpi_schema_migrations` table (version, name, checksum,
applied_at). Every migration file is written to be safe to run again (IF NOT EXISTS, OR REPLACE,
DROP POLICY IF EXISTS), so a half-applied file (MySQL DDL cannot be rolled back) or a dropped record
only means the file runs again. A recorded file whose text changed afterwards is refused: write a new
migration instead of editing an applied one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from functions.kpi import sqlfile
from functions.kpi.store import DUCKDB, KpiStore
from shared import clock
from shared.errors import ConfigError, TerminalError
from shared.log import get_logger

log = get_logger(__name__)

TIDB, EMBEDDED, SUPABASE = "tidb", "duckdb", "supabase"
_FILE_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS kpi_schema_migrations (
  version INT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  checksum CHAR(64) NOT NULL,
  applied_at DATETIME NOT NULL
)"""
_SELECT_APPLIED = "SELECT version, name, checksum FROM kpi_schema_migrations ORDER BY version"
_RECORD = (
    "INSERT INTO kpi_schema_migrations (version, name, checksum, applied_at) "
    "VALUES (:version, :name, :checksum, :applied_at)"
)
_FORGET = "DELETE FROM kpi_schema_migrations WHERE version = :version"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.version:03d}_{self.name}"


_INCLUDE = re.compile(r"^-- include: \.\./([\w.]+\.sql)\n", re.MULTILINE)


def render_includes(text: str) -> str:
    """A migration's text with each `-- include: ../<file>.sql` line replaced by that shared file (its
    leading comment lines left out): DDL both dialects share is written once, and the rendered text
    is what is checksummed, so migrations already applied keep their checksums."""
    folder = resources.files("functions.kpi").joinpath("migrations")

    def body(match: re.Match[str]) -> str:
        lines = folder.joinpath(match.group(1)).read_text(encoding="utf-8").splitlines(keepends=True)
        while lines and lines[0].startswith("--"):
            lines.pop(0)
        return "".join(lines)

    return _INCLUDE.sub(body, text)


def migrations_for(target: str) -> list[Migration]:
    """The migration files of a target, in version order."""
    folder = resources.files("functions.kpi").joinpath("migrations", target)
    found = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            text = render_includes(entry.read_text(encoding="utf-8"))
            found.append(Migration(int(match.group(1)), match.group(2), text))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise TerminalError(f"duplicate migration versions in {target}")
    return found


def _check_unchanged(target: str, migration: Migration, recorded_checksum: str) -> None:
    if recorded_checksum != migration.checksum:
        raise TerminalError(
            f"{target} migration {migration.label} changed after it was applied; add a new migration instead"
        )


# ---------------------------------------------------------------- TiDB / embedded store


def store_target(store: KpiStore) -> str:
    return EMBEDDED if store.dialect == DUCKDB else TIDB


def pending_store_migrations(store: KpiStore) -> list[Migration]:
    target = store_target(store)
    if not store.table_exists("kpi_schema_migrations"):
        return migrations_for(target)
    return _pending(target, {row[0]: row[2] for row in store.query(_SELECT_APPLIED)})


def _pending(target: str, applied: dict[int, str]) -> list[Migration]:
    """The migrations of `target` not in `applied` (version -> checksum); an applied one must be unchanged."""
    pending = []
    for migration in migrations_for(target):
        if migration.version in applied:
            _check_unchanged(target, migration, applied[migration.version])
        else:
            pending.append(migration)
    return pending


def migrate_store(store: KpiStore) -> list[str]:
    """Apply the pending migrations of TiDB or the embedded store; returns the applied labels."""
    pending = pending_store_migrations(store)
    if not pending:
        return []
    store.execute(_CREATE_MIGRATIONS_TABLE, what="create kpi_schema_migrations")
    target = store_target(store)
    applied = []
    for migration in pending:
        log.info("applying %s migration %s", target, migration.label)
        for statement in sqlfile.split_statements(migration.text):
            store.execute(statement, what=f"{target} migration {migration.label}")
        # Another process may have applied and recorded it meanwhile: the DDL was idempotent, so
        # replacing the record is all that is left to do.
        with store.transaction():
            store.execute(_FORGET, {"version": migration.version})
            store.execute(
                _RECORD,
                {
                    "version": migration.version,
                    "name": migration.name,
                    "checksum": migration.checksum,
                    "applied_at": clock.now().replace(tzinfo=None, microsecond=0),
                },
            )
        applied.append(migration.label)
    return applied


# ---------------------------------------------------------------- Supabase (PostgreSQL)

_PG_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS public.kpi_schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)"""
# The migrations table is nobody's business but the migrator's: no API role may read it.
_PG_PROTECT_MIGRATIONS_TABLE = "ALTER TABLE public.kpi_schema_migrations ENABLE ROW LEVEL SECURITY"
_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtext('nkpipe.kpi.migrate'))"
_PG_SUPABASE_CHECK = """
SELECT to_regprocedure('auth.uid()') IS NOT NULL,
       (SELECT count(*) FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role'))
"""


def check_supabase_database(connection: Any) -> None:
    """Refuse to migrate a database without Supabase's auth.uid() and API roles (never created here)."""
    has_uid, roles = connection.execute(_PG_SUPABASE_CHECK).fetchone()
    if not has_uid or roles != 3:
        raise ConfigError(
            "the Supabase database lacks auth.uid() or the anon/authenticated/service_role roles; "
            "point SUPABASE_DB_URL at a Supabase database (nkpipe never creates Supabase's auth schema)"
        )


def pending_supabase_migrations(connection: Any) -> list[Migration]:
    exists = connection.execute("SELECT to_regclass('public.kpi_schema_migrations') IS NOT NULL").fetchone()[
        0
    ]
    if not exists:
        return migrations_for(SUPABASE)
    applied = connection.execute("SELECT version, checksum FROM public.kpi_schema_migrations").fetchall()
    return _pending(SUPABASE, dict(applied))


def migrate_supabase(connection: Any) -> list[str]:
    """Apply pending Supabase migrations, each file in one transaction (Postgres DDL is transactional).

    `connection` is a psycopg connection (autocommit off or on; each file gets its own transaction).
    """
    if not pending_supabase_migrations(connection):
        return []
    check_supabase_database(connection)
    applied = []
    with connection.transaction():
        connection.execute(_PG_LOCK)
        connection.execute(_PG_CREATE_MIGRATIONS_TABLE)
        connection.execute(_PG_PROTECT_MIGRATIONS_TABLE)
        pending = pending_supabase_migrations(connection)
        for migration in pending:
            log.info("applying supabase migration %s", migration.label)
            with connection.transaction():
                for statement in sqlfile.split_statements(migration.text):
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO public.kpi_schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
            applied.append(migration.label)
    return applied
