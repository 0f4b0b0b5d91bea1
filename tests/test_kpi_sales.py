"""sales_kpi_rows (functions/kpi/sales.py): the sales KPIs from the profit aggregates, pure."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

from functions.kpi.sales import sales_kpi_rows
from shared.schemas import (
    AGG_PROFIT_DAILY,
    AGG_PROFIT_DAILY_BY_PRODUCT,
    DIM_PRODUCTS,
    FACT_SALES_LINES_PROFIT,
)

D = date(2024, 3, 10)
NOW = datetime(2024, 3, 11, 2, 0)


def table(spec, rows):
    return pa.Table.from_pylist(rows, schema=spec.schema)


def agg(**values):
    base = {
        "date": D,
        "revenue_tax_in": 0.0,
        "cogs_tax_in": 0.0,
        "gross_profit": 0.0,
        "quantity": 0.0,
        "transactions": 0,
        "lines": 0,
    }
    return {**base, **values}


def test_daily_row_copies_the_aggregate_and_derives_margin_and_basket():
    daily = table(
        AGG_PROFIT_DAILY,
        [
            agg(
                revenue_tax_in=1000.005,
                cogs_tax_in=600.0,
                gross_profit=400.005,
                quantity=12.5,
                transactions=3,
                lines=7,
                cost_missing_lines=2,
            )
        ],
    )
    result, _ = sales_kpi_rows(D, 1, daily, None, None, None, NOW)
    expected = [
        {
            "data_date": D,
            "org_id": 1,
            "revenue_tax_in": Decimal("1000.01"),
            "cogs_tax_in": Decimal("600.00"),
            "gross_profit": Decimal("400.01"),
            "quantity": Decimal("12.500"),
            "transactions": 3,
            "lines": 7,
            "gross_margin_pct": Decimal("40.0006"),  # 100 × 400.01 / 1000.01 = 40.00060
            "avg_basket_tax_in": Decimal("333.34"),  # 1000.01 / 3
            "cost_missing_lines": 2,
            "verified": True,
            "updated_at": NOW,
        }
    ]
    assert result == expected


def test_zero_revenue_and_no_transactions_give_nulls_not_zeros():
    daily = table(AGG_PROFIT_DAILY, [agg(gross_profit=-5.0, cost_missing_lines=0)])
    result, _ = sales_kpi_rows(D, 3, daily, None, None, None, NOW)
    assert (result[0]["gross_margin_pct"], result[0]["avg_basket_tax_in"], result[0]["org_id"]) == (
        None,
        None,
        3,
    )


def test_null_amounts_stay_null_and_cost_missing_falls_back_to_lines():
    daily = table(
        AGG_PROFIT_DAILY,
        [agg(revenue_tax_in=None, gross_profit=None, transactions=2, cost_missing_lines=None)],
    )
    lines = table(
        FACT_SALES_LINES_PROFIT,
        [
            {"date": D, "source": "pos", "doc_id": 1, "line_id": 1, "product_id": 5, "cost_missing": True},
            {"date": D, "source": "pos", "doc_id": 1, "line_id": 2, "product_id": 6, "cost_missing": False},
            {
                "date": D,
                "source": "invoice",
                "doc_id": 2,
                "line_id": 3,
                "product_id": 5,
                "cost_missing": None,
            },
        ],
    )
    result, _ = sales_kpi_rows(D, 1, daily, None, lines, None, NOW)
    expected = {
        "revenue_tax_in": None,
        "gross_profit": None,
        "gross_margin_pct": None,
        "avg_basket_tax_in": None,
        "cost_missing_lines": 1,
    }
    assert {k: result[0][k] for k in expected} == expected


def test_no_aggregate_rows_give_no_kpi_rows():
    result = sales_kpi_rows(D, 1, table(AGG_PROFIT_DAILY, []), None, None, None, NOW)
    assert result == ([], [])


def test_by_product_rows_get_names_and_a_key_for_missing_products():
    by_product = table(
        AGG_PROFIT_DAILY_BY_PRODUCT,
        [
            {**agg(revenue_tax_in=10.0, gross_profit=4.0, quantity=2.0, lines=2), "product_id": 7},
            {**agg(revenue_tax_in=1.5, gross_profit=None, quantity=-1.0, lines=1), "product_id": None},
            {**agg(revenue_tax_in=3.0, gross_profit=1.0, quantity=1.0, lines=1), "product_id": 9},
        ],
    )
    products = table(DIM_PRODUCTS, [{"product_id": 7, "name": "Kopi Susu"}, {"product_id": 8, "name": "Teh"}])
    # an unverified day: every row carries the flag
    _, result = sales_kpi_rows(D, 1, None, by_product, None, products, NOW, verified=False)
    expected = [
        {
            "data_date": D,
            "org_id": 1,
            "product_id": 0,
            "product_name": None,
            "revenue_tax_in": Decimal("1.50"),
            "gross_profit": None,
            "quantity": Decimal("-1.000"),
            "lines": 1,
            "verified": False,
            "updated_at": NOW,
        },
        {
            "data_date": D,
            "org_id": 1,
            "product_id": 7,
            "product_name": "Kopi Susu",
            "revenue_tax_in": Decimal("10.00"),
            "gross_profit": Decimal("4.00"),
            "quantity": Decimal("2.000"),
            "lines": 2,
            "verified": False,
            "updated_at": NOW,
        },
        {
            "data_date": D,
            "org_id": 1,
            "product_id": 9,
            "product_name": None,
            "revenue_tax_in": Decimal("3.00"),
            "gross_profit": Decimal("1.00"),
            "quantity": Decimal("1.000"),
            "lines": 1,
            "verified": False,
            "updated_at": NOW,
        },
    ]
    assert result == expected


def test_hourly_rows_round_like_the_daily_ones_and_carry_the_mark():
    from functions.kpi.sales import mark, sales_kpi_hourly_rows
    from shared.schemas import AGG_PROFIT_HOURLY

    hourly = table(
        AGG_PROFIT_HOURLY,
        [
            agg(config_id=2, hour=14, revenue_tax_in=1000.005, gross_profit=None, transactions=3, lines=5),
            agg(config_id=1, hour=9, revenue_tax_in=10.0, gross_profit=2.5, transactions=1, lines=1),
            agg(date=date(2024, 3, 9), config_id=1, hour=9, revenue_tax_in=99.0),  # another day: ignored
        ],
    )
    rows = sales_kpi_hourly_rows(D, 1, hourly, NOW)
    assert [(r["config_id"], r["hour"], r["revenue_tax_in"], r["gross_profit"], r["transactions"]) for r in rows] == [
        (1, 9, Decimal("10.00"), Decimal("2.50"), 1),
        (2, 14, Decimal("1000.01"), None, 3),
    ]
    as_of = datetime(2024, 3, 10, 7, 30)
    marked = mark(rows, True, as_of)
    assert [(r["provisional"], r["as_of"]) for r in marked] == [(True, as_of), (True, as_of)]
    assert "provisional" not in rows[0], "mark returns new rows"
    assert sales_kpi_hourly_rows(D, 1, None, NOW) == []
