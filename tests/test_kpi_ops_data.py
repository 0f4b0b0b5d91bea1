"""The demo operations generator and loader (functions/kpi/ops_data.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow.compute as pc
import pytest

from functions.kpi.compute import write_day
from functions.kpi.mirror import read_source_day
from functions.kpi.ops_data import generate, load_ops
from functions.kpi.schema import migrate_store
from functions.kpi.store import connect_mysql
from shared.dates import business_day_window
from shared.errors import TerminalError
from tests.fixtures.kpi import insert_ops, ts

FIRST, LAST = date(2024, 3, 1), date(2024, 3, 7)
LATER = datetime(2025, 1, 1)


@pytest.fixture(scope="module")
def week():
    return generate(11, FIRST, LAST, scale=0.05)


def test_same_arguments_give_the_same_rows_and_another_seed_does_not(week):
    again = generate(11, FIRST, LAST, scale=0.05)
    other = generate(12, FIRST, LAST, scale=0.05)
    assert all(week.tables[name].equals(again.tables[name]) for name in week.tables)
    assert not week.tables["inventory_tx"].equals(other.tables["inventory_tx"])


def test_rows_follow_the_contract(week):
    inv = week.tables["inventory_tx"].to_pylist()
    start, _ = business_day_window(FIRST, "Asia/Jakarta")
    _, end = business_day_window(LAST, "Asia/Jakarta")
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    signs = {"receipt": 1, "transfer_in": 1, "issue": -1, "transfer_out": -1}
    assert all(start <= r["tx_at"] < end for r in inv)
    assert all(r["qty"] * signs[r["tx_type"]] > 0 for r in inv if r["tx_type"] in signs)
    assert {r["tx_type"] for r in inv} == {"receipt", "issue", "adjustment", "transfer_in", "transfer_out"}
    ships = week.tables["shipments"].to_pylist()
    assert {r["status"] for r in ships} <= {
        "planned",
        "dispatched",
        "in_transit",
        "delivered",
        "failed",
        "cancelled",
    }
    late = [
        r
        for r in ships
        if r["status"] == "delivered" and r["promised_at"] and r["delivered_at"] > r["promised_at"]
    ]
    failed_scans = pc.sum(pc.equal(week.tables["scan_event"]["event_type"], "failed")).as_py()
    assert late and failed_scans > 0
    assert all(r["delivered_at"] is None for r in ships if r["status"] != "delivered")
    # About 5480 × scale inventory rows a day (plus the opening stock on the first day).
    per_day = (len(inv) - sum(1 for r in inv if r["ref"] == "demo:opening")) / 7
    assert 0.8 * 274 < per_day < 1.2 * 274


def test_loader_refuses_data_it_did_not_generate(embedded_store, week):
    insert_ops(
        embedded_store,
        "inventory_tx",
        [
            {
                "id": 1,
                "org_id": 1,
                "warehouse_id": 1,
                "sku": "REAL",
                "tx_type": "receipt",
                "qty": 1,
                "tx_at": ts("2024-01-01 00:00:00"),
            },
        ],
    )
    with pytest.raises(TerminalError, match="did not generate"):
        load_ops(embedded_store, week, 11, FIRST, LAST, 0.05)
    assert embedded_store.query("SELECT sku FROM inventory_tx") == [("REAL",)]


def test_loading_again_replaces_the_demo_data_and_the_balances(embedded_store, week):
    load_ops(embedded_store, week, 11, FIRST, LAST, 0.05)
    write_day(embedded_store, LAST, "Asia/Jakarta", now=LATER)
    smaller = generate(11, FIRST, FIRST + timedelta(days=1), scale=0.05)
    load_ops(embedded_store, smaller, 11, FIRST, FIRST + timedelta(days=1), 0.05)

    counts = embedded_store.query(
        "SELECT (SELECT COUNT(*) FROM inventory_tx), (SELECT COUNT(*) FROM kpi_inventory_balance_day)"
    )
    assert counts == [(smaller.tables["inventory_tx"].num_rows, 0)]


def test_embedded_store_and_mariadb_compute_the_same_kpis(embedded_store, mysql_database, week):
    db = mysql_database
    mariadb = connect_mysql(db["host"], db["port"], db["user"], db["password"], db["database"])
    try:
        stores = (embedded_store, mariadb)
        for store in stores:
            load_ops(store, week, 11, FIRST, LAST, 0.05)
            migrate_store(store)
            for day in (FIRST, FIRST + timedelta(days=3), LAST):  # with a gap: the chain bridges it
                write_day(store, day, "Asia/Jakarta", now=LATER)
        for day in (FIRST, LAST):
            embedded, maria = (read_source_day(s, day) for s in stores)
            assert embedded["inventory_kpi_daily"] and embedded["fleet_kpi_daily"]
            assert embedded == maria
    finally:
        mariadb.close()
