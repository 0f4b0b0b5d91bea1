"""Invoice and purchase transforms on small inline raw partitions: signs, product lines, actual_price,
first tax, nulls, and the contract columns of fact_invoice_sales / fact_purchases."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from functions.extract import raw_table
from functions.transform.account_moves import clean_lines, clean_moves, star_invoice_sales, star_purchases
from shared.lake import conform
from shared.schemas import FACT_INVOICE_SALES, FACT_PURCHASES


def move(id_, move_type, name, partner=(9, "Toko")):
    return {"id": id_, "name": name, "move_type": move_type, "state": "posted", "invoice_date": "2026-11-10",
            "partner_id": list(partner) if partner else False, "company_id": [1, "NK"], "amount_untaxed": 100.0, "amount_total": 111.0,
            "amount_untaxed_signed": 100.0, "amount_total_signed": 111.0, "write_date": "2026-11-10 03:00:00"}


def line(id_, move_id, qty, price, discount=0.0, taxes=(7,), **extra):
    subtotal = qty * price * (1 - discount / 100)
    return {"id": id_, "move_id": [move_id, "X"], "product_id": [5, "Rice"], "quantity": qty,
            "price_unit": price, "discount": discount, "price_subtotal": subtotal,
            "price_total": round(subtotal * 1.11, 2), "tax_ids": list(taxes), "product_uom_id": [1, "Units"],
            "display_type": "product", "balance": -subtotal, "partner_id": False, "company_id": [1, "NK"],
            **extra}


def frames(moves, lines):
    raw = pl.from_arrow(raw_table({"account.move": moves, "account.move.line": lines}))
    clean = clean_moves(raw)
    return clean, clean_lines(raw, clean)


def test_credit_note_lines_are_negative_and_prices_stay_positive():
    _, lines = frames(
        [move(1, "out_invoice", "INV/1"), move(2, "out_refund", "RINV/1")],
        [line(10, 1, 2.0, 50.0), line(20, 2, 1.0, 50.0)],
    )
    result = star_invoice_sales(lines)
    conform(result, FACT_INVOICE_SALES.schema, "fact_invoice_sales")
    assert result["quantity"].to_list() == [2.0, -1.0]
    assert result["revenue_tax_ex"].to_list() == [100.0, -50.0]
    assert result["revenue_tax_in"].to_list() == [111.0, -55.5]
    assert result["price_unit"].to_list() == [50.0, 50.0]
    assert result["date"].to_list() == [date(2026, 11, 10)] * 2
    assert result["partner_id"].to_list() == [9, 9]  # the move's partner when the line has none
    assert result["move_name"].to_list() == ["INV/1", "RINV/1"]


def test_purchases_use_actual_price_when_the_field_exists():
    _, lines = frames(
        [move(1, "in_invoice", "BILL/1"), move(2, "in_refund", "RBILL/1", partner=False)],
        [line(10, 1, 4.0, 20.0, actual_price=18.5), line(11, 1, 1.0, 0.0, taxes=(), actual_price=0.0),
         line(20, 2, 2.0, 20.0, taxes=(6, 2), actual_price=18.5)],
    )
    result = star_purchases(lines)
    conform(result, FACT_PURCHASES.schema, "fact_purchases")
    expected = pl.DataFrame(
        {"line_id": [10, 11, 20], "quantity": [4.0, 1.0, -2.0], "actual_price": [18.5, 0.0, 18.5],
         "tax_id": [7, None, 6], "price_subtotal": [80.0, 0.0, -40.0], "partner_id": [9, 9, None]},
        schema_overrides={"tax_id": pl.Int64, "partner_id": pl.Int64},
    )
    assert result.select(expected.columns).equals(expected)
    assert result["tax_ids"].to_list() == [[7], [], [6, 2]]
    assert result["uom_id"].to_list() == [1, 1, 1]


def test_purchases_without_the_custom_field_use_price_after_discount():
    _, lines = frames([move(1, "in_invoice", "BILL/1")], [line(10, 1, 4.0, 20.0, discount=10.0)])
    result = star_purchases(lines)
    assert result["actual_price"].to_list() == [pytest.approx(18.0)]


def test_lines_of_unknown_moves_are_dropped_and_empty_input_is_typed():
    _, lines = frames([move(1, "out_invoice", "INV/1")], [line(10, 1, 1.0, 5.0), line(30, 3, 1.0, 5.0)])
    assert star_invoice_sales(lines)["line_id"].to_list() == [10]
    _, empty = frames([], [])
    conform(star_purchases(empty), FACT_PURCHASES.schema, "fact_purchases")


def test_foreign_currency_lines_are_converted_with_the_company_balance():
    # a USD invoice in an IDR company: 2 × 10 USD = 20 USD, booked at 16,000 → balance -320,000 IDR
    foreign = line(10, 1, 2.0, 10.0, currency_id=[2, "USD"], company_currency_id=[12, "IDR"])
    foreign["balance"] = -320_000.0
    same = line(11, 1, 1.0, 5000.0, currency_id=[12, "IDR"], company_currency_id=[12, "IDR"])
    unknown = line(12, 1, 1.0, 7.0)  # no currency fields on this database: taken as company currency
    _, lines = frames([move(1, "out_invoice", "INV/1"), move(2, "out_refund", "RINV/1")],
                      [foreign, same, unknown, {**foreign, "id": 20, "move_id": [2, "X"]}])
    result = star_invoice_sales(lines)
    assert result["revenue_tax_ex"].to_list() == [320_000.0, 5000.0, 7.0, -320_000.0]
    assert result["revenue_tax_in"].to_list() == pytest.approx([355_200.0, 5550.0, 7.77, -355_200.0])
    assert result["price_unit"].to_list() == [10.0, 5000.0, 7.0, 10.0]  # prices stay as on the document
