"""run_profit over a real local lake: outputs, late bills, order independence, dry run."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pyarrow as pa
import pytest

from functions.profit import demo_summary, run_profit
from functions.profit.stage import OUTPUTS
from functions.runs import lock_name
from shared.config import Settings
from shared.errors import LockedError
from shared.lake import Lake, TableSpec, open_lake
from shared.metadata import Metadata
from shared.schemas import (
    AGG_PROFIT_DAILY,
    AGG_PROFIT_DAILY_BY_PRODUCT,
    AGG_PROFIT_HOURLY,
    DIM_PRODUCTS,
    DIM_UOMS,
    FACT_INVOICE_SALES,
    FACT_PRODUCT_COST_LATEST_DAILY,
    FACT_PURCHASES,
    FACT_SALES,
    FACT_SALES_LINES_PROFIT,
)

D = date(2026, 3, 10)
SETTINGS = Settings()  # default multipliers {5: 1.0, 2: 1.0, 7: 1.11, 6: 1.11}


def rows_table(spec: TableSpec, rows: list[dict]) -> pa.Table:
    full = [{name: row.get(name) for name in spec.schema.names} for row in rows]
    return pa.Table.from_pylist(full, schema=spec.schema)


def put(lake: Lake, spec: TableSpec, day: date, rows: list[dict]) -> None:
    lake.write_partition(spec, day, rows_table(spec, rows))


def purchase(
    day: date, move: int, line: int, product: int, price: float, qty: float = 10.0, tax=None, uom=None
):
    return {
        "date": day,
        "move_id": move,
        "move_name": f"BILL/{move}",
        "move_type": "in_invoice",
        "line_id": line,
        "company_id": 1,
        "partner_id": 9,
        "product_id": product,
        "quantity": qty,
        "price_unit": price,
        "actual_price": price,
        "tax_id": tax,
        "tax_ids": [tax] if tax else [],
        "uom_id": uom,
    }


def at_utc(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def pos_line(day: date, order: int, line: int, product: int, qty: float, revenue: float):
    return {
        "date": day,
        "order_id": order,
        "order_name": f"POS/{order}",
        "line_id": line,
        "company_id": 1,
        "product_id": product,
        "quantity": qty,
        "revenue_tax_in": revenue,
        "revenue_tax_ex": revenue / 1.11,
    }


def invoice_line(
    day: date, move: int, line: int, product: int, qty: float, revenue: float, kind="out_invoice"
):
    return {
        "date": day,
        "move_id": move,
        "move_name": f"INV/{move}",
        "move_type": kind,
        "line_id": line,
        "company_id": 1,
        "partner_id": 5,
        "product_id": product,
        "quantity": qty,
        "revenue_tax_in": revenue,
        "revenue_tax_ex": revenue / 1.11,
    }


def read(lake: Lake, spec: TableSpec, day: date) -> pl.DataFrame:
    table = lake.read_partition(spec, day)
    assert table is not None, f"{spec} {day} was not written"
    return pl.from_arrow(table)


def test_one_day_by_hand(tmp_path):
    lake = open_lake(str(tmp_path / "lake"))
    lake.write_table(
        DIM_UOMS,
        rows_table(
            DIM_UOMS,
            [
                {"uom_id": 1, "name": "Units", "category_id": 1, "factor": 1.0, "uom_type": "reference"},
                {"uom_id": 2, "name": "Dozens", "category_id": 1, "factor": 1 / 12, "uom_type": "bigger"},
            ],
        ),
    )
    lake.write_table(
        DIM_PRODUCTS,
        rows_table(
            DIM_PRODUCTS, [{"product_id": p, "name": f"P{p}", "uom_id": 1, "active": True} for p in (1, 2, 3)]
        ),
    )
    # Product 1: bought a year ago by the dozen at 120,000 with tax 7 → 11,100 a unit.
    put(
        lake,
        FACT_PURCHASES,
        D - timedelta(days=365),
        [purchase(D - timedelta(days=365), 1, 1, 1, 120_000.0, tax=7, uom=2)],
    )
    # Product 2: bought today at 5,000 (tax 5), plus a bonus line and a refund that must not count.
    put(
        lake,
        FACT_PURCHASES,
        D,
        [
            purchase(D, 3, 3, 2, 5_000.0, tax=5),
            purchase(D, 3, 4, 2, 0.0, qty=2.0),
            {**purchase(D, 4, 5, 2, 6_000.0, qty=-3.0), "move_type": "in_refund"},
        ],
    )
    # Product 1 again tomorrow: a future price never counts.
    put(lake, FACT_PURCHASES, D + timedelta(days=1), [purchase(D + timedelta(days=1), 5, 6, 1, 1.0)])
    put(
        lake,
        FACT_SALES,
        D,
        [
            # order 100 at 10:15 WIB on till 7, refund 101 at 17:40 WIB on till 7, order 102 without a time
            {**pos_line(D, 100, 1, 1, 2.0, 30_000.0), "date_order": at_utc(D, 3, 15), "config_id": 7},
            {**pos_line(D, 100, 2, 2, 1.0, 8_000.0), "date_order": at_utc(D, 3, 15), "config_id": 7},
            {**pos_line(D, 101, 3, 1, -1.0, -15_000.0), "date_order": at_utc(D, 10, 40), "config_id": 7},
        ],
    )
    put(
        lake,
        FACT_INVOICE_SALES,
        D,
        [
            invoice_line(D, 100, 1, 3, 4.0, 40_000.0),
            invoice_line(D, 100, 2, 2, 10.0, 70_000.0),
            invoice_line(D, 200, 3, 2, -2.0, -14_000.0, kind="out_refund"),
        ],
    )

    result = run_profit(SETTINGS, lake, D)

    assert result.status == "success"
    assert result.rows == {
        "fact_product_cost_events": 1,
        "fact_product_cost_latest_daily": 2,
        "fact_sales_lines_profit": 6,
        "agg_profit_daily": 1,
        "agg_profit_daily_by_product": 3,
        "agg_profit_hourly": 2,
    }
    hourly = read(lake, AGG_PROFIT_HOURLY, D)
    # POS lines only (invoices have no time of day), by the order's hour in Asia/Jakarta
    assert hourly.select("config_id", "hour", "revenue_tax_in", "transactions", "lines").rows() == [
        (7, 10, 38_000.0, 1, 2),
        (7, 17, -15_000.0, 1, 1),
    ]
    daily = read(lake, AGG_PROFIT_DAILY, D).row(0, named=True)
    assert daily["revenue_tax_in"] == pytest.approx(119_000.0)
    assert daily["cogs_tax_in"] == pytest.approx(56_100.0)
    assert daily["gross_profit"] == pytest.approx(62_900.0)
    assert (daily["transactions"], daily["lines"], daily["cost_missing_lines"]) == (4, 6, 1)
    latest = read(lake, FACT_PRODUCT_COST_LATEST_DAILY, D)
    assert latest.select("product_id", "cost_date", "unit_cost_tax_in").rows() == [
        (1, D - timedelta(days=365), pytest.approx(11_100.0)),
        (2, D, 5_000.0),
    ]
    assert Metadata(lake).get_watermark("profit", "profit") == D
    assert result.rows["fact_product_cost_latest_daily"] == latest.height == 2


def history(lake: Lake, days: list[date], seed: int = 3) -> None:
    """Purchases and sales on each day; some products bought rarely, one never."""
    rng = random.Random(seed)
    move = 1
    for day in days:
        bills = []
        for line in range(rng.randrange(0, 4)):
            product = rng.choice([1, 1, 2, 3, 4])
            bills.append(
                purchase(
                    day,
                    move,
                    line + 1,
                    product,
                    float(rng.randrange(100, 900) * 10),
                    tax=rng.choice([7, 6, 5, None]),
                )
            )
            if rng.random() < 0.3:
                move += 1
        move += 1
        if bills:
            put(lake, FACT_PURCHASES, day, bills)
        put(
            lake,
            FACT_SALES,
            day,
            [
                pos_line(
                    day,
                    1000 + i // 2,
                    i,
                    rng.choice([1, 2, 3, 4, 5]),
                    float(rng.choice([1, 2, -1])),
                    25_000.0,
                )
                for i in range(6)
            ],
        )
        put(lake, FACT_INVOICE_SALES, day, [invoice_line(day, 1000, 1, rng.choice([2, 4, 6]), 3.0, 60_000.0)])


def outputs(lake: Lake, days: list[date]) -> dict:
    return {(spec.name, d): read(lake, spec, d) for spec in OUTPUTS for d in days}


def assert_same_outputs(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for key in left:
        assert left[key].equals(right[key]), key


DAYS = [D + timedelta(days=i) for i in range(8)]


def test_order_of_runs_and_reruns_do_not_change_results(tmp_path):
    lakes = {}
    orders = {
        "forward": DAYS,
        "reverse": list(reversed(DAYS)),
        "shuffled_with_reruns": [DAYS[i] for i in (5, 2, 7, 0, 2, 6, 1, 4, 3, 5, 7)],
    }
    for name, order in orders.items():
        lake = open_lake(str(tmp_path / name))
        history(lake, DAYS)
        for day in order:
            assert run_profit(SETTINGS, lake, day).status == "success"
        lakes[name] = outputs(lake, DAYS)
    assert_same_outputs(lakes["forward"], lakes["reverse"])
    assert_same_outputs(lakes["forward"], lakes["shuffled_with_reruns"])
    # Each day's latest cost comes from every purchase partition up to it, whatever ran before.
    assert lakes["forward"][("agg_profit_daily", DAYS[-1])]["lines"].to_list() == [7]


def partitions_upto(lake: Lake, day: date) -> int:
    return len([d for d in lake.list_dates(FACT_PURCHASES) if d <= day])


def test_every_run_reads_the_purchases_up_to_its_day_and_sees_late_bills(tmp_path):
    lake = open_lake(str(tmp_path / "lake"))
    history(lake, DAYS)
    first = run_profit(SETTINGS, lake, DAYS[0])
    assert first.message.startswith(f"latest cost from {partitions_upto(lake, DAYS[0])} purchase partition(s)")
    for day in DAYS[1:6]:
        result = run_profit(SETTINGS, lake, day)
        assert result.message.startswith(f"latest cost from {partitions_upto(lake, day)} purchase")
        assert result.calls["purchase_partitions_read"] == partitions_upto(lake, day)
    # A gap: day 7 without day 6 still reads the purchases of days 6 and 7.
    seventh = run_profit(SETTINGS, lake, DAYS[7])
    assert seventh.calls["purchase_partitions_read"] == partitions_upto(lake, DAYS[7])

    # A late bill for day 2 arrives (a rerun of that day's purchases) with a new price for product 5,
    # which nobody bought before. Day 7 must see it although days 2..6 were not rerun.
    late = [purchase(DAYS[2], 999, 1, 5, 12_345.0, tax=7)]
    put(lake, FACT_SALES, DAYS[7], [pos_line(DAYS[7], 1, 1, 5, 2.0, 40_000.0)])
    existing = pl.from_arrow(lake.read_partition(FACT_PURCHASES, DAYS[2]) or rows_table(FACT_PURCHASES, []))
    put(lake, FACT_PURCHASES, DAYS[2], existing.to_dicts() + late)
    rerun = run_profit(SETTINGS, lake, DAYS[7])
    assert rerun.message.startswith(f"latest cost from {partitions_upto(lake, DAYS[7])} purchase"), rerun.message
    lines = read(lake, FACT_SALES_LINES_PROFIT, DAYS[7]).filter(pl.col("source") == "pos")
    assert lines.select("product_id", "cogs_tax_in", "cost_missing").rows() == [
        (5, pytest.approx(2 * 12_345.0 * 1.11), False)
    ]
    latest = read(lake, FACT_PRODUCT_COST_LATEST_DAILY, DAYS[7]).filter(pl.col("product_id") == 5)
    assert latest["unit_cost_tax_in"].to_list() == pytest.approx([12_345.0 * 1.11])

    fresh = open_lake(str(tmp_path / "fresh"))
    history(fresh, DAYS)
    put(fresh, FACT_PURCHASES, DAYS[2], existing.to_dicts() + late)
    put(fresh, FACT_SALES, DAYS[7], [pos_line(DAYS[7], 1, 1, 5, 2.0, 40_000.0)])
    run_profit(SETTINGS, fresh, DAYS[7])
    assert_same_outputs(outputs(lake, [DAYS[7]]), outputs(fresh, [DAYS[7]]))


def test_an_earlier_days_latest_cost_table_is_never_read_back(tmp_path):
    lake = open_lake(str(tmp_path / "lake"))
    history(lake, DAYS)
    run_profit(SETTINGS, lake, DAYS[0])
    state = read(lake, FACT_PRODUCT_COST_LATEST_DAILY, DAYS[0])
    lake.write_partition(FACT_PRODUCT_COST_LATEST_DAILY, DAYS[0], state.with_columns(pl.col("move_id") + 1))
    run_profit(SETTINGS, lake, DAYS[1])
    fresh = open_lake(str(tmp_path / "fresh"))
    history(fresh, DAYS)
    run_profit(SETTINGS, fresh, DAYS[1])
    assert_same_outputs(outputs(lake, [DAYS[1]]), outputs(fresh, [DAYS[1]]))


def test_repricing_follows_current_multipliers(tmp_path):
    lake = open_lake(str(tmp_path / "lake"))
    put(lake, FACT_PURCHASES, D, [purchase(D, 1, 1, 1, 1_000.0, tax=7)])
    for day in (D, D + timedelta(days=1)):
        put(lake, FACT_SALES, day, [pos_line(day, 1, 1, 1, 1.0, 2_000.0)])
    run_profit(SETTINGS, lake, D)
    result = run_profit(SETTINGS.replace(tax_multipliers={7: 1.0}), lake, D + timedelta(days=1))
    assert result.message.startswith("latest cost from 1 purchase partition(s)")
    lines = read(lake, FACT_SALES_LINES_PROFIT, D + timedelta(days=1))
    assert lines["cogs_tax_in"].to_list() == [1_000.0]


def test_day_without_sales_partitions_is_skipped_and_writes_nothing(tmp_path):
    lake = open_lake(str(tmp_path / "lake"))
    put(lake, FACT_PURCHASES, D, [purchase(D, 1, 1, 1, 1_000.0)])
    result = run_profit(SETTINGS, lake, D)
    assert result.status == "skipped"
    assert "run transform first" in result.message
    assert not any(lake.has_partition(spec, D) for spec in OUTPUTS)


def test_dry_run_prints_plan_and_changes_nothing(tmp_path):
    lake = open_lake(str(tmp_path / "lake"))
    history(lake, DAYS[:3])
    before = {k: lake.store.get(k) for k in lake.store.list("")}
    out = io.StringIO()
    from functions.profit.stage import run_profit as stage_run

    result = stage_run(SETTINGS, lake, DAYS[2], dry_run=True, out=out)
    after = {k: lake.store.get(k) for k in lake.store.list("")}
    assert before == after
    assert result.status == "skipped"
    text = out.getvalue()
    assert "star-schema/fact_sales/date=2026-03-12/part-0.parquet" in text
    assert "write  star-schema/agg_profit_daily/date=2026-03-12/part-0.parquet" in text
    assert f"latest cost from {partitions_upto(lake, DAYS[2])} purchase partition(s)" in text


def test_a_second_run_of_the_same_day_is_refused_while_one_holds_the_lock(tmp_path):
    lake = open_lake(str(tmp_path / "lake"))
    history(lake, DAYS[:1])
    with lake.lock(lock_name("profit", "profit", DAYS[0]), "someone-else"):
        with pytest.raises(LockedError, match="already running"):
            run_profit(SETTINGS, lake, DAYS[0])
    assert run_profit(SETTINGS, lake, DAYS[0]).status == "success"


def test_demo_summary(tmp_path):
    lake = open_lake(str(tmp_path / "lake"))
    put(lake, FACT_PURCHASES, D, [purchase(D, 1, 1, 1, 1_000.0)])
    put(lake, FACT_SALES, D, [pos_line(D, 1, 1, 1, 2.0, 5_000.0), pos_line(D, 1, 2, 9, 1.0, 1_000.0)])
    run_profit(SETTINGS, lake, D)
    result = demo_summary(lake, [D, D + timedelta(days=1)])
    assert result[0] == {
        "date": "2026-03-10",
        "revenue": 6_000.0,
        "cogs": 2_000.0,
        "gross_profit": 4_000.0,
        "margin_pct": 66.67,
        "lines": 2,
        "lines_without_cost": 1,
        "status": "ok",
    }
    assert result[1]["status"] == "not run"
    assert read(lake, AGG_PROFIT_DAILY_BY_PRODUCT, D)["product_id"].to_list() == [1, 9]


@pytest.mark.parametrize("bucket_fixture", ["gcs_bucket", "s3_bucket"])
def test_object_store_lake_notices_late_bills_and_matches_local(
    tmp_path, request, bucket_fixture
):
    bucket = request.getfixturevalue(bucket_fixture)
    remote = open_lake(f"{bucket.root_url}/nk")
    local = open_lake(str(tmp_path / "local"))
    days = DAYS[:4]
    for lake in (remote, local):
        history(lake, days)
        for day in days:
            run_profit(SETTINGS, lake, day)
    assert run_profit(SETTINGS, remote, days[3]).message.startswith(
        f"latest cost from {partitions_upto(remote, days[3])} purchase partition(s)"
    )
    # A late bill rewrites day 1 on both lakes: day 3's rerun must notice it on the object store too.
    for lake in (remote, local):
        old = pl.from_arrow(lake.read_partition(FACT_PURCHASES, days[1]) or rows_table(FACT_PURCHASES, []))
        put(lake, FACT_PURCHASES, days[1], old.to_dicts() + [purchase(days[1], 999, 1, 5, 777.0)])
    assert run_profit(SETTINGS, remote, days[3]).message.startswith(
        f"latest cost from {partitions_upto(remote, days[3])} purchase partition(s)"
    )
    run_profit(SETTINGS, local, days[3])
    assert_same_outputs(outputs(remote, [days[3]]), outputs(local, [days[3]]))
