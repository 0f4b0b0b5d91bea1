"""The Supabase mirror (functions/kpi/mirror.py) on the real test PostgreSQL: direct transport, the
count/checksum check, row-level security for every kind of user, and the REST transport against a
PostgREST stand-in."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import psycopg
import pytest

from functions.kpi import mirror
from functions.kpi.compute import write_day
from functions.kpi.schema import migrate_supabase
from functions.kpi.tables import KPI_TABLES
from shared.errors import ConfigError, TerminalError, TransientError
from tests.fixtures.kpi import add_user, as_role, insert_ops, shipment, ts

TZ = "Asia/Jakarta"
D = date(2024, 3, 10)
LATER = datetime(2025, 1, 1, 3, 4, 5)


def seed_day(store, day: date = D, extra_qty: str = "0") -> dict[str, list[dict]]:
    """Org 1 with warehouses 101 and 102 and vehicle 500; org 2 with warehouse 201 and vehicle 600;
    sales for org 1. Returns the day's source rows as the mirror reads them."""
    insert_ops(
        store,
        "inventory_tx",
        [
            {
                "id": 1,
                "org_id": 1,
                "warehouse_id": 101,
                "sku": "A",
                "tx_type": "receipt",
                "qty": Decimal("10") + Decimal(extra_qty),
                "tx_at": ts("2024-03-10 01:00:00"),
            },
            {
                "id": 2,
                "org_id": 1,
                "warehouse_id": 102,
                "sku": "B",
                "tx_type": "issue",
                "qty": Decimal("-3.125"),
                "tx_at": ts("2024-03-10 02:00:00"),
            },
            {
                "id": 3,
                "org_id": 2,
                "warehouse_id": 201,
                "sku": "C",
                "tx_type": "receipt",
                "qty": Decimal("7"),
                "tx_at": ts("2024-03-01 02:00:00"),
            },
            {  # out of stock in warehouse 201 since before D (as is B in 102): inventory_stockout_daily
                "id": 4,
                "org_id": 2,
                "warehouse_id": 201,
                "sku": "D",
                "tx_type": "issue",
                "qty": Decimal("-2"),
                "tx_at": ts("2024-03-01 03:00:00"),
            },
        ],
    )
    insert_ops(
        store,
        "shipments",
        [
            shipment(
                1,
                500,
                org_id=1,
                dispatched_at="2024-03-10 01:00:00",
                delivered_at="2024-03-10 03:00:00",
                promised_at="2024-03-10 02:00:00",
                distance_km=Decimal("12.34"),
            ),
            shipment(2, 600, org_id=2, status="in_transit", dispatched_at="2024-03-10 04:00:00"),
        ],
    )
    sales = [
        {
            "data_date": day,
            "org_id": 1,
            "revenue_tax_in": Decimal("150000.00"),
            "cogs_tax_in": Decimal("90000.00"),
            "gross_profit": Decimal("60000.00"),
            "quantity": Decimal("12.500"),
            "transactions": 4,
            "lines": 9,
            "gross_margin_pct": Decimal("40.0000"),
            "avg_basket_tax_in": Decimal("37500.00"),
            "cost_missing_lines": 0,
            "verified": False,  # an unverified day is mirrored as such
            "updated_at": LATER,
        }
    ]
    by_product = [
        {
            "data_date": day,
            "org_id": 1,
            "product_id": 7,
            "product_name": "Kopi Susu Gula Aren ☕",
            "revenue_tax_in": Decimal("100000.00"),
            "gross_profit": Decimal("40000.00"),
            "quantity": Decimal("8.000"),
            "lines": 6,
            "verified": True,
            "updated_at": LATER,
        },
        {
            "data_date": day,
            "org_id": 1,
            "product_id": 0,
            "product_name": None,
            "revenue_tax_in": Decimal("50000.00"),
            "gross_profit": None,
            "quantity": Decimal("4.500"),
            "lines": 3,
            "verified": True,
            "updated_at": LATER,
        },
    ]
    # Two tills at 10:00 WIB, one at 11:00; a provisional row (an intraday refresh) next to final ones.
    hourly = [
        {
            "data_date": day, "org_id": 1, "config_id": config, "hour": hour,
            "revenue_tax_in": Decimal(revenue), "gross_profit": Decimal("1000.50") if config == 1 else None,
            "transactions": 2, "lines": 3, "updated_at": LATER, "provisional": config == 2,
            "as_of": LATER if config == 2 else None,
        }
        for config, hour, revenue in ((1, 10, "70000.00"), (1, 11, "30000.00"), (2, 10, "50000.00"))
    ]  # fmt: skip
    write_day(store, day, TZ, sales, by_product, now=LATER, sales_hourly=hourly)
    return mirror.read_source_day(store, day)


def pg_day(dsn: str, table: str, day: date = D) -> list[dict]:
    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT * FROM public.{table} WHERE data_date = %s", (day,))
        names = [d.name for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_direct_mirror_copies_the_day_and_checks_it(kpi_store, supabase_db):
    source = seed_day(kpi_store)
    checks = mirror.mirror_direct(supabase_db, D, source)

    assert [(c.table, c.source_rows, c.target_rows, c.ok) for c in checks] == [
        ("inventory_kpi_daily", 3, 3, True),
        ("inventory_stockout_daily", 2, 2, True),
        ("fleet_kpi_daily", 2, 2, True),
        ("sales_kpi_daily", 1, 1, True),
        ("sales_kpi_daily_by_product", 2, 2, True),
        ("sales_kpi_hourly", 3, 3, True),
    ]
    for table in KPI_TABLES:
        expected = mirror.checksum(table, source[table.name])
        assert mirror.checksum(table, pg_day(supabase_db, table.name)) == expected


def test_direct_mirror_rerun_replaces_the_day_and_drops_rows_gone_from_the_source(kpi_store, supabase_db):
    source = seed_day(kpi_store)
    mirror.mirror_direct(supabase_db, D, source)
    # Vehicle 600 disappears from the source (its shipment is corrected away); the day is mirrored again.
    kpi_store.execute("DELETE FROM shipments WHERE id = 2")
    write_day(kpi_store, D, TZ, now=LATER)
    mirror.mirror_direct(supabase_db, D, mirror.read_source_day(kpi_store, D))

    assert sorted(r["vehicle_id"] for r in pg_day(supabase_db, "fleet_kpi_daily")) == [500]
    assert pg_day(supabase_db, "sales_kpi_daily") == []  # the rerun had no sales rows


def test_checksum_mismatch_rolls_back_and_keeps_the_previous_copy(embedded_store, supabase_db):
    source = seed_day(embedded_store)
    mirror.mirror_direct(supabase_db, D, source)
    before = pg_day(supabase_db, "inventory_kpi_daily")
    # Something in Supabase alters rows on the way in: the check must catch it.
    with psycopg.connect(supabase_db, autocommit=True) as conn:
        conn.execute("""
            CREATE FUNCTION public.tamper() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN NEW.closing_qty := NEW.closing_qty + 1; RETURN NEW; END $$""")
        conn.execute(
            "CREATE TRIGGER tamper BEFORE INSERT ON public.inventory_kpi_daily FOR EACH ROW EXECUTE FUNCTION public.tamper()"
        )
    changed = dict(source)
    changed["inventory_kpi_daily"] = [
        dict(r, tx_count=r["tx_count"] + 1) for r in source["inventory_kpi_daily"]
    ]

    with pytest.raises(TerminalError, match="mirror check failed for 2024-03-10: inventory_kpi_daily"):
        mirror.mirror_direct(supabase_db, D, changed)
    assert pg_day(supabase_db, "inventory_kpi_daily") == before


def test_unreachable_supabase_is_a_transient_error():
    with pytest.raises(TransientError, match="connect to Supabase database"):
        mirror.mirror_direct("postgresql://nobody:secret@127.0.0.1:9/none", D, {})


@pytest.fixture
def mirrored(embedded_store, supabase_db):
    seed_day(embedded_store)
    mirror.mirror_direct(supabase_db, D, mirror.read_source_day(embedded_store, D))
    return supabase_db


def visible(dsn: str, role: str, user_id=None) -> dict[str, list]:
    keys = {
        "inventory_kpi_daily": "warehouse_id",
        "inventory_stockout_daily": "warehouse_id",
        "fleet_kpi_daily": "vehicle_id",
        "sales_kpi_daily": "org_id",
        "sales_kpi_daily_by_product": "product_id",
        "sales_kpi_hourly": "hour",
    }
    seen = {}
    with as_role(dsn, role, user_id) as conn:
        for table, key in keys.items():
            seen[table] = sorted(r[0] for r in conn.execute(f"SELECT {key} FROM public.{table}").fetchall())
    return seen


def test_rls_org_wide_user_sees_the_whole_organisation(mirrored):
    user = add_user(mirrored, org_id=1, role="owner")
    expected = {
        "inventory_kpi_daily": [101, 102],
        "inventory_stockout_daily": [102],
        "fleet_kpi_daily": [500],
        "sales_kpi_daily": [1],
        "sales_kpi_daily_by_product": [0, 7],
        "sales_kpi_hourly": [10, 10, 11],
    }
    assert visible(mirrored, "authenticated", user) == expected


def test_rls_single_warehouse_user_sees_one_warehouse_and_the_org_level_tables(mirrored):
    user = add_user(mirrored, org_id=1, warehouse_id=102)
    expected = {
        "inventory_kpi_daily": [102],
        "inventory_stockout_daily": [102],
        "fleet_kpi_daily": [500],
        "sales_kpi_daily": [1],
        "sales_kpi_daily_by_product": [0, 7],
        "sales_kpi_hourly": [10, 10, 11],
    }
    assert visible(mirrored, "authenticated", user) == expected


def test_rls_other_organisation_user_sees_only_their_own(mirrored):
    user = add_user(mirrored, org_id=2, role="manager")
    expected = {
        "inventory_kpi_daily": [201],
        "inventory_stockout_daily": [201],
        "fleet_kpi_daily": [600],
        "sales_kpi_daily": [],
        "sales_kpi_daily_by_product": [],
        "sales_kpi_hourly": [],
    }
    assert visible(mirrored, "authenticated", user) == expected


def test_rls_authenticated_without_grants_sees_nothing(mirrored):
    expected = {t.name: [] for t in KPI_TABLES}
    assert visible(mirrored, "authenticated", None) == expected


def test_anon_sees_nothing(mirrored):
    for table in KPI_TABLES:
        with pytest.raises(
            psycopg.errors.InsufficientPrivilege, match=f"permission denied for table {table.name}"
        ):
            with as_role(mirrored, "anon") as conn:
                conn.execute(f"SELECT * FROM public.{table.name}")


def test_authenticated_cannot_write(mirrored):
    user = add_user(mirrored, org_id=1, role="owner")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
        with as_role(mirrored, "authenticated", user) as conn:
            conn.execute("DELETE FROM public.inventory_kpi_daily")


def test_user_sees_own_grants_organisations_and_warehouses_only(mirrored):
    user = add_user(mirrored, org_id=1, warehouse_id=101)
    add_user(mirrored, org_id=2, warehouse_id=201)
    with as_role(mirrored, "authenticated", user) as conn:
        result = (
            conn.execute("SELECT org_id, warehouse_id FROM public.user_org_role").fetchall(),
            conn.execute("SELECT id FROM public.organization").fetchall(),
            conn.execute("SELECT id FROM public.warehouse").fetchall(),
        )
    assert result == ([(1, 101)], [(1,)], [(101,)])


# ---------------------------------------------------------------- REST transport


def test_rest_mirror_upserts_batches_removes_stale_rows_and_checks(
    embedded_store, postgrest_stub, monkeypatch
):
    url, key, stub = postgrest_stub
    with psycopg.connect(stub.dsn, autocommit=True) as conn:
        migrate_supabase(conn)  # REST cannot run DDL: on Supabase this is the SQL editor's job
    source = seed_day(embedded_store)
    monkeypatch.setattr(mirror, "REST_BATCH_ROWS", 2)  # inventory's 3 rows go in two requests
    monkeypatch.setattr(mirror, "REST_PAGE_ROWS", 2)  # and are read back in two pages
    # A stale row of the day that is not in the source must go.
    with psycopg.connect(stub.dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO public.fleet_kpi_daily VALUES (%s, 1, 999, 0, 0, 0, 0, NULL, NULL, 0, 1, now())",
            (D,),
        )

    checks = mirror.mirror_rest(url, key, D, source)

    assert all(c.ok for c in checks)
    for table in KPI_TABLES:
        assert mirror.checksum(table, pg_day(stub.dsn, table.name)) == mirror.checksum(
            table, source[table.name]
        )
    posts = [(path, headers) for method, path, headers in stub.requests if method == "POST"]
    inventory_posts = [p for p in posts if p[0].startswith("/rest/v1/inventory_kpi_daily")]
    assert len(inventory_posts) == 2
    assert "on_conflict=data_date%2Corg_id%2Cwarehouse_id" in inventory_posts[0][0]
    assert "resolution=merge-duplicates" in inventory_posts[0][1]["Prefer"]
    assert [m for m, p, _ in stub.requests if m == "DELETE" and "vehicle_id=eq.999" in p]

    # Rerun over REST: one copy, same checksum.
    assert all(c.ok for c in mirror.mirror_rest(url, key, D, source))
    assert len(pg_day(stub.dsn, "inventory_kpi_daily")) == 3


def test_rest_rollback_deletes_the_day(embedded_store, postgrest_stub):
    url, key, stub = postgrest_stub
    with psycopg.connect(stub.dsn, autocommit=True) as conn:
        migrate_supabase(conn)
    mirror.mirror_rest(url, key, D, seed_day(embedded_store))
    result = mirror.delete_day_rest(url, key, D)
    assert result == {
        "inventory_kpi_daily": 3,
        "inventory_stockout_daily": 2,
        "fleet_kpi_daily": 2,
        "sales_kpi_daily": 1,
        "sales_kpi_daily_by_product": 2,
        "sales_kpi_hourly": 3,
    }
    assert all(pg_day(stub.dsn, t.name) == [] for t in KPI_TABLES)


def test_rest_with_a_wrong_key_is_refused(embedded_store, postgrest_stub):
    url, _, stub = postgrest_stub
    with psycopg.connect(stub.dsn, autocommit=True) as conn:
        migrate_supabase(conn)
    with pytest.raises((ConfigError, TerminalError), match="inventory_kpi_daily"):
        mirror.mirror_rest(url, "not-the-service-key", D, seed_day(embedded_store))


def test_rest_unreachable_is_transient(embedded_store):
    with pytest.raises(TransientError, match="Supabase unreachable"):
        mirror.mirror_rest("http://127.0.0.1:9", "key", D, seed_day(embedded_store))


@pytest.mark.parametrize(("status", "error"), [(503, TransientError), (404, TerminalError)])
def test_rest_http_failures_map_to_error_kinds(embedded_store, postgrest_stub, status, error):
    url, key, stub = postgrest_stub
    stub.fail_with = status
    with pytest.raises(error, match=f"HTTP {status}: upsert inventory_kpi_daily"):
        mirror.mirror_rest(url, key, D, seed_day(embedded_store))


def test_concurrent_mirrors_of_one_day_take_turns(embedded_store, supabase_db):
    from concurrent.futures import ThreadPoolExecutor

    source = seed_day(embedded_store)
    mirror.mirror_direct(supabase_db, D, source)  # migrations done before the race
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: mirror.mirror_direct(supabase_db, D, source), range(4)))
    assert all(all(c.ok for c in checks) for checks in results)
    assert len(pg_day(supabase_db, "inventory_kpi_daily")) == 3


@pytest.fixture
def mirror_login(supabase_db):
    """A login that is a member of nkpipe_mirror (as docs/deploy.md makes it), after the owner migrated."""
    import secrets
    import uuid

    with psycopg.connect(supabase_db, autocommit=True) as conn:
        migrate_supabase(conn)
        name = f"mirror_{uuid.uuid4().hex[:10]}"
        password = secrets.token_hex(12)
        conn.execute(psycopg.sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE nkpipe_mirror").format(
            psycopg.sql.Identifier(name), psycopg.sql.Literal(password)))
        conn.execute(psycopg.sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            psycopg.sql.Identifier(conn.info.dbname), psycopg.sql.Identifier(name)))
    parts = psycopg.conninfo.conninfo_to_dict(supabase_db)
    try:
        yield psycopg.conninfo.make_conninfo(supabase_db, user=name, password=password), parts
    finally:
        with psycopg.connect(supabase_db, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP OWNED BY {}").format(psycopg.sql.Identifier(name)))
            conn.execute(psycopg.sql.SQL("DROP ROLE {}").format(psycopg.sql.Identifier(name)))


def test_the_nightly_mirror_role_replaces_days_but_runs_no_ddl(kpi_store, supabase_db, mirror_login):
    mirror_dsn, _ = mirror_login
    source = seed_day(kpi_store)
    checks = mirror.mirror_direct(mirror_dsn, D, source)
    assert all(c.ok for c in checks) and sum(c.target_rows for c in checks) == 13  # 8 + 3 sales_kpi_hourly + 2 stockout rows
    assert mirror.delete_day_direct(mirror_dsn, D)["inventory_kpi_daily"] == 3

    with psycopg.connect(mirror_dsn, autocommit=True) as conn:
        for ddl in ("CREATE TABLE public.intruder (x int)", "DROP TABLE public.inventory_kpi_daily",
                    "ALTER TABLE public.fleet_kpi_daily ADD COLUMN x int",
                    "DELETE FROM public.kpi_schema_migrations", "DELETE FROM public.user_org_role",
                    "SELECT count(*) FROM public.organization"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(ddl)
    with pytest.raises(ConfigError, match="refused access"):
        mirror.drop_tables_direct(mirror_dsn)  # reset is the owner's, from a person's machine
