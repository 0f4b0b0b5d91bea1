"""Daily and per-product aggregates: sums of the lines, distinct (source, document) transactions."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from functions.profit.aggregates import BY_PRODUCT_COLUMNS, DAILY_COLUMNS, daily_aggregate, daily_by_product
from functions.profit.sales_profit import LINE_PROFIT_COLUMNS

D = date(2026, 3, 10)

# source, doc_id, product, quantity, revenue, cogs, missing — the same day as in test_profit_sales_profit.
LINES = [
    ("invoice", 100, 3, 4.0, 40_000.0, 0.0, True),
    ("invoice", 100, 2, 10.0, 70_000.0, 50_000.0, False),
    ("invoice", 200, 2, -2.0, -14_000.0, -10_000.0, False),
    ("pos", 100, 1, 2.0, 30_000.0, 22_200.0, False),
    ("pos", 100, 2, 1.0, 8_000.0, 5_000.0, False),
    ("pos", 101, 1, -1.0, -15_000.0, -11_100.0, False),
]


def lines_frame(rows) -> pl.DataFrame:
    records = [
        {
            "date": D,
            "source": s,
            "doc_id": doc,
            "doc_name": None,
            "line_id": i,
            "company_id": 1,
            "partner_id": None,
            "product_id": p,
            "quantity": q,
            "revenue_tax_ex": 0.0,
            "revenue_tax_in": rev,
            "cost_date": None,
            "unit_cost_tax_in": None,
            "cogs_tax_in": cogs,
            "gross_profit": rev - cogs,
            "cost_missing": miss,
        }
        for i, (s, doc, p, q, rev, cogs, miss) in enumerate(rows, start=1)
    ]
    return pl.DataFrame(records, schema=LINE_PROFIT_COLUMNS)


def test_daily_aggregate_by_hand():
    result = daily_aggregate(lines_frame(LINES), D)
    assert result.columns == list(DAILY_COLUMNS)
    row = result.row(0, named=True)
    assert row["date"] == D
    assert row["revenue_tax_in"] == pytest.approx(119_000.0)
    assert row["cogs_tax_in"] == pytest.approx(56_100.0)
    assert row["gross_profit"] == pytest.approx(62_900.0)
    assert row["quantity"] == pytest.approx(14.0)
    # pos 100, pos 101, invoice 100, invoice 200: the POS order and the invoice share a number.
    assert (row["transactions"], row["lines"], row["cost_missing_lines"]) == (4, 6, 1)


def test_by_product_by_hand():
    result = daily_by_product(lines_frame(LINES), D)
    assert result.columns == list(BY_PRODUCT_COLUMNS)
    got = {
        r["product_id"]: (
            r["revenue_tax_in"],
            r["cogs_tax_in"],
            r["gross_profit"],
            r["quantity"],
            r["transactions"],
            r["lines"],
            r["cost_missing_lines"],
        )
        for r in result.iter_rows(named=True)
    }
    expected = {
        1: (15_000.0, 11_100.0, 3_900.0, 1.0, 2, 2, 0),
        2: (64_000.0, 45_000.0, 19_000.0, 9.0, 3, 3, 0),
        3: (40_000.0, 0.0, 40_000.0, 4.0, 1, 1, 1),
    }
    assert got.keys() == expected.keys()
    for product, want in expected.items():
        assert got[product] == pytest.approx(want)
    assert result["date"].unique().to_list() == [D]


def test_aggregates_equal_sum_of_products():
    lines = lines_frame(LINES)
    daily = daily_aggregate(lines, D)
    by_product = daily_by_product(lines, D)
    for column in ("revenue_tax_in", "cogs_tax_in", "gross_profit", "quantity", "lines"):
        assert by_product[column].sum() == pytest.approx(daily[column][0])


def test_day_without_sales_is_one_zero_row_and_no_products():
    empty = lines_frame([])
    daily = daily_aggregate(empty, D)
    assert daily.rows() == [(D, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0)]
    assert daily_by_product(empty, D).height == 0


def test_null_product_lines_form_their_own_group():
    result = daily_by_product(
        lines_frame([("pos", 1, None, 1.0, 500.0, 0.0, True), ("pos", 1, 4, 1.0, 100.0, 60.0, False)]), D
    )
    assert result.select("product_id", "revenue_tax_in", "cost_missing_lines").rows() == [
        (4, 100.0, 0),
        (None, 500.0, 1),
    ]


def test_hourly_aggregate_groups_pos_lines_by_till_and_hour_of_the_order_in_jakarta():
    from datetime import UTC, datetime

    from functions.profit.aggregates import HOURLY_COLUMNS, hourly_aggregate

    lines = lines_frame(LINES)  # line ids 1..6; 4, 5, 6 are POS
    pos = pl.DataFrame(
        {
            "line_id": [4, 5, 6, 99],
            # 16:59:59 UTC the day before = 23:59:59 WIB; a line without a till; a line not in the lines
            "date_order": [
                datetime(2026, 3, 10, 3, 15, tzinfo=UTC),
                datetime(2026, 3, 9, 17, 0, tzinfo=UTC),
                datetime(2026, 3, 10, 16, 59, 59, tzinfo=UTC),
                datetime(2026, 3, 10, 5, 0, tzinfo=UTC),
            ],
            "config_id": [7, None, 7, 7],
        }
    )
    result = hourly_aggregate(lines, pos, D, "Asia/Jakarta")
    assert result.columns == list(HOURLY_COLUMNS)
    # invoices have no time of day: only the POS lines, by (config, hour), config 0 for none
    expected = [(0, 0, 8_000.0, 1, 1), (7, 10, 30_000.0, 1, 1), (7, 23, -15_000.0, 1, 1)]
    assert result.select("config_id", "hour", "revenue_tax_in", "transactions", "lines").rows() == expected
    assert result["gross_profit"].sum() == pytest.approx(30_000.0 - 22_200.0 + 8_000.0 - 5_000.0 - 15_000.0 + 11_100.0)


def test_hourly_aggregate_of_a_day_without_pos_lines_or_times_is_empty():
    from functions.profit.aggregates import hourly_aggregate

    lines = lines_frame(LINES)
    assert hourly_aggregate(lines, None, D, "Asia/Jakarta").height == 0
    no_time = pl.DataFrame(
        {"line_id": [4], "date_order": [None], "config_id": [1]},
        schema={"line_id": pl.Int64, "date_order": pl.Datetime("us", "UTC"), "config_id": pl.Int64},
    )
    assert hourly_aggregate(lines, no_time, D, "Asia/Jakarta").height == 0
