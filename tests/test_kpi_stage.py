"""The kpi and mirror stages end to end (functions/kpi/stage.py) and the `nkpipe migrate` /
`nkpipe kpi` verbs, on the embedded store, real MariaDB and the Supabase stand-in."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import psycopg
import pyarrow as pa
import pytest

from functions.cli import main
from functions.kpi import (
    compute,
    demo_summary,
    drop_kpi_tables,
    load_ops_into,
    migrate,
    rollback_day,
    run_kpi,
    run_mirror,
)
from functions.kpi.store import open_store
from shared.config import load_settings
from shared.errors import ConfigError, InputError, TransientError
from shared.lake import open_lake
from shared.metadata import Metadata
from shared.schemas import (
    AGG_PROFIT_DAILY,
    AGG_PROFIT_DAILY_BY_PRODUCT,
    DIM_PRODUCTS,
    FACT_SALES_LINES_PROFIT,
)
from tests.fixtures.kpi import insert_ops

D = date(2024, 3, 10)


def write_profit(lake, day: date) -> None:
    def table(spec, rows):
        return pa.Table.from_pylist(rows, schema=spec.schema)

    agg = {
        "date": day,
        "revenue_tax_in": 1100.0,
        "cogs_tax_in": 700.0,
        "gross_profit": 400.0,
        "quantity": 5.0,
        "transactions": 2,
        "lines": 3,
    }
    lake.write_partition(AGG_PROFIT_DAILY, day, table(AGG_PROFIT_DAILY, [{**agg, "cost_missing_lines": 1}]))
    lake.write_partition(
        AGG_PROFIT_DAILY_BY_PRODUCT, day, table(AGG_PROFIT_DAILY_BY_PRODUCT, [{**agg, "product_id": 7}])
    )
    lake.write_partition(
        FACT_SALES_LINES_PROFIT,
        day,
        table(
            FACT_SALES_LINES_PROFIT,
            [
                {
                    "date": day,
                    "source": "pos",
                    "doc_id": 1,
                    "line_id": 1,
                    "product_id": 7,
                    "cost_missing": True,
                },
            ],
        ),
    )
    lake.write_table(DIM_PRODUCTS, table(DIM_PRODUCTS, [{"product_id": 7, "name": "Kopi"}]))


@pytest.fixture
def env(tmp_path, lake_root):
    return {"DATA_LAKE_ROOT": str(lake_root), "KPI_DUCKDB_PATH": str(tmp_path / "kpi.duckdb")}


def tidb_env(db) -> dict[str, str]:
    return {
        "TIDB_HOST": db["host"],
        "TIDB_PORT": str(db["port"]),
        "TIDB_USER": db["user"],
        "TIDB_PASSWORD": db["password"],
        "TIDB_DATABASE": db["database"],
    }


def test_kpi_stage_on_the_embedded_store(env):
    settings = load_settings(environ=env, env_file=None)
    lake = open_lake(settings.data_lake_root)
    write_profit(lake, D)
    load_ops_into(settings, [D - timedelta(days=1), D], seed=7, scale=0.02)
    run_out_of_a_sku(settings)

    result = run_kpi(settings, lake, D)

    assert (
        result.status,
        result.rows["inventory_kpi_daily"],
        result.rows["sales_kpi_daily"],
        result.rows["sales_kpi_daily_by_product"],
    ) == ("success", 5, 1, 1)
    assert result.rows["fleet_kpi_daily"] > 0
    assert Metadata(lake).last_run("kpi", "kpi", D).status == "success"
    assert (
        stockouts_listed_and_counted(settings) == (result.rows["inventory_stockout_daily"],) * 2
    )
    summary = {(r["kpi"], r["org_id"]) for r in demo_summary(settings, D)}
    assert {("inventory", 1), ("inventory", 2), ("sales", 1)} <= summary


_STOCKOUT_COUNTS = """
SELECT (SELECT COUNT(*) FROM inventory_stockout_daily WHERE data_date = :day),
       (SELECT SUM(stockout_sku_count) FROM inventory_kpi_daily WHERE data_date = :day)"""


def run_out_of_a_sku(settings) -> None:
    """Two SKUs of a warehouse the generated operations use go out of stock on D (they never do there)."""
    with open_store(settings) as store:
        org_id, warehouse_id, last_id = store.query(
            "SELECT MIN(org_id), MIN(warehouse_id), MAX(id) FROM inventory_tx WHERE org_id = 1"
        )[0]
        at = datetime(2024, 3, 10, 3)  # 10:00 in Jakarta on D
        insert_ops(
            store,
            "inventory_tx",
            [
                {
                    "id": last_id + n,
                    "org_id": org_id,
                    "warehouse_id": warehouse_id,
                    "sku": sku,
                    "tx_type": "issue",
                    "qty": Decimal(qty),
                    "tx_at": at,
                }
                for n, (sku, qty) in enumerate((("GONE-1", "-1"), ("GONE-2", "0")), start=1)
            ],
        )


def stockouts_listed_and_counted(settings) -> tuple[int, int]:
    """(rows of inventory_stockout_daily, sum of inventory_kpi_daily.stockout_sku_count) of day D."""
    with open_store(settings) as store:
        listed, counted = store.query(_STOCKOUT_COUNTS, {"day": D})[0]
    assert listed >= 2  # at least run_out_of_a_sku's two
    return int(listed), int(counted)


def test_mirror_is_skipped_without_supabase(env):
    settings = load_settings(environ=env, env_file=None)
    result = run_mirror(settings, open_lake(settings.data_lake_root), D)
    assert (result.status, result.message) == ("skipped", "no Supabase setting: mirror skipped")


def test_supabase_down_keeps_tidb_and_a_later_run_repairs_the_mirror(env, mysql_database, supabase_db):
    down = load_settings(
        environ={**env, **tidb_env(mysql_database), "SUPABASE_DB_URL": "postgresql://x:y@127.0.0.1:9/none"},
        env_file=None,
    )
    lake = open_lake(down.data_lake_root)
    write_profit(lake, D)
    load_ops_into(down, [D], seed=3, scale=0.01)
    run_out_of_a_sku(down)

    assert run_kpi(down, lake, D).status == "success"
    with pytest.raises(TransientError, match="Supabase"):
        run_mirror(down, lake, D)
    assert Metadata(lake).last_run("mirror", "mirror", D).status == "failed"

    up = down.replace(
        supabase_db_url=load_settings(environ={"SUPABASE_DB_URL": supabase_db}, env_file=None).supabase_db_url
    )
    result = run_mirror(up, lake, D)
    assert result.status == "success"
    assert result.rows["sales_kpi_daily"] == 1
    with psycopg.connect(supabase_db) as conn:
        mirrored = conn.execute(
            "SELECT count(*) FROM public.inventory_kpi_daily WHERE data_date = %s", (D,)
        ).fetchone()[0]
    assert mirrored == result.rows["inventory_kpi_daily"] > 0
    listed, counted = stockouts_listed_and_counted(down)
    with psycopg.connect(supabase_db) as conn:
        mirrored_stockouts = conn.execute(
            "SELECT count(*) FROM public.inventory_stockout_daily WHERE data_date = %s", (D,)
        ).fetchone()[0]
    assert mirrored_stockouts == result.rows["inventory_stockout_daily"] == listed == counted


def test_rollback_removes_one_day_on_both_sides(env, mysql_database, supabase_db):
    settings = load_settings(
        environ={**env, **tidb_env(mysql_database), "SUPABASE_DB_URL": supabase_db}, env_file=None
    )
    lake = open_lake(settings.data_lake_root)
    load_ops_into(settings, [D - timedelta(days=1), D], seed=5, scale=0.01)
    for day in (D - timedelta(days=1), D):
        run_kpi(settings, lake, day)
        run_mirror(settings, lake, day)

    done = rollback_day(settings, D)

    assert done["tidb"]["inventory_kpi_daily"] == 5 and done["supabase"]["inventory_kpi_daily"] == 5
    with psycopg.connect(supabase_db) as conn:
        left = dict(
            conn.execute(
                "SELECT data_date, count(*) FROM public.inventory_kpi_daily GROUP BY data_date"
            ).fetchall()
        )
    assert left == {D - timedelta(days=1): 5}
    assert {r["kpi"] for r in demo_summary(settings, D)} == set()
    assert {r["kpi"] for r in demo_summary(settings, D - timedelta(days=1))} >= {"inventory", "fleet"}


def test_rollback_plans_first_and_deletes_only_with_yes(env, mysql_database, supabase_db, monkeypatch, capsys):
    settings_env = {**env, **tidb_env(mysql_database), "SUPABASE_DB_URL": supabase_db}
    settings = load_settings(environ=settings_env, env_file=None)
    lake = open_lake(settings.data_lake_root)
    days = [D - timedelta(days=1), D]
    load_ops_into(settings, days, seed=5, scale=0.01)
    for day in days:
        run_kpi(settings, lake, day)
        run_mirror(settings, lake, day)
    for name, value in settings_env.items():
        monkeypatch.setenv(name, value)
    args = ["kpi", "rollback", "--date", days[0].isoformat(), "--to", D.isoformat(), "--env-file", "/nonexistent/.env"]

    assert main(args) == 0
    out = capsys.readouterr().out
    planned = {(line.split()[0], line.split()[1]): int(line.split()[2].replace(",", ""))
               for line in out.splitlines() if line.startswith(("tidb ", "supabase "))}
    assert planned[("tidb", "inventory_kpi_daily")] == planned[("supabase", "inventory_kpi_daily")] == 10
    assert "would be deleted; add --yes to delete them" in out
    assert {r["kpi"] for r in demo_summary(settings, D)} >= {"inventory", "fleet"}  # nothing deleted

    assert main([*args, "--yes"]) == 0
    assert "deleted" in capsys.readouterr().out
    assert {r["kpi"] for r in demo_summary(settings, D)} == set()


def test_rollback_over_the_maximum_needs_the_explicit_flag(env, monkeypatch, capsys):
    for name, value in {**env, "KPI_ROLLBACK_MAX_DAYS": "3"}.items():
        monkeypatch.setenv(name, value)
    args = ["kpi", "rollback", "--date", "2024-03-01", "--to", "2024-03-10", "--yes", "--env-file", "/nonexistent/.env"]
    assert main(args) == 2
    assert "10 days is more than KPI_ROLLBACK_MAX_DAYS=3" in capsys.readouterr().err
    assert main([*args, "--allow-long-range"]) == 0
    assert "deleted 0 KPI row(s) of 2024-03-01 .. 2024-03-10 (10 day(s))" in capsys.readouterr().out


def test_drop_needs_the_flag_then_migrate_recreates(env, supabase_db):
    settings = load_settings(environ={**env, "SUPABASE_DB_URL": supabase_db}, env_file=None)
    assert migrate(settings) == {
        "duckdb": [
            "001_kpi_tables",
            "002_ops_tables",
            "003_mysql_functions",
            "004_balance_coverage",
            "005_verified_flag",
            "006_intraday_hourly",
            "007_inventory_stockout",
        ],
        "supabase": [
            "001_tables",
            "002_grants_and_rls",
            "003_verified_flag",
            "004_intraday_hourly",
            "005_mirror_status",
            "006_mirror_role",
            "007_inventory_stockout",
        ],
    }
    with pytest.raises(InputError, match="without --yes"):
        drop_kpi_tables(settings)

    dropped = drop_kpi_tables(settings, confirm=True)

    assert set(dropped["supabase"]) == {
        "inventory_kpi_daily",
        "inventory_stockout_daily",
        "fleet_kpi_daily",
        "sales_kpi_daily",
        "sales_kpi_daily_by_product",
        "sales_kpi_hourly",
    }
    assert "inventory_kpi_daily" in dropped["duckdb"]
    with psycopg.connect(supabase_db) as conn:
        assert conn.execute("SELECT to_regclass('public.inventory_kpi_daily')").fetchone()[0] is None
        assert conn.execute("SELECT to_regclass('public.user_org_role')").fetchone()[0] is not None
    again = migrate(settings)
    assert again["duckdb"] == [
        "001_kpi_tables",
        "002_ops_tables",
        "003_mysql_functions",
        "004_balance_coverage",
        "005_verified_flag",
        "006_intraday_hourly",
        "007_inventory_stockout",
    ]
    assert again["supabase"] == [
        "001_tables",
        "002_grants_and_rls",
        "003_verified_flag",
        "004_intraday_hourly",
        "005_mirror_status",
        "006_mirror_role",
        "007_inventory_stockout",
    ]


def test_cli_migrate_rollback_and_drop(env, mysql_database, monkeypatch, capsys):
    for name, value in {**env, **tidb_env(mysql_database)}.items():
        monkeypatch.setenv(name, value)
    for name in ("SUPABASE_DB_URL", "SUPABASE_URL", "SUPABASE_SERVICE_KEY"):
        monkeypatch.delenv(name, raising=False)

    assert main(["migrate", "--env-file", "/nonexistent/.env"]) == 0
    assert main(["migrate", "--env-file", "/nonexistent/.env"]) == 0
    assert main(["kpi", "rollback", "--date", "2024-03-10", "--yes", "--env-file", "/nonexistent/.env"]) == 0
    assert main(["kpi", "drop", "--env-file", "/nonexistent/.env"]) == 0
    out = capsys.readouterr().out
    assert "tidb: applied 001_kpi_tables" in out
    assert "tidb: up to date" in out
    tables = len(compute.KPI_TABLES)
    assert f"dry run: {tables} KPI table(s) with 0 row(s) would be dropped; add --yes to drop them" in out
    assert "dropped" not in out.replace("would be dropped", "")
    assert main(["kpi", "drop", "--yes-drop-kpi-tables", "--env-file", "/nonexistent/.env"]) == 0
    out = capsys.readouterr().out
    assert "tidb: dropped inventory_kpi_daily" in out
    assert main(["kpi", "rollback", "--date", "2024-13-01", "--env-file", "/nonexistent/.env"]) == 2


def test_cli_run_kpi_and_mirror_on_mariadb_and_postgres(
    env, mysql_database, supabase_db, monkeypatch, capsys
):
    settings_env = {**env, **tidb_env(mysql_database), "SUPABASE_DB_URL": supabase_db}
    for name, value in settings_env.items():
        monkeypatch.setenv(name, value)
    load_ops_into(load_settings(environ=settings_env, env_file=None), [D], seed=9, scale=0.01)

    assert main(["migrate", "--env-file", "/nonexistent/.env"]) == 0
    assert (
        main(["run", "--date", "2024-03-10", "--stages", "kpi,mirror", "--env-file", "/nonexistent/.env"])
        == 0
    )

    out = capsys.readouterr().out
    assert "supabase: applied 001_tables, 002_grants_and_rls, 003_verified_flag, 004_intraday_hourly, 005_mirror_status, 006_mirror_role" in out
    with psycopg.connect(supabase_db) as conn:
        count = conn.execute(
            "SELECT count(*) FROM public.inventory_kpi_daily WHERE data_date = %s", (D,)
        ).fetchone()[0]
    assert count == 5


def test_kpi_stage_says_which_operational_tables_are_missing(env, mysql_database):
    settings = load_settings(environ={**env, **tidb_env(mysql_database)}, env_file=None)
    with pytest.raises(ConfigError, match="no operational table\\(s\\) inventory_tx, shipments, scan_event"):
        run_kpi(settings, open_lake(settings.data_lake_root), D)


def test_mirror_stage_over_rest(env, postgrest_stub):
    url, key, stub = postgrest_stub
    with psycopg.connect(stub.dsn, autocommit=True) as conn:
        from functions.kpi.schema import migrate_supabase

        migrate_supabase(conn)
    settings = load_settings(environ={**env, "SUPABASE_URL": url, "SUPABASE_SERVICE_KEY": key}, env_file=None)
    lake = open_lake(settings.data_lake_root)
    write_profit(lake, D)
    load_ops_into(settings, [D], seed=2, scale=0.01)
    run_kpi(settings, lake, D)

    result = run_mirror(settings, lake, D)

    assert (result.status, result.rows["inventory_kpi_daily"], result.rows["sales_kpi_daily"]) == (
        "success",
        5,
        1,
    )
    assert result.message == "mirrored via rest, count and checksum match"
