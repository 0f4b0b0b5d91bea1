"""Sales-line profit: POS and invoice lines together, refunds on both sides, missing costs.

The scenario is worked by hand (day D):
  purchases  product 1: D-10 at 10,000 with tax 7 (→ 11,100); D+1 at 20,000 (future, ignored)
             product 2: D at 5,000 with tax 5 (→ 5,000, same day counts); a refund and a bonus line on D
             product 3: never bought
  POS        order 100: p1 ×2 for 30,000; p2 ×1 for 8,000      order 101 (refund): p1 ×−1 for −15,000
  invoices   move 100: p3 ×4 for 40,000; p2 ×10 for 70,000      move 200 (credit note): p2 ×−2 for −14,000
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from functions.profit.cost_events import build_cost_events, price_cost_events
from functions.profit.latest_cost import latest_cost_asof
from functions.profit.sales_profit import line_profit, sales_lines

D = date(2026, 3, 10)
MULTIPLIERS = {5: 1.0, 2: 1.0, 7: 1.11, 6: 1.11}

PURCHASES = pl.DataFrame(
    {
        "date": [D - timedelta(days=10), D + timedelta(days=1), D, D, D],
        "move_id": [1, 2, 3, 4, 3],
        "move_name": ["BILL/1", "BILL/2", "BILL/3", "RBILL/4", "BILL/3"],
        "move_type": ["in_invoice", "in_invoice", "in_invoice", "in_refund", "in_invoice"],
        "line_id": [1, 2, 3, 4, 5],
        "company_id": [1] * 5,
        "partner_id": [9] * 5,
        "product_id": [1, 1, 2, 2, 2],
        "quantity": [10.0, 10.0, 20.0, -3.0, 2.0],
        "price_unit": [10_000.0, 20_000.0, 5_000.0, 6_000.0, 0.0],
        "actual_price": [10_000.0, 20_000.0, 5_000.0, 6_000.0, 0.0],
        "tax_id": [7, 7, 5, 5, None],
        "tax_ids": ["[7]", "[7]", "[5]", "[5]", "[]"],
    }
)
POS = pl.DataFrame(
    {
        "date": [D] * 3,
        "order_id": [100, 100, 101],
        "order_name": ["POS/100", "POS/100", "POS/101"],
        "line_id": [1, 2, 3],
        "date_order": ["2026-03-10 02:00:00"] * 3,
        "company_id": [1] * 3,
        "partner_id": [None, None, None],
        "user_id": [2] * 3,
        "product_id": [1, 2, 1],
        "quantity": [2.0, 1.0, -1.0],
        "price_unit": [15_000.0, 8_000.0, 15_000.0],
        "discount": [0.0] * 3,
        "revenue_tax_ex": [27_027.03, 7_207.21, -13_513.51],
        "revenue_tax_in": [30_000.0, 8_000.0, -15_000.0],
        "tax_ids": ["[1]"] * 3,
    }
)
INVOICES = pl.DataFrame(
    {
        "date": [D] * 3,
        "move_id": [100, 100, 200],
        "move_name": ["INV/100", "INV/100", "RINV/200"],
        "move_type": ["out_invoice", "out_invoice", "out_refund"],
        "line_id": [1, 2, 3],
        "company_id": [1] * 3,
        "partner_id": [5] * 3,
        "product_id": [3, 2, 2],
        "quantity": [4.0, 10.0, -2.0],
        "price_unit": [10_000.0, 7_000.0, 7_000.0],
        "discount": [0.0] * 3,
        "revenue_tax_ex": [36_036.04, 63_063.06, -12_612.61],
        "revenue_tax_in": [40_000.0, 70_000.0, -14_000.0],
    }
)


def day_profit() -> pl.DataFrame:
    latest = price_cost_events(latest_cost_asof(build_cost_events(PURCHASES, MULTIPLIERS), D), MULTIPLIERS)
    return line_profit(sales_lines(POS, INVOICES), latest)


def test_line_profit_by_hand():
    result = day_profit()
    expected = [
        # source, doc_id, line_id, product, quantity, revenue, unit cost, cogs, gross profit, missing
        ("invoice", 100, 1, 3, 4.0, 40_000.0, None, 0.0, 40_000.0, True),
        ("invoice", 100, 2, 2, 10.0, 70_000.0, 5_000.0, 50_000.0, 20_000.0, False),
        ("invoice", 200, 3, 2, -2.0, -14_000.0, 5_000.0, -10_000.0, -4_000.0, False),
        ("pos", 100, 1, 1, 2.0, 30_000.0, 11_100.0, 22_200.0, 7_800.0, False),
        ("pos", 100, 2, 2, 1.0, 8_000.0, 5_000.0, 5_000.0, 3_000.0, False),
        ("pos", 101, 3, 1, -1.0, -15_000.0, 11_100.0, -11_100.0, -3_900.0, False),
    ]
    rows = result.select(
        "source",
        "doc_id",
        "line_id",
        "product_id",
        "quantity",
        "revenue_tax_in",
        "unit_cost_tax_in",
        "cogs_tax_in",
        "gross_profit",
        "cost_missing",
    ).rows()
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got[:4] == want[:4]
        assert got[9] == want[9]
        assert got[4:9] == pytest.approx(want[4:9], abs=1e-6)


def test_contract_columns_and_cost_dates():
    result = day_profit()
    contract = [
        "date",
        "source",
        "doc_id",
        "line_id",
        "product_id",
        "quantity",
        "revenue_tax_in",
        "unit_cost_tax_in",
        "cogs_tax_in",
        "gross_profit",
        "cost_missing",
    ]
    assert set(contract) <= set(result.columns)
    assert result["date"].unique().to_list() == [D]
    # The cost used is never from after the sale.
    assert result.filter(pl.col("cost_date") > pl.col("date")).height == 0
    assert result.filter(pl.col("product_id") == 1)["cost_date"].to_list() == [D - timedelta(days=10)] * 2
    assert result.filter(pl.col("source") == "pos")["doc_name"].to_list() == ["POS/100", "POS/100", "POS/101"]


def test_sales_lines_with_one_side_missing_or_nulls():
    only_pos = sales_lines(POS, None)
    assert only_pos["source"].unique().to_list() == ["pos"]
    assert only_pos["doc_id"].to_list() == [100, 100, 101]
    nothing = sales_lines(None, None)
    assert nothing.height == 0
    with_nulls = POS.with_columns(
        pl.lit(None, dtype=pl.Float64).alias("revenue_tax_in"),
        pl.lit(None, dtype=pl.Int64).alias("product_id"),
    )
    result = line_profit(
        sales_lines(with_nulls, None),
        price_cost_events(latest_cost_asof(build_cost_events(PURCHASES, MULTIPLIERS), D), MULTIPLIERS),
    )
    assert result["revenue_tax_in"].to_list() == [0.0, 0.0, 0.0]
    assert result["cost_missing"].to_list() == [True, True, True]
    assert result["gross_profit"].to_list() == [0.0, 0.0, 0.0]


def test_inputs_are_not_mutated():
    before = (PURCHASES.clone(), POS.clone(), INVOICES.clone())
    day_profit()
    assert PURCHASES.equals(before[0]) and POS.equals(before[1]) and INVOICES.equals(before[2])
