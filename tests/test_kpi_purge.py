"""`nkpipe purge --with-downstream` removes the sales KPI rows of the purged days
(functions.kpi.delete_sales_days, wired into functions/recovery.py), on the embedded store and on
MariaDB + the Supabase stand-in; inventory and fleet rows (from the operational tables) stay."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from functions.cli import main
from functions.kpi import delete_sales_days, load_ops_into, run_kpi, run_mirror
from functions.kpi.store import open_store
from functions.recovery import execute_purge, plan_purge
from shared.config import load_settings
from shared.errors import TransientError
from shared.lake import open_lake
from shared.schemas import AGG_PROFIT_DAILY
from tests.test_kpi_stage import tidb_env, write_profit

D = date(2024, 3, 10)
D1 = D - timedelta(days=1)
KPI_TABLES = ("inventory_kpi_daily", "fleet_kpi_daily", "sales_kpi_daily", "sales_kpi_daily_by_product")


@pytest.fixture
def env(tmp_path, lake_root):
    return {"DATA_LAKE_ROOT": str(lake_root), "KPI_DUCKDB_PATH": str(tmp_path / "kpi.duckdb")}


def two_days_of_kpis(settings) -> object:
    lake = open_lake(settings.data_lake_root)
    load_ops_into(settings, [D1, D], seed=11, scale=0.01)
    for day in (D1, D):
        write_profit(lake, day)
        assert run_kpi(settings, lake, day).status == "success"
    return lake


def store_counts(settings) -> dict:
    with open_store(settings) as store:
        return {
            (table, day): store.query(f"SELECT COUNT(*) FROM {table} WHERE data_date = :day", {"day": day})[0][0]
            for table in KPI_TABLES
            for day in (D1, D)
        }


def mirror_counts(dsn: str) -> dict:
    with psycopg.connect(dsn) as conn:
        return {
            (table, day): conn.execute(
                f"SELECT count(*) FROM public.{table} WHERE data_date = %s", (day,)
            ).fetchone()[0]
            for table in KPI_TABLES
            for day in (D1, D)
        }


def without_sales_of_d(counts: dict) -> dict:
    return {k: (0 if k[1] == D and k[0].startswith("sales") else v) for k, v in counts.items()}


def test_cli_purge_dry_run_lists_sales_kpi_days_then_yes_deletes_them(env, monkeypatch, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("TIDB_HOST", "SUPABASE_DB_URL", "SUPABASE_URL", "SUPABASE_SERVICE_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(environ=env, env_file=None)
    lake = two_days_of_kpis(settings)
    before = store_counts(settings)
    args = ["purge", "--targets", "pos", "--layers", "star", "--from", "2024-03-10", "--to", "2024-03-10"]
    args += ["--with-downstream", "--env-file", "/nonexistent/.env"]

    assert main(args) == 0

    out = capsys.readouterr().out
    assert "sales KPI rows of 1 day(s)" in out
    assert "dry run" in out
    assert store_counts(settings) == before  # a dry run deletes nothing
    assert lake.list_dates(AGG_PROFIT_DAILY) == [D1, D]

    assert main([*args, "--yes"]) == 0

    expected = without_sales_of_d(before)
    assert store_counts(settings) == expected
    assert before[("sales_kpi_daily", D)] == 1 and before[("inventory_kpi_daily", D)] > 0
    assert lake.list_dates(AGG_PROFIT_DAILY) == [D1]


def test_purge_without_downstream_keeps_kpi_rows(env):
    settings = load_settings(environ=env, env_file=None)
    lake = two_days_of_kpis(settings)
    before = store_counts(settings)
    plan = plan_purge(lake, ["pos"], ["star-schema"], start=D, end=D)
    assert plan.sales_kpi_days == []
    execute_purge(lake, plan, reason="test", settings=settings)
    assert store_counts(settings) == before


def test_delete_sales_days_on_mariadb_and_supabase(env, mysql_database, supabase_db):
    settings = load_settings(
        environ={**env, **tidb_env(mysql_database), "SUPABASE_DB_URL": supabase_db}, env_file=None
    )
    lake = two_days_of_kpis(settings)
    for day in (D1, D):
        assert run_mirror(settings, lake, day).status == "success"
    store_before, mirror_before = store_counts(settings), mirror_counts(supabase_db)

    plan = plan_purge(lake, ["pos"], ["star-schema"], start=D, end=D, with_downstream=True)
    assert plan.sales_kpi_days == [D]
    execute_purge(lake, plan, reason="test", settings=settings)

    assert store_counts(settings) == without_sales_of_d(store_before)
    assert mirror_counts(supabase_db) == without_sales_of_d(mirror_before)
    expected = {
        "tidb/sales_kpi_daily": 0,
        "tidb/sales_kpi_daily_by_product": 0,
        "tidb/sales_kpi_hourly": 0,
        "supabase/sales_kpi_daily": 0,
        "supabase/sales_kpi_daily_by_product": 0,
        "supabase/sales_kpi_hourly": 0,
    }
    assert delete_sales_days(settings, [D]) == expected  # already gone: nothing left to delete


def test_delete_sales_days_with_supabase_down_says_so_and_keeps_the_lake(env, mysql_database):
    settings = load_settings(
        environ={**env, **tidb_env(mysql_database), "SUPABASE_DB_URL": "postgresql://x:y@127.0.0.1:9/none"},
        env_file=None,
    )
    lake = two_days_of_kpis(settings)
    plan = plan_purge(lake, ["pos"], ["star-schema"], start=D, end=D, with_downstream=True)
    with pytest.raises(TransientError, match="Supabase"):
        execute_purge(lake, plan, reason="test", settings=settings)
    assert lake.list_dates(AGG_PROFIT_DAILY) == [D1, D]  # a retry of the purge finds everything


def test_delete_sales_days_over_rest(env, postgrest_stub):
    url, key, stub = postgrest_stub
    with psycopg.connect(stub.dsn, autocommit=True) as conn:
        from functions.kpi.schema import migrate_supabase

        migrate_supabase(conn)
    settings = load_settings(environ={**env, "SUPABASE_URL": url, "SUPABASE_SERVICE_KEY": key}, env_file=None)
    lake = two_days_of_kpis(settings)
    for day in (D1, D):
        assert run_mirror(settings, lake, day).status == "success"
    mirror_before = mirror_counts(stub.dsn)

    result = delete_sales_days(settings, [D])

    expected = {
        "duckdb/sales_kpi_daily": 1,
        "duckdb/sales_kpi_daily_by_product": 1,
        "duckdb/sales_kpi_hourly": 0,  # write_profit writes no agg_profit_hourly
        "supabase/sales_kpi_daily": 1,
        "supabase/sales_kpi_daily_by_product": 1,
        "supabase/sales_kpi_hourly": 0,
    }
    assert result == expected
    assert mirror_counts(stub.dsn) == without_sales_of_d(mirror_before)
