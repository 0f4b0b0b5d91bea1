"""DuckDB views over the lake (`open_views`) and `nkpipe sql`, on a lake filled from the simulator."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from functions.cli import main
from functions.pipeline import run_days
from functions.views import open_views
from shared.lake import open_lake
from shared.odoo_sim import OdooSimulator, SimConfig
from shared.schemas import DIM_PRODUCTS, FACT_INVOICE_SALES, FACT_SALES
from tests.odoo_helpers import sim_settings

TARGETS = ("pos", "invoice-sales", "inventory-moves", "dimensions")


@pytest.fixture(scope="module")
def lake_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("lake")
    with OdooSimulator(SimConfig(seed=21, lines_per_day=40, days=2)).start() as sim:
        settings = sim_settings(sim, str(root))
        run_days(settings, open_lake(str(root)), [sim.first_day, sim.last_day], ("extract", "transform"), TARGETS)
    return root


def test_views_cover_facts_dimensions_and_empty_contract_tables(lake_root):
    lake = open_lake(str(lake_root))
    con = open_views(lake)
    counts = dict(con.execute("select 'fact_sales', count(*) from fact_sales union all "
                          "select 'fact_invoice_sales', count(*) from fact_invoice_sales union all "
                          "select 'dim_products', count(*) from dim_products").fetchall())
    expected = {
        "fact_sales": lake.read_partitions(FACT_SALES).num_rows,
        "fact_invoice_sales": lake.read_partitions(FACT_INVOICE_SALES).num_rows,
        "dim_products": lake.read_table(DIM_PRODUCTS).num_rows,
    }
    assert counts == expected
    assert min(expected.values()) > 0
    # never extracted here, yet queryable with the declared columns
    assert con.execute("select count(*) from fact_purchases").fetchone() == (0,)
    assert "actual_price" in [c[0] for c in con.execute("describe fact_stock_quants union all describe fact_purchases")
                              .fetchall()]


def test_fact_sales_all_is_pos_union_invoice_with_source(lake_root):
    lake = open_lake(str(lake_root))
    con = open_views(lake)
    result = dict(con.execute("select source, count(*) from fact_sales_all group by source").fetchall())
    expected = {
        "pos": lake.read_partitions(FACT_SALES).num_rows,
        "invoice": lake.read_partitions(FACT_INVOICE_SALES).num_rows,
    }
    assert result == expected
    revenue = con.execute("select round(sum(revenue_tax_in), 2) from fact_sales_all where source = 'invoice'").fetchone()[0]
    invoice = pl.from_arrow(lake.read_partitions(FACT_INVOICE_SALES))
    assert revenue == pytest.approx(round(invoice["revenue_tax_in"].sum(), 2))


def test_views_join_facts_to_dimensions(lake_root):
    con = open_views(open_lake(str(lake_root)))
    unmatched = con.execute(
        "select count(*) from fact_inventory_moves m left join dim_products p using (product_id) "
        "where p.product_id is null"
    ).fetchone()[0]
    assert unmatched == 0
    usages = {row[0] for row in con.execute("select distinct usage from dim_locations").fetchall()}
    assert "internal" in usages


def test_nkpipe_sql_prints_a_table(lake_root, capsys):
    code = main(["sql", "select source, count(*) as lines from fact_sales_all group by source order by source",
                 "--lake", str(lake_root), "--env-file", "/nonexistent"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].split() == ["source", "lines"]
    assert [line.split()[0] for line in out[2:]] == ["invoice", "pos"]


def test_nkpipe_sql_bad_query_is_one_line_and_exit_2(lake_root, capsys):
    code = main(["sql", "select nope from fact_sales", "--lake", str(lake_root), "--env-file", "/nonexistent"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: sql: ") and "nope" in err[0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("copy (select 1 as x) to '{partition}' (format parquet)", "only queries are allowed"),
        ("create table t as select 1", "only queries are allowed"),
        ("attach ':memory:' as other", "only queries are allowed"),
        ("select 1; select 2", "exactly one statement"),
        # EXPLAIN ANALYZE executes its statement: only the explain of a query gets through
        ("explain analyze copy (select 1 as x) to '{partition}' (format parquet)", "explain only a query"),
        ("explain (analyze) copy (select 1 as x) to '{partition}' (format parquet)", "explain only a query"),
        ("explain analyze install httpfs", "explain only a query"),
        ("explain analyze create table t as select 1", "explain only a query"),
        ("set enable_external_access = true", "only queries are allowed"),
        ("install httpfs", "only queries are allowed"),
        ("load httpfs", "only queries are allowed"),
    ],
)
def test_nkpipe_sql_never_writes(lake_root, capsys, query, message):
    partition = next((lake_root / "star-schema" / "fact_sales").glob("date=*/part-0.parquet"))
    before = partition.read_bytes()
    code = main(["sql", query.format(partition=partition), "--lake", str(lake_root), "--env-file", "/nonexistent"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0]
    assert partition.read_bytes() == before


def test_nkpipe_sql_reads_with_describe_show_and_explain(lake_root, capsys):
    for query in ("describe fact_sales", "show tables", "explain select * from fact_sales",
                  "explain analyze select count(*) from fact_sales_all",
                  "explain (analyze) with s as (select 1 as x) select * from s"):
        assert main(["sql", query, "--lake", str(lake_root), "--env-file", "/nonexistent"]) == 0, query


@pytest.mark.parametrize(
    "query",
    [
        "select * from read_csv('/etc/passwd', sep = ':')",
        "select * from read_text('/etc/hostname')",
        "select * from glob('/etc/*')",
        "select * from read_text('{lake}/metadata/**/*.json')",  # the lake outside star-schema/
        "select * from glob('{lake}/raw/*')",
        "select * from read_parquet('http://127.0.0.1:1/x.parquet')",
        "select * from read_parquet('s3://bucket/x.parquet')",
        "attach '{lake}/other.duckdb' as other",
    ],
)
def test_nkpipe_sql_reads_nothing_but_the_star_schema(lake_root, capsys, query):
    code = main(["sql", query.format(lake=lake_root), "--lake", str(lake_root), "--env-file", "/nonexistent"])
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error: sql: "), err
    assert "root:" not in captured.out and captured.out == ""
    assert not (lake_root / "other.duckdb").exists()


def test_nkpipe_sql_cannot_unlock_the_engine(lake_root):
    from functions.cli.sql import lock_down

    con = open_views(open_lake(str(lake_root)))
    lock_down(con, str(lake_root / "star-schema"))
    with pytest.raises(duckdb.InvalidInputException, match="locked"):
        con.execute("SET enable_external_access = true")
    with pytest.raises(duckdb.PermissionException, match="disabled"):
        con.execute("select * from read_text('/etc/hostname')")
    expected = open_views(open_lake(str(lake_root))).execute("select count(*) from fact_sales").fetchone()
    assert con.execute("select count(*) from fact_sales").fetchone() == expected


def test_nkpipe_sql_prints_timestamps_and_caps_rows(lake_root, capsys):
    code = main(["sql", "select move_line_id, date_done from fact_inventory_moves order by move_line_id",
                 "--max-rows", "2", "--lake", str(lake_root), "--env-file", "/nonexistent"])
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert code == 0
    assert len(out) == 4  # header, rule, two rows
    assert "+00:00" in out[2]
    assert "first 2 rows shown" in captured.err


def test_views_on_an_object_store_lake(lake_root, gcs_bucket):
    local = open_lake(str(lake_root))
    remote = open_lake(f"{gcs_bucket.root_url}/nk/lake")
    for key in local.store.list("star-schema/"):
        remote.store.put(key, local.store.get(key))
    expected = open_views(local).execute("select source, count(*), round(sum(quantity), 6) from fact_sales_all "
                                         "group by source order by source").fetchall()
    con = open_views(remote)
    result = con.execute("select source, count(*), round(sum(quantity), 6) from fact_sales_all "
                         "group by source order by source").fetchall()
    assert result == expected
    assert con.execute("select count(*) from dim_products").fetchone()[0] == local.read_table(DIM_PRODUCTS).num_rows
