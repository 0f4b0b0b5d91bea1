"""The KPI SQL (functions/kpi/sql, compute.py) on the embedded DuckDB store and on real MariaDB.

Day D = 2024-03-10 in Asia/Jakarta is [2024-03-09 17:00:00, 2024-03-10 17:00:00) UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from functions.kpi.compute import write_day
from tests.fixtures.kpi import insert_ops, shipment, ts

TZ = "Asia/Jakarta"
D = date(2024, 3, 10)
LATER = datetime(2025, 1, 1)  # "now" well after every test day: balances are final


def inv(id: int, wh: int, sku: str, tx_type: str, qty: str, at: str, org: int = 1) -> dict:
    return {
        "id": id,
        "org_id": org,
        "warehouse_id": wh,
        "sku": sku,
        "tx_type": tx_type,
        "qty": Decimal(qty),
        "tx_at": ts(at),
    }


def rows_by(store, table: str, day: date, key: str) -> dict:
    return {
        r[key]: r for r in store.query_dicts(f"SELECT * FROM {table} WHERE data_date = :day", {"day": day})
    }


def test_inventory_formulas_at_day_edges(kpi_store):
    insert_ops(
        kpi_store,
        "inventory_tx",
        [
            inv(1, 10, "A", "receipt", "100", "2024-03-01 08:00:00"),  # history
            inv(2, 10, "A", "issue", "-30", "2024-03-09 17:00:00"),  # first second of D (00:00 Jakarta)
            inv(3, 10, "B", "transfer_in", "5.5", "2024-03-10 16:59:59"),  # last second of D
            inv(4, 10, "B", "transfer_out", "-8", "2024-03-10 03:00:00"),
            inv(5, 10, "A", "adjustment", "-2.25", "2024-03-10 04:00:00"),
            inv(6, 10, "C", "receipt", "7", "2024-03-10 17:00:00"),  # first second of D+1: not D
            inv(7, 10, "D", "issue", "-1", "2024-03-09 16:59:59"),  # last second of D-1: history only
            inv(8, 10, "A", "receipt", "10", "2024-03-09 20:00:00"),
        ],
    )
    write_day(kpi_store, D, TZ, now=LATER)

    result = rows_by(kpi_store, "inventory_kpi_daily", D, "warehouse_id")[10]
    expected = {
        "receipts_qty": Decimal("15.500"),  # 10 + 5.5
        "issues_qty": Decimal("38.000"),  # -(-30 - 8), positive
        "adjustments_qty": Decimal("-2.250"),
        "net_change_qty": Decimal("-24.750"),
        "closing_qty": Decimal("74.250"),  # 100 - 30 + 5.5 - 8 - 2.25 - 1 + 10
        "tx_count": 5,
        "active_sku_count": 2,  # A, B
        "stockout_sku_count": 2,  # B at -2.5, D at -1; A at 77.75 is in stock
    }
    assert {k: result[k] for k in expected} == expected


def test_quiet_warehouse_gets_closing_stock_and_zeros(kpi_store):
    insert_ops(
        kpi_store,
        "inventory_tx",
        [
            inv(1, 20, "A", "receipt", "4", "2024-03-05 00:00:00", org=2),
            inv(2, 30, "A", "receipt", "9", "2024-03-11 00:00:00", org=2),  # starts after D: no row for D
        ],
    )
    write_day(kpi_store, D, TZ, now=LATER)

    result = rows_by(kpi_store, "inventory_kpi_daily", D, "warehouse_id")
    assert set(result) == {20}
    quiet = result[20]
    expected = {
        "org_id": 2,
        "receipts_qty": Decimal("0.000"),
        "issues_qty": Decimal("0.000"),
        "adjustments_qty": Decimal("0.000"),
        "net_change_qty": Decimal("0.000"),
        "closing_qty": Decimal("4.000"),
        "tx_count": 0,
        "active_sku_count": 0,
        "stockout_sku_count": 0,
    }
    assert {k: quiet[k] for k in expected} == expected


def test_sku_at_exactly_zero_is_a_stockout(kpi_store):
    insert_ops(
        kpi_store,
        "inventory_tx",
        [
            inv(1, 10, "A", "receipt", "3", "2024-03-08 00:00:00"),
            inv(2, 10, "A", "issue", "-3", "2024-03-10 00:00:00"),
            inv(3, 10, "B", "receipt", "1", "2024-03-08 00:00:00"),
        ],
    )
    write_day(kpi_store, D, TZ, now=LATER)
    assert rows_by(kpi_store, "inventory_kpi_daily", D, "warehouse_id")[10]["stockout_sku_count"] == 1


def _stockouts(store, day: date) -> dict:
    return {
        (r["warehouse_id"], r["sku"]): r["closing_qty"]
        for r in store.query_dicts(
            "SELECT * FROM inventory_stockout_daily WHERE data_date = :day", {"day": day}
        )
    }


def test_stockout_list_names_the_skus_counted_in_stockout_sku_count(kpi_store):
    insert_ops(
        kpi_store,
        "inventory_tx",
        [
            inv(1, 10, "A", "receipt", "3", "2024-03-08 00:00:00"),
            inv(2, 10, "A", "issue", "-3", "2024-03-10 00:00:00"),  # exactly 0 at the end of D: out
            inv(3, 10, "B", "receipt", "1", "2024-03-08 00:00:00"),  # in stock
            inv(4, 10, "C", "issue", "-2.5", "2024-03-09 03:00:00"),  # negative: out
            inv(5, 20, "A", "receipt", "4", "2024-03-05 00:00:00", org=2),  # quiet warehouse, in stock
            inv(6, 10, "B", "issue", "-1", "2024-03-10 17:00:00"),  # first second of D+1: not D
        ],
    )
    write_day(kpi_store, D, TZ, now=LATER)

    expected = {(10, "A"): Decimal("0.000"), (10, "C"): Decimal("-2.500")}
    assert _stockouts(kpi_store, D) == expected
    counts = {
        w: r["stockout_sku_count"]
        for w, r in rows_by(kpi_store, "inventory_kpi_daily", D, "warehouse_id").items()
    }
    listed = {w: sum(1 for wh, _ in expected if wh == w) for w in counts}
    assert counts == listed == {10: 2, 20: 0}
    row = kpi_store.query_dicts("SELECT * FROM inventory_stockout_daily WHERE sku = 'C'")[0]
    assert (row["org_id"], row["data_date"]) == (1, D)


def test_stockout_list_is_replaced_by_a_rerun_and_follows_the_running_balance(kpi_store):
    insert_ops(kpi_store, "inventory_tx", [inv(1, 10, "A", "issue", "-1", "2024-03-01 00:00:00")])
    for day in (8, 9, 10):
        write_day(kpi_store, date(2024, 3, day), TZ, now=LATER)
    assert _stockouts(kpi_store, D) == {(10, "A"): Decimal("-1.000")}

    # Restocked on D (the day starts from 03-09's balance): a rerun of D lists nothing, earlier days stay.
    insert_ops(kpi_store, "inventory_tx", [inv(2, 10, "A", "receipt", "5", "2024-03-10 02:00:00")])
    write_day(kpi_store, D, TZ, now=LATER)
    assert _stockouts(kpi_store, D) == {}
    assert _stockouts(kpi_store, date(2024, 3, 9)) == {(10, "A"): Decimal("-1.000")}
    assert rows_by(kpi_store, "inventory_kpi_daily", D, "warehouse_id")[10]["stockout_sku_count"] == 0


def test_fleet_formulas(kpi_store):
    insert_ops(
        kpi_store,
        "shipments",
        [
            # vehicle 100: on time, late, no promise (on time), and one delivered the day after
            shipment(
                1,
                100,
                dispatched_at="2024-03-09 17:00:00",
                promised_at="2024-03-10 01:00:00",
                delivered_at="2024-03-09 19:00:00",
                distance_km=Decimal("10.50"),
            ),
            shipment(
                2,
                100,
                dispatched_at="2024-03-10 01:00:00",
                promised_at="2024-03-10 02:00:00",
                delivered_at="2024-03-10 03:00:00",
                distance_km=Decimal("4.25"),
            ),
            shipment(3, 100, dispatched_at="2024-03-09 10:00:00", delivered_at="2024-03-10 16:59:59"),
            shipment(
                4,
                100,
                dispatched_at="2024-03-10 10:00:00",
                delivered_at="2024-03-10 17:00:00",
                distance_km=Decimal("99"),
            ),
            # vehicle 200 (org 2): delivered_at in D but status failed: not a delivery; failed twice by scans
            shipment(
                5,
                200,
                org_id=2,
                status="failed",
                dispatched_at="2024-03-09 18:00:00",
                delivered_at="2024-03-10 00:00:00",
                distance_km=Decimal("7"),
            ),
            # vehicle 300: only a scan in D (dispatched the day before)
            shipment(6, 300, status="in_transit", dispatched_at="2024-03-09 16:00:00"),
            # vehicle 400: delivered without a dispatch time: no average
            shipment(7, 400, delivered_at="2024-03-10 05:00:00", promised_at="2024-03-10 04:00:00"),
        ],
    )
    insert_ops(
        kpi_store,
        "scan_event",
        [
            {
                "id": 1,
                "shipment_id": 5,
                "vehicle_id": 200,
                "event_type": "failed",
                "scanned_at": ts("2024-03-09 20:00:00"),
            },
            {
                "id": 2,
                "shipment_id": 5,
                "vehicle_id": 200,
                "event_type": "failed",
                "scanned_at": ts("2024-03-10 02:00:00"),
            },
            {
                "id": 3,
                "shipment_id": 6,
                "vehicle_id": 300,
                "event_type": "depart",
                "scanned_at": ts("2024-03-10 00:00:00"),
            },
            {
                "id": 4,
                "shipment_id": 6,
                "vehicle_id": 300,
                "event_type": "failed",
                "scanned_at": ts("2024-03-10 17:00:00"),
            },
            {
                "id": 5,
                "shipment_id": 1,
                "vehicle_id": 100,
                "event_type": "delivered",
                "scanned_at": ts("2024-03-09 19:00:00"),
            },
        ],
    )
    write_day(kpi_store, D, TZ, now=LATER)
    result = rows_by(kpi_store, "fleet_kpi_daily", D, "vehicle_id")
    columns = (
        "org_id",
        "shipments_dispatched",
        "shipments_delivered",
        "shipments_failed",
        "on_time_delivered",
        "on_time_rate",
        "avg_delivery_minutes",
        "distance_km",
        "scan_events",
    )
    expected = {
        # dispatched: 1, 2, 4 (3 was the day before); delivered 1, 2, 3; on time 1 and 3 (no promise)
        # minutes: 120, 120, (2024-03-10 16:59:59 - 2024-03-09 10:00:00) = 1859.98333 → avg 699.99
        100: (1, 3, 3, 0, 2, Decimal("0.666667"), Decimal("699.99"), Decimal("14.75"), 1),
        200: (2, 1, 0, 1, 0, None, None, Decimal("0.00"), 2),
        300: (1, 0, 0, 0, 0, None, None, Decimal("0.00"), 1),
        400: (1, 0, 1, 0, 0, Decimal("0.000000"), None, Decimal("0.00"), 0),
    }
    assert {v: tuple(r[c] for c in columns) for v, r in result.items()} == expected


def test_rerun_leaves_one_copy_with_new_values(kpi_store):
    insert_ops(kpi_store, "inventory_tx", [inv(1, 10, "A", "receipt", "5", "2024-03-10 00:00:00")])
    write_day(kpi_store, D, TZ, now=LATER)
    insert_ops(kpi_store, "inventory_tx", [inv(2, 10, "A", "receipt", "1", "2024-03-10 01:00:00")])
    write_day(kpi_store, D, TZ, now=LATER)

    result = kpi_store.query("SELECT closing_qty FROM inventory_kpi_daily WHERE data_date = :day", {"day": D})
    assert result == [(Decimal("6.000"),)]


def test_failure_midway_keeps_previous_copy(kpi_store):
    insert_ops(kpi_store, "inventory_tx", [inv(1, 10, "A", "receipt", "5", "2024-03-10 00:00:00")])
    insert_ops(kpi_store, "shipments", [shipment(1, 100, dispatched_at="2024-03-10 00:00:00")])
    write_day(kpi_store, D, TZ, now=LATER)
    before = kpi_store.query_dicts("SELECT * FROM inventory_kpi_daily WHERE data_date = :day", {"day": D})
    balance_before = kpi_store.query(
        "SELECT sku, closing_qty FROM kpi_inventory_balance WHERE data_date = :day", {"day": D}
    )

    # New operations, and the fleet insert (after the inventory one) now fails: a NOT NULL column
    # without a default that the KPI SQL does not fill.
    insert_ops(kpi_store, "inventory_tx", [inv(2, 10, "A", "receipt", "100", "2024-03-10 01:00:00")])
    if kpi_store.dialect == "mysql":
        kpi_store.execute("ALTER TABLE fleet_kpi_daily ADD COLUMN broken_for_test INTEGER NOT NULL")
    else:
        kpi_store.execute("ALTER TABLE fleet_kpi_daily ADD COLUMN broken_for_test INTEGER DEFAULT 0")
        kpi_store.execute("ALTER TABLE fleet_kpi_daily ALTER COLUMN broken_for_test SET NOT NULL")
        kpi_store.execute("ALTER TABLE fleet_kpi_daily ALTER COLUMN broken_for_test DROP DEFAULT")
    with pytest.raises(Exception, match="broken_for_test"):
        write_day(kpi_store, D, TZ, now=LATER)

    after = kpi_store.query_dicts("SELECT * FROM inventory_kpi_daily WHERE data_date = :day", {"day": D})
    assert after == before
    assert (
        kpi_store.query(
            "SELECT sku, closing_qty FROM kpi_inventory_balance WHERE data_date = :day", {"day": D}
        )
        == balance_before
    )
    assert kpi_store.query("SELECT COUNT(*) FROM fleet_kpi_daily WHERE data_date = :day", {"day": D}) == [
        (1,)
    ]


def _closing(store, day: date) -> dict:
    return {
        r["warehouse_id"]: (r["closing_qty"], r["stockout_sku_count"])
        for r in store.query_dicts("SELECT * FROM inventory_kpi_daily WHERE data_date = :day", {"day": day})
    }


def test_running_balances_match_full_history_in_any_run_order(kpi_store):
    rows = []
    for i in range(40):  # 20 days, two tx a day, two warehouses, three skus
        day = 1 + i // 2
        rows.append(
            inv(
                i + 1,
                10 + i % 2,
                "ABC"[i % 3],
                "receipt" if i % 5 == 0 else "issue",
                "12" if i % 5 == 0 else "-2.5",
                f"2024-03-{day:02d} 05:00:00",
            )
        )
    insert_ops(kpi_store, "inventory_tx", rows)

    # expected: each day computed alone from full history (no balance day before it)
    expected = {}
    for day in (date(2024, 3, 5), date(2024, 3, 12), date(2024, 3, 19)):
        kpi_store.execute("DELETE FROM kpi_inventory_balance_day")
        write_day(kpi_store, day, TZ, now=LATER)
        expected[day] = _closing(kpi_store, day)

    # result: days run out of order, with reruns, each starting from the nearest trusted balance
    kpi_store.execute("DELETE FROM kpi_inventory_balance_day")
    for day in (19, 3, 4, 5, 12, 11, 12, 19, 5, 19):
        write_day(kpi_store, date(2024, 3, day), TZ, now=LATER)
        if date(2024, 3, day) in expected:
            assert _closing(kpi_store, date(2024, 3, day)) == expected[date(2024, 3, day)]


def test_rerun_after_backfilled_operations_rebuilds_later_days(kpi_store):
    insert_ops(kpi_store, "inventory_tx", [inv(1, 10, "A", "receipt", "10", "2024-03-01 00:00:00")])
    for day in (8, 9, 10):
        write_day(kpi_store, date(2024, 3, day), TZ, now=LATER)
    # A row for 2024-03-09 arrives late; the operator reruns from that day on.
    insert_ops(kpi_store, "inventory_tx", [inv(2, 10, "A", "issue", "-4", "2024-03-09 03:00:00")])
    write_day(kpi_store, date(2024, 3, 9), TZ, now=LATER)
    write_day(kpi_store, date(2024, 3, 10), TZ, now=LATER)
    assert _closing(kpi_store, date(2024, 3, 10)) == {10: (Decimal("6.000"), 0)}


def test_backdated_rows_inserted_later_are_counted_in_closing_stock(kpi_store):
    insert_ops(
        kpi_store,
        "inventory_tx",
        [
            inv(1, 10, "A", "receipt", "100", "2024-03-01 03:00:00"),
            inv(2, 10, "B", "receipt", "3.5", "2024-03-08 03:00:00"),
            inv(3, 10, "C", "receipt", "20", "2024-03-09 03:00:00"),
        ],
    )
    for day in (8, 9, 10):
        write_day(kpi_store, date(2024, 3, day), TZ, now=LATER)
    # Rows inserted after those runs but dated before them: one before the 8th (older than every
    # saved balance), one on the 9th that empties sku C.
    insert_ops(
        kpi_store,
        "inventory_tx",
        [
            inv(4, 10, "A", "adjustment", "50", "2024-03-02 03:00:00"),
            inv(5, 10, "C", "issue", "-20", "2024-03-09 04:00:00"),
        ],
    )
    write_day(kpi_store, D, TZ, now=LATER)
    expected = {10: (Decimal("153.500"), 1)}
    assert _closing(kpi_store, D) == expected

    # The stale balance days are forgotten; the rerun of the 10th is a trusted start again.
    write_day(kpi_store, date(2024, 3, 11), TZ, now=LATER)
    assert _closing(kpi_store, date(2024, 3, 11)) == expected
    result = [
        r[0] for r in kpi_store.query("SELECT data_date FROM kpi_inventory_balance_day ORDER BY data_date")
    ]
    assert result == [D, date(2024, 3, 11)]


def test_a_backdated_row_after_the_older_balances_falls_back_to_the_nearest_clean_one(kpi_store):
    insert_ops(kpi_store, "inventory_tx", [inv(1, 10, "A", "receipt", "10", "2024-03-05 03:00:00")])
    for day in (6, 7, 8, 9):
        write_day(kpi_store, date(2024, 3, day), TZ, now=LATER)
    insert_ops(kpi_store, "inventory_tx", [inv(2, 10, "A", "issue", "-4", "2024-03-08 03:00:00")])
    write_day(kpi_store, D, TZ, now=LATER)
    assert _closing(kpi_store, D) == {10: (Decimal("6.000"), 0)}
    result = [
        r[0] for r in kpi_store.query("SELECT data_date FROM kpi_inventory_balance_day ORDER BY data_date")
    ]
    assert result == [date(2024, 3, 6), date(2024, 3, 7), D]


def test_a_balance_saved_before_coverage_was_recorded_is_not_a_starting_point(kpi_store):
    insert_ops(kpi_store, "inventory_tx", [inv(5, 10, "A", "receipt", "10", "2024-03-08 03:00:00")])
    write_day(kpi_store, date(2024, 3, 9), TZ, now=LATER)
    kpi_store.execute("UPDATE kpi_inventory_balance_day SET covered_max_id = NULL")
    # A lower id than the balance saw, dated before it: only full history finds it.
    insert_ops(kpi_store, "inventory_tx", [inv(1, 10, "A", "issue", "-10", "2024-03-07 03:00:00")])
    write_day(kpi_store, D, TZ, now=LATER)
    assert _closing(kpi_store, D) == {10: (Decimal("0.000"), 1)}


def test_a_day_computed_before_it_ended_is_not_a_starting_point(kpi_store):
    insert_ops(kpi_store, "inventory_tx", [inv(1, 10, "A", "receipt", "10", "2024-03-09 03:00:00")])
    write_day(kpi_store, date(2024, 3, 9), TZ, now=datetime(2024, 3, 9, 5, 0))  # mid-day run
    insert_ops(kpi_store, "inventory_tx", [inv(2, 10, "A", "receipt", "5", "2024-03-09 10:00:00")])
    write_day(kpi_store, D, TZ, now=LATER)
    assert _closing(kpi_store, D) == {10: (Decimal("15.000"), 0)}


def test_sales_rows_are_written_with_the_day(kpi_store):
    sales = [
        {
            "data_date": D,
            "org_id": 1,
            "revenue_tax_in": Decimal("100.00"),
            "cogs_tax_in": Decimal("60.00"),
            "gross_profit": Decimal("40.00"),
            "quantity": Decimal("3.000"),
            "transactions": 2,
            "lines": 3,
            "gross_margin_pct": Decimal("40.0000"),
            "avg_basket_tax_in": Decimal("50.00"),
            "cost_missing_lines": 1,
            "verified": True,
            "updated_at": LATER,
        }
    ]
    by_product = [
        {
            "data_date": D,
            "org_id": 1,
            "product_id": 7,
            "product_name": "Kopi",
            "revenue_tax_in": Decimal("100.00"),
            "gross_profit": Decimal("40.00"),
            "quantity": Decimal("3.000"),
            "lines": 3,
            "verified": False,
            "updated_at": LATER,
        }
    ]
    result = write_day(kpi_store, D, TZ, sales, by_product, now=LATER)
    write_day(kpi_store, D, TZ, sales, by_product, now=LATER)

    assert result == {
        "inventory_kpi_daily": 0,
        "inventory_stockout_daily": 0,
        "fleet_kpi_daily": 0,
        "sales_kpi_daily": 1,
        "sales_kpi_daily_by_product": 1,
        "sales_kpi_hourly": 0,
    }
    stored = kpi_store.query_dicts("SELECT * FROM sales_kpi_daily WHERE data_date = :day", {"day": D})
    # rows given without the provisional mark are stored final
    assert [{k: v for k, v in row.items() if k not in ("provisional", "as_of")} for row in stored] == sales
    assert [(bool(row["provisional"]), row["as_of"]) for row in stored] == [(False, None)]
    stored_products = kpi_store.query_dicts("SELECT * FROM sales_kpi_daily_by_product", {})
    assert [
        {k: v for k, v in row.items() if k not in ("provisional", "as_of")} for row in stored_products
    ] == by_product


def test_concurrent_runs_of_one_day_on_mariadb_leave_one_copy(mysql_database):
    import threading

    from functions.kpi.schema import migrate_store
    from functions.kpi.store import connect_mysql

    def connect():
        db = mysql_database
        return connect_mysql(db["host"], db["port"], db["user"], db["password"], db["database"])

    setup = connect()
    setup.run_file("sql/ops_schema_mysql.sql")
    migrate_store(setup)
    insert_ops(
        setup,
        "inventory_tx",
        [inv(i, 10 + i % 4, f"S{i % 30}", "receipt", "2", "2024-03-10 01:00:00") for i in range(1, 200)],
    )
    insert_ops(
        setup,
        "shipments",
        [shipment(i, 100 + i % 5, dispatched_at="2024-03-10 02:00:00") for i in range(1, 50)],
    )
    errors = []

    def work():
        store = connect()
        try:
            for _ in range(6):
                write_day(store, D, TZ, now=LATER)
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    result = setup.query(
        "SELECT COUNT(*), SUM(tx_count) FROM inventory_kpi_daily WHERE data_date = :day", {"day": D}
    )
    assert result == [(4, 199)]
    assert setup.query("SELECT COUNT(*) FROM fleet_kpi_daily WHERE data_date = :day", {"day": D}) == [(5,)]
    setup.close()
