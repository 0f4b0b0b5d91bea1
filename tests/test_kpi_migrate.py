"""Versioned KPI migrations (functions/kpi/schema.py) on DuckDB, MariaDB and the Supabase stand-in."""

from __future__ import annotations

import psycopg
import pytest

from functions.kpi import schema
from functions.kpi.store import connect_duckdb, connect_mysql
from shared.errors import ConfigError, TerminalError

MIRROR_TABLES = {
    "inventory_kpi_daily",
    "inventory_stockout_daily",
    "fleet_kpi_daily",
    "sales_kpi_daily",
    "sales_kpi_daily_by_product",
    "sales_kpi_hourly",
}


def test_store_migrations_apply_once_and_are_recorded(kpi_store):
    # kpi_store is already migrated: a second run applies nothing and every file is recorded.
    assert schema.migrate_store(kpi_store) == []
    target = schema.store_target(kpi_store)
    expected = [(m.version, m.name, m.checksum) for m in schema.migrations_for(target)]
    result = [
        tuple(r)
        for r in kpi_store.query("SELECT version, name, checksum FROM kpi_schema_migrations ORDER BY version")
    ]
    assert result == expected
    assert all(
        kpi_store.table_exists(t)
        for t in MIRROR_TABLES | {"kpi_inventory_balance", "kpi_inventory_balance_day"}
    )


def test_forgotten_record_reruns_the_file_harmlessly(kpi_store):
    kpi_store.execute("DELETE FROM kpi_schema_migrations WHERE version = 1")
    assert schema.migrate_store(kpi_store) == ["001_kpi_tables"]
    assert schema.pending_store_migrations(kpi_store) == []


def test_changed_applied_migration_is_refused(tmp_path):
    store = connect_duckdb(str(tmp_path / "kpi.duckdb"))
    schema.migrate_store(store)
    store.execute("UPDATE kpi_schema_migrations SET checksum = 'x' WHERE version = 1")
    with pytest.raises(TerminalError, match="001_kpi_tables changed after it was applied"):
        schema.migrate_store(store)
    store.close()


def test_mysql_tables_use_the_server_collation_and_survive_a_second_connection(mysql_database):
    db = mysql_database
    first = connect_mysql(db["host"], db["port"], db["user"], db["password"], db["database"])
    assert schema.migrate_store(first) == ["001_kpi_tables", "002_balance_coverage", "003_verified_flag", "004_intraday_hourly", "005_inventory_stockout"]
    second = connect_mysql(db["host"], db["port"], db["user"], db["password"], db["database"])
    assert schema.migrate_store(second) == []
    collations = {
        r[0]
        for r in second.query(
            "SELECT DISTINCT collation_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = 'kpi_inventory_balance' AND collation_name IS NOT NULL"
        )
    }
    assert collations == {"utf8mb4_bin"}
    first.close()
    second.close()


def test_supabase_migrations_create_tables_rls_and_are_idempotent(supabase_db):
    with psycopg.connect(supabase_db, autocommit=True) as conn:
        assert schema.migrate_supabase(conn) == ["001_tables", "002_grants_and_rls", "003_verified_flag", "004_intraday_hourly", "005_mirror_status", "006_mirror_role", "007_inventory_stockout"]
        assert schema.migrate_supabase(conn) == []
        # A forgotten record: the files run again without error (they are re-runnable).
        conn.execute("DELETE FROM public.kpi_schema_migrations")
        assert schema.migrate_supabase(conn) == ["001_tables", "002_grants_and_rls", "003_verified_flag", "004_intraday_hourly", "005_mirror_status", "006_mirror_role", "007_inventory_stockout"]
        rls = dict(
            conn.execute(
                "SELECT relname, relrowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            ).fetchall()
        )
    expected = {
        t: True
        for t in MIRROR_TABLES | {"organization", "warehouse", "user_org_role", "kpi_schema_migrations"}
    }
    assert rls == expected


def test_supabase_migration_refuses_a_database_without_supabase_auth(pg_database):
    with psycopg.connect(pg_database, autocommit=True) as conn:
        with pytest.raises(ConfigError, match="lacks auth.uid"):
            schema.migrate_supabase(conn)
        assert conn.execute("SELECT to_regclass('public.inventory_kpi_daily')").fetchone()[0] is None


def test_the_shared_kpi_ddl_renders_into_each_dialect_with_the_checksums_already_applied():
    # sha256 of the 001 files as databases first applied them (before the DDL was written once)
    applied = {
        "duckdb": "6d7c1f39c4a4234adb01ee2cc987546cac213cf0a20c22a67e2a10d3e8694ae8",
        "tidb": "be870972643cfb2790f0ad40da71b3f41f2ae8cab270e8d73f764a75d3ffb0a5",
    }
    rendered = {target: schema.migrations_for(target)[0] for target in applied}
    assert {target: m.label for target, m in rendered.items()} == {"duckdb": "001_kpi_tables", "tidb": "001_kpi_tables"}
    assert {target: m.checksum for target, m in rendered.items()} == applied
    bodies = {m.text[m.text.index("CREATE TABLE") :] for m in rendered.values()}
    assert len(bodies) == 1 and "-- include:" not in next(iter(bodies))
