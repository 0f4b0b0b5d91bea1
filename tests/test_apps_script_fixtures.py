"""The Apps Script dashboard's REST fixtures come from the real PostgreSQL mirror.

`apps_script/test/fixtures/queries.json` lists the PostgREST reads one dashboard refresh makes (the Node
tests check the script makes exactly those). Here the mirror tables are created by the Supabase
migrations in a fresh PostgreSQL database, rows of three organisations are inserted, and each read is run
the way PostgREST runs it: as role `authenticated` with the viewer's JWT claims, so row-level security
decides the rows, aggregated with json_agg. The result must equal the committed `<name>.json`: a column
renamed in a migration, or in the script, fails here or in the Node tests. The same reads as a signed-in
user without any grant are `no_access/<name>.json` (the dashboard's "no access" case).

Regenerate after an intended change with (the first line only when src/queries.js changed):
    (cd apps_script && npm run fixtures:manifest)
    UPDATE_APPS_SCRIPT_FIXTURES=1 scripts/test tests/test_apps_script_fixtures.py
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "apps_script" / "test" / "fixtures"
MANIFEST = FIXTURES / "queries.json"
UPDATE_ENV = "UPDATE_APPS_SCRIPT_FIXTURES"

# Supabase owns these; a plain PostgreSQL gets a stand-in with the same names and behaviour
# (auth.uid() reads the JWT's `sub` the way PostgREST passes it: request.jwt.claims).
SUPABASE_STAND_IN = (
    """DO $$ BEGIN CREATE ROLE anon NOLOGIN;
       EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""",
    """DO $$ BEGIN CREATE ROLE authenticated NOLOGIN;
       EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""",
    """DO $$ BEGIN CREATE ROLE service_role NOLOGIN BYPASSRLS;
       EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""",
    "CREATE SCHEMA IF NOT EXISTS auth",
    "CREATE TABLE IF NOT EXISTS auth.users (id uuid PRIMARY KEY, email text)",
    """CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
         SELECT nullif(current_setting('request.jwt.claims', true)::json ->> 'sub', '')::uuid
       $$""",
    "GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role",
)

# PostgREST's filter operators that the dashboard uses; anything else is a mistake in the manifest.
OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
DIRECTIONS = {"asc": "ASC", "desc": "DESC"}
RESERVED = {"select", "order", "limit", "offset"}

# The viewer's grants: all of org 1, warehouse 21 of org 2, nothing of org 3.
ORG_WIDE, ONE_WAREHOUSE, HIDDEN = 1, 2, 3
OTHER_USER = "0b9d6c55-3f0e-4f4b-8d1e-2c8a4e7b9f20"
# A signed-in user nobody gave a grant: every read of theirs is written to fixtures/no_access/.
NO_ACCESS = FIXTURES / "no_access"


def postgrest_query(path: str) -> tuple[Any, list[Any]]:
    """The SQL PostgREST runs for a GET of `path` (select, eq/gte/… filters, order, limit, offset),
    returning its rows as one JSON array."""
    from psycopg import sql

    parts = urlsplit(path)
    prefix = "/rest/v1/"
    if not parts.path.startswith(prefix):
        raise ValueError(f"not a PostgREST table path: {path}")
    table = parts.path[len(prefix) :]
    # /rest/v1/rpc/<function>: PostgREST reads a set-returning function like a table (GET, STABLE).
    is_rpc = table.startswith("rpc/")
    if is_rpc:
        table = table[len("rpc/") :]
    params = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    columns = [sql.Identifier(c) for key, value in params if key == "select" for c in value.split(",")]
    if not columns:
        raise ValueError(f"no select= in {path}")
    where, values = [], []
    for key, value in params:
        if key in RESERVED:
            continue
        operator, _, operand = value.partition(".")
        if operator not in OPERATORS:
            raise ValueError(f"unsupported PostgREST operator {operator!r} in {path}")
        where.append(sql.SQL("{} {} %s").format(sql.Identifier(key), sql.SQL(OPERATORS[operator])))
        values.append(operand)
    order = []
    for key, value in params:
        if key == "order":
            for term in value.split(","):
                column, _, direction = term.partition(".")
                order.append(
                    sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(DIRECTIONS[direction or "asc"]))
                )
    single = dict(params)
    source = (
        sql.SQL("{}()").format(sql.Identifier("public", table)) if is_rpc else sql.Identifier("public", table)
    )
    inner = sql.SQL("SELECT {} FROM {} AS f").format(sql.SQL(", ").join(columns), source)
    if where:
        inner += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where)
    if order:
        inner += sql.SQL(" ORDER BY ") + sql.SQL(", ").join(order)
    if "limit" in single:
        inner += sql.SQL(" LIMIT %s")
        values.append(int(single["limit"]))
    if "offset" in single:
        inner += sql.SQL(" OFFSET %s")
        values.append(int(single["offset"]))
    query = sql.SQL("SELECT coalesce(json_agg(t), '[]'::json)::text FROM ({}) AS t").format(inner)
    return query, values


def run_as_user(connection: Any, user_id: str, path: str) -> list[dict[str, Any]]:
    """One PostgREST GET as a signed-in user: role authenticated, JWT claims set, in one transaction."""
    query, values = postgrest_query(path)
    claims = json.dumps({"sub": user_id, "role": "authenticated", "aud": "authenticated"})
    with connection.transaction():
        connection.execute("SET LOCAL ROLE authenticated")
        connection.execute("SELECT set_config('request.jwt.claims', %s, true)", (claims,))
        connection.execute("SET LOCAL TimeZone = 'UTC'")
        text = connection.execute(query, values).fetchone()[0]
    return json.loads(text)


# ---------------------------------------------------------------- the mirror's rows


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def sales_rows(day: date) -> list[tuple]:
    """sales_kpi_daily up to the day after the shown one: org 1 over 96 days, org 2 the last 11 days
    (one with no sales), org 3 (hidden) every day; one day in the week before has no data at all."""
    rows = []
    for org, days_back, base in ((1, 94, 12_000_000), (2, 9, 3_500_000), (3, 94, 99_000_000)):
        for back in range(days_back, -2, -1):
            on = day - timedelta(days=back)
            if org != 3 and back % 11 == 5:  # days the lake had no sales data mirrored yet
                continue
            if org == 2 and back == 2:  # a shop that sold nothing: rates are null, not zero
                rows.append((on, org, 0, 0, 0, 0, 0, 0, None, None, 0))
                continue
            revenue = _money(base + 137_911.25 * (back % 7) - 51_003.5 * (back % 5))
            cogs = _money(float(revenue) * (0.71 + 0.01 * (back % 4)))
            profit = revenue - cogs
            transactions = 180 + 7 * (back % 9) if org != 2 else 60 + back
            lines = transactions * 3 + back % 4
            quantity = Decimal(lines) + Decimal("0.5")
            margin = (100 * profit / revenue).quantize(Decimal("0.0001"))
            basket = (revenue / transactions).quantize(Decimal("0.01"))
            missing = back % 3
            rows.append(
                (on, org, revenue, cogs, profit, quantity, transactions, lines, margin, basket, missing)
            )
    return rows


def product_rows(day: date) -> list[tuple]:
    """sales_kpi_daily_by_product on the day (23 visible products, a tie, a loss, a nameless one) and
    the days before and after."""
    rows = []
    for on in (day - timedelta(days=1), day, day + timedelta(days=1)):
        for product in range(1, 19):
            profit = Decimal(2_000_000 - 97_000 * product)
            if product == 7:
                profit = Decimal(2_000_000 - 97_000 * 6)  # ties with product 6: product_id orders them
            if product == 18:
                profit = Decimal(-125_000)  # sold under cost
            revenue = profit * 4 if profit > 0 else Decimal(400_000)
            name = None if product == 13 else f"Produk Uji {product:02d}"
            rows.append((on, 1, 1000 + product, name, revenue, profit, Decimal(product * 3), product * 2))
        for product in range(1, 6):
            profit = Decimal(1_500_000 - 210_000 * product)
            rows.append(
                (
                    on,
                    2,
                    2000 + product,
                    f"Barang Org2 {product}",
                    profit * 3,
                    profit,
                    Decimal(product),
                    product,
                )
            )
        for product in range(1, 11):
            rows.append(
                (
                    on,
                    3,
                    3000 + product,
                    f"Rahasia {product}",
                    Decimal(90_000_000),
                    Decimal(50_000_000),
                    Decimal(1),
                    1,
                )
            )
    return rows


def inventory_rows(day: date) -> list[tuple]:
    """inventory_kpi_daily for 35 days up to the day after: warehouses 11, 12 (org 1), 21, 22 (org 2),
    31 (org 3)."""
    rows = []
    for back in range(34, -2, -1):
        on = day - timedelta(days=back)
        for org, warehouse in ((1, 11), (1, 12), (2, 21), (2, 22), (3, 31)):
            receipts = Decimal(400 + 10 * back + warehouse)
            issues = Decimal(350 + 5 * back) + Decimal("0.250")
            adjustments = Decimal(-2 if back % 3 == 0 else 0)
            net = receipts - issues + adjustments
            closing = Decimal(10_000 + 100 * warehouse) - Decimal(25 * back) + net
            stockouts = 0 if warehouse == 12 else (back % 4) + (1 if warehouse == 11 else 0)
            if back == 0:  # the shown day: more SKUs out than the Inventori list shows ("+N lainnya")
                stockouts += {11: 8, 21: 4}.get(warehouse, 0)
            rows.append(
                (
                    on,
                    org,
                    warehouse,
                    receipts,
                    issues,
                    adjustments,
                    net,
                    closing,
                    40 + back,
                    25 + warehouse % 10,
                    stockouts,
                )
            )
    return rows


def stockout_rows(day: date) -> list[tuple]:
    """inventory_stockout_daily: as many SKUs per (day, warehouse) as inventory_kpi_daily counts, with
    closing quantities 0 and below."""
    return [
        (on, org, warehouse, f"SKU-{warehouse}-{n:03d}", Decimal(-n % 4) * Decimal("-1.5"))
        for on, org, warehouse, *_, stockouts in inventory_rows(day)
        for n in range(1, stockouts + 1)
    ]


def pos_shop_rows(day: date) -> list[tuple]:
    """sales_kpi_hourly for the 9 days up to the day after the shown one: POS configs 1 and 2 of org 1
    (config 2 opened this week: nothing the same weekday last week), 0 (orders without a config) of
    org 1, 5 of org 2, 9 of org 3 (hidden), hours 8 to 20."""
    rows = []
    for back in range(8, -2, -1):
        on = day - timedelta(days=back)
        for org, config, base in (
            (1, 1, 410_000),
            (1, 2, 260_000),
            (1, 0, 15_000),
            (2, 5, 120_000),
            (3, 9, 9_000_000),
        ):
            if config == 2 and back >= 7:
                continue
            if config == 0 and back != 0:
                continue
            for hour in range(8, 21):
                revenue = _money(base + 9_250.5 * ((hour + back) % 6) - 4_100 * (back % 3))
                profit = _money(float(revenue) * 0.27)
                transactions = 3 + (hour + config + back) % 5
                rows.append((on, org, config, hour, revenue, profit, transactions, transactions * 2))
    return rows


def fleet_rows(day: date) -> list[tuple]:
    """fleet_kpi_daily up to the day itself (the fleet mirror is a day behind: stale on Status Data):
    vehicles 101, 102 (org 1), 201 (org 2), 301 (org 3), over 35 days."""
    rows = []
    for back in range(34, -1, -1):
        on = day - timedelta(days=back)
        for org, vehicle in ((1, 101), (1, 102), (2, 201), (3, 301)):
            if vehicle == 102 and back == 0:  # dispatched, nothing delivered yet: rate and average are null
                rows.append((on, org, vehicle, 3, 0, 1, 0, None, None, Decimal(0), 9))
                continue
            delivered = 8 + back % 3
            on_time = delivered - (back % 2) - (1 if vehicle == 201 else 0)
            rate = (Decimal(on_time) / Decimal(delivered)).quantize(Decimal("0.000001"))
            minutes = Decimal(95 + 4 * back + vehicle % 7) + Decimal("0.5")
            rows.append(
                (
                    on,
                    org,
                    vehicle,
                    delivered + 1,
                    delivered,
                    back % 2,
                    on_time,
                    rate,
                    minutes,
                    Decimal(120 + 3 * back) + Decimal("0.75"),
                    4 * delivered + 2,
                )
            )
    return rows


def seed_mirror(connection: Any, viewer: str, no_access: str, day: date) -> None:
    """Organisations, warehouses, the viewer's grants and the KPI rows, written as the table owner."""
    updated = "2026-11-20 22:30:00+00"
    with connection.transaction():
        connection.execute(
            "INSERT INTO auth.users (id, email) VALUES (%s, %s), (%s, %s), (%s, %s)",
            (viewer, "viewer@example.com", OTHER_USER, "other@example.com", no_access, "new@example.com"),
        )
        connection.execute(
            "INSERT INTO public.organization (id, name) VALUES (1, 'New Khatulistiwa'), "
            "(2, 'PT Mitra'), (3, 'Organisasi Lain')"
        )
        connection.execute(
            "INSERT INTO public.warehouse (id, org_id, code, name) VALUES "
            "(11, 1, 'JKT', 'Jakarta'), (12, 1, 'BDG', 'Bandung'), (21, 2, 'SBY', 'Surabaya'), "
            "(22, 2, 'MLG', 'Malang'), (31, 3, 'DPS', 'Denpasar')"
        )
        connection.execute(
            "INSERT INTO public.user_org_role (user_id, org_id, warehouse_id, role) VALUES "
            "(%s, 1, NULL, 'viewer'), (%s, 2, 21, 'viewer'), (%s, 3, NULL, 'owner')",
            (viewer, viewer, OTHER_USER),
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO public.sales_kpi_daily (data_date, org_id, revenue_tax_in, cogs_tax_in, gross_profit, "
                "quantity, transactions, lines, gross_margin_pct, avg_basket_tax_in, cost_missing_lines, updated_at) "
                f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '{updated}')",
                sales_rows(day),
            )
            cursor.executemany(
                "INSERT INTO public.sales_kpi_daily_by_product (data_date, org_id, product_id, product_name, "
                f"revenue_tax_in, gross_profit, quantity, lines, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{updated}')",
                product_rows(day),
            )
            cursor.executemany(
                "INSERT INTO public.inventory_kpi_daily (data_date, org_id, warehouse_id, receipts_qty, issues_qty, "
                "adjustments_qty, net_change_qty, closing_qty, tx_count, active_sku_count, stockout_sku_count, "
                f"updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '{updated}')",
                inventory_rows(day),
            )
            cursor.executemany(
                "INSERT INTO public.fleet_kpi_daily (data_date, org_id, vehicle_id, shipments_dispatched, "
                "shipments_delivered, shipments_failed, on_time_delivered, on_time_rate, avg_delivery_minutes, "
                f"distance_km, scan_events, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '{updated}')",
                fleet_rows(day),
            )
            cursor.executemany(
                "INSERT INTO public.inventory_stockout_daily (data_date, org_id, warehouse_id, sku, closing_qty, "
                f"updated_at) VALUES (%s, %s, %s, %s, %s, '{updated}')",
                stockout_rows(day),
            )
            cursor.executemany(
                "INSERT INTO public.sales_kpi_hourly (data_date, org_id, config_id, hour, revenue_tax_in, "
                f"gross_profit, transactions, lines, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{updated}')",
                pos_shop_rows(day),
            )


@pytest.fixture
def mirror(pg_database: str) -> Any:
    """A connection to a fresh Supabase stand-in with the KPI migrations applied and the rows seeded."""
    import psycopg

    from functions.kpi.schema import migrate_supabase

    manifest = json.loads(MANIFEST.read_text())
    with psycopg.connect(pg_database, autocommit=True) as connection:
        for statement in SUPABASE_STAND_IN:
            connection.execute(statement)
        migrate_supabase(connection)
        seed_mirror(
            connection,
            manifest["viewer_user_id"],
            manifest["no_access_user_id"],
            date.fromisoformat(manifest["day"]),
        )
        yield connection


def regenerate(connection: Any, user_key: str = "viewer_user_id") -> dict[str, dict[str, Any]]:
    manifest = json.loads(MANIFEST.read_text())
    return {
        q["name"]: {
            "name": q["name"],
            "path": q["path"],
            "rows": run_as_user(connection, manifest[user_key], q["path"]),
        }
        for q in manifest["queries"]
    }


def fixture_text(fixture: dict[str, Any]) -> str:
    return json.dumps(fixture, indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("folder", "user_key"), [(FIXTURES, "viewer_user_id"), (NO_ACCESS, "no_access_user_id")]
)
def test_committed_fixtures_equal_what_the_postgres_mirror_returns(
    mirror: Any, folder: Path, user_key: str
) -> None:
    expected = regenerate(mirror, user_key)

    if os.environ.get(UPDATE_ENV) == "1":
        folder.mkdir(exist_ok=True)
        for name, fixture in expected.items():
            (folder / f"{name}.json").write_text(fixture_text(fixture))
    result = {
        name: json.loads((folder / f"{name}.json").read_text())
        if (folder / f"{name}.json").exists()
        else None
        for name in expected
    }

    stale = sorted(name for name in expected if result[name] != expected[name])
    assert not stale, (
        f"{folder} differs from the PostgreSQL mirror for {stale}; "
        f"if the change is intended run: {UPDATE_ENV}=1 scripts/test tests/test_apps_script_fixtures.py"
    )


def test_row_level_security_decides_what_the_fixtures_contain(mirror: Any) -> None:
    fixtures = regenerate(mirror)

    orgs = {row["org_id"] for f in fixtures.values() for row in f["rows"] if "org_id" in row}
    warehouses = {row["warehouse_id"] for row in fixtures["inventory_daily"]["rows"]}
    assert orgs == {ORG_WIDE, ONE_WAREHOUSE}
    assert warehouses == {11, 12, 21}
    assert {row["id"] for row in fixtures["warehouses"]["rows"]} == {11, 12, 21}
    assert {row["id"] for row in fixtures["organizations"]["rows"]} == {ORG_WIDE, ONE_WAREHOUSE}
    assert len(fixtures["top_products"]["rows"]) == 20
    assert {row["warehouse_id"] for row in fixtures["stockouts"]["rows"]} == {11, 21}
    assert {(row["org_id"], row["config_id"]) for row in fixtures["pos_shops"]["rows"]} == {
        (1, 0),
        (1, 1),
        (1, 2),
        (2, 5),
    }


def test_the_stockout_list_holds_the_skus_inventory_counts_under_rls(mirror: Any) -> None:
    manifest = json.loads(MANIFEST.read_text())
    day = manifest["day"]
    counted = sum(
        row["stockout_sku_count"]
        for row in regenerate(mirror)["inventory_daily"]["rows"]
        if row["data_date"] == day
    )
    query = f"/rest/v1/inventory_stockout_daily?select=warehouse_id,sku&data_date=eq.{day}"

    result = run_as_user(mirror, manifest["viewer_user_id"], query)

    assert counted == 13  # 9 in warehouse 11, 4 in 21 (warehouse 22 of org 2 is not the viewer's)
    assert len(result) == counted
    every_day = "/rest/v1/inventory_stockout_daily?select=warehouse_id"
    assert {row["warehouse_id"] for row in run_as_user(mirror, OTHER_USER, every_day)} == {31}


def test_another_user_sees_only_their_organisation(mirror: Any) -> None:
    manifest = json.loads(MANIFEST.read_text())
    path = next(q["path"] for q in manifest["queries"] if q["name"] == "inventory_daily")

    result = run_as_user(mirror, OTHER_USER, path)

    assert {row["warehouse_id"] for row in result} == {31}


def test_filters_order_and_limit_are_applied_like_postgrest(mirror: Any) -> None:
    fixtures = regenerate(mirror)

    sales_days = [row["data_date"] for row in fixtures["sales_daily"]["rows"]]
    assert min(sales_days) == "2026-08-22" and max(sales_days) == "2026-11-19"
    assert sales_days == sorted(sales_days)
    profits = [row["gross_profit"] for row in fixtures["top_products"]["rows"]]
    assert profits == sorted(profits, reverse=True)
    tie = [row["product_id"] for row in fixtures["top_products"]["rows"] if row["gross_profit"] == 1_418_000]
    assert tie == [1006, 1007]
    assert fixtures["latest_sales_kpi_daily"]["rows"] == [{"data_date": "2026-11-20"}]
    assert fixtures["latest_inventory_kpi_daily"]["rows"] == [{"data_date": "2026-11-20"}]
    assert fixtures["latest_fleet_kpi_daily"]["rows"] == [{"data_date": "2026-11-19"}]


def test_an_operator_the_translation_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported PostgREST operator 'like'"):
        postgrest_query("/rest/v1/sales_kpi_daily?select=data_date&product_name=like.Kopi*")


def test_a_renamed_column_fails_the_query(mirror: Any) -> None:
    import psycopg

    with pytest.raises(psycopg.errors.UndefinedColumn, match="closing_stock"):
        run_as_user(mirror, OTHER_USER, "/rest/v1/inventory_kpi_daily?select=closing_stock&limit=1")


def test_a_user_without_grants_sees_no_row_but_learns_the_tables_have_data(mirror: Any) -> None:
    fixtures = regenerate(mirror, "no_access_user_id")

    visible = {name: f["rows"] for name, f in fixtures.items() if name != "mirror_status"}
    assert all(rows == [] for rows in visible.values()), visible
    assert fixtures["mirror_status"]["rows"] == [
        {"table_name": t, "has_rows": True}
        for t in (
            "fleet_kpi_daily",
            "inventory_kpi_daily",
            "inventory_stockout_daily",
            "sales_kpi_daily",
            "sales_kpi_daily_by_product",
            "sales_kpi_hourly",
        )
    ]


def test_mirror_status_says_an_empty_table_is_empty(mirror: Any) -> None:
    manifest = json.loads(MANIFEST.read_text())
    path = next(q["path"] for q in manifest["queries"] if q["name"] == "mirror_status")
    mirror.execute("DELETE FROM public.fleet_kpi_daily")

    result = run_as_user(mirror, manifest["viewer_user_id"], path)

    assert {r["table_name"]: r["has_rows"] for r in result} == {
        "fleet_kpi_daily": False,
        "inventory_kpi_daily": True,
        "inventory_stockout_daily": True,
        "sales_kpi_daily": True,
        "sales_kpi_daily_by_product": True,
        "sales_kpi_hourly": True,
    }


def test_mirror_status_is_closed_to_anon(mirror: Any) -> None:
    import psycopg

    with pytest.raises(
        psycopg.errors.InsufficientPrivilege, match="permission denied for function kpi_mirror_status"
    ):
        with mirror.transaction():
            mirror.execute("SET LOCAL ROLE anon")
            mirror.execute("SELECT * FROM public.kpi_mirror_status()")
