"""POS transforms on small inline raw partitions: typing, nulls, refunds, business day, star columns."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from functions.extract import raw_table
from functions.transform.pos import clean_lines, clean_orders, clean_payments, star_payments, star_sales
from shared.lake import conform
from shared.schemas import FACT_POS_PAYMENTS, FACT_SALES

TZ = "Asia/Jakarta"

ORDERS = [
    # 17:00 UTC the day before = 00:00 local on 2026-11-10
    {"id": 11, "name": "Shop/0011", "date_order": "2026-11-09 17:00:00", "state": "paid",
     "company_id": [1, "NK"], "partner_id": False, "user_id": [2, "Admin"], "session_id": [3, "S/3"],
     "config_id": [1, "Shop"], "amount_total": 33.3, "amount_tax": 3.3, "write_date": "2026-11-09 17:05:00"},
    {"id": 12, "name": "Shop/0012", "date_order": "2026-11-10 16:59:59", "state": "done",
     "company_id": [1, "NK"], "partner_id": [7, "Budi"], "user_id": [2, "Admin"], "session_id": [3, "S/3"],
     "config_id": False, "amount_total": -11.1, "amount_tax": -1.1, "write_date": "2026-11-10 17:00:00"},
]
LINES = [
    {"id": 101, "order_id": [11, "Shop/0011"], "product_id": [5, "Rice"], "qty": 3.0, "price_unit": 10.0,
     "discount": 0.0, "price_subtotal": 30.0, "price_subtotal_incl": 33.3, "tax_ids": [7, 9],
     "company_id": [1, "NK"], "write_date": "2026-11-09 17:05:00"},
    # a refund line: already negative in Odoo
    {"id": 102, "order_id": [12, "Shop/0012"], "product_id": [5, "Rice"], "qty": -1.0, "price_unit": 10.0,
     "discount": 0.0, "price_subtotal": -10.0, "price_subtotal_incl": -11.1, "tax_ids": [],
     "company_id": False},
]
PAYMENTS = [
    {"id": 201, "pos_order_id": [11, "Shop/0011"], "payment_method_id": [1, "Cash"], "amount": 33.3,
     "payment_date": "2026-11-09 17:01:00"},
    {"id": 202, "pos_order_id": [12, "Shop/0012"], "payment_method_id": False, "amount": -11.1,
     "payment_date": False},
]


def raw_frame() -> pl.DataFrame:
    return pl.from_arrow(raw_table({"pos.order": ORDERS, "pos.order.line": LINES, "pos.payment": PAYMENTS}))


def test_clean_orders_types_and_business_day():
    result = clean_orders(raw_frame(), TZ)
    assert result["date"].to_list() == [date(2026, 11, 10), date(2026, 11, 10)]
    assert result["date_order"][0] == datetime(2026, 11, 9, 17, 0, tzinfo=UTC)
    assert result["partner_id"].to_list() == [None, 7]
    assert result["config_id"].to_list() == [1, None]
    assert result["write_date"][0] == datetime(2026, 11, 9, 17, 5, tzinfo=UTC)


def test_star_sales_keeps_refund_signs_and_contract_columns():
    raw = raw_frame()
    result = star_sales(clean_orders(raw, TZ), clean_lines(raw))
    conform(result, FACT_SALES.schema, "fact_sales")  # raises on a missing or mistyped column
    expected = pl.DataFrame(
        {"line_id": [101, 102], "order_id": [11, 12], "quantity": [3.0, -1.0], "revenue_tax_ex": [30.0, -10.0],
         "revenue_tax_in": [33.3, -11.1], "company_id": [1, 1], "partner_id": [None, 7]},
        schema_overrides={"partner_id": pl.Int64},
    )
    assert result.select(expected.columns).equals(expected)
    assert result["tax_ids"].to_list() == [[7, 9], []]
    assert result["order_name"].to_list() == ["Shop/0011", "Shop/0012"]


def test_star_payments_nulls_and_day():
    raw = raw_frame()
    result = star_payments(clean_orders(raw, TZ), clean_payments(raw))
    conform(result, FACT_POS_PAYMENTS.schema, "fact_pos_payments")
    assert result["payment_method_id"].to_list() == [1, None]
    assert result["payment_date"].to_list()[1] is None
    assert result["date"].to_list() == [date(2026, 11, 10)] * 2


def test_lines_of_orders_not_kept_are_dropped():
    raw = pl.from_arrow(raw_table({"pos.order": ORDERS[:1], "pos.order.line": LINES}))
    result = star_sales(clean_orders(raw, TZ), clean_lines(raw))
    assert result["line_id"].to_list() == [101]


def test_empty_partition_gives_empty_typed_frames():
    raw = pl.from_arrow(raw_table({}))
    result = star_sales(clean_orders(raw, TZ), clean_lines(raw))
    assert result.height == 0
    conform(result, FACT_SALES.schema, "fact_sales")
