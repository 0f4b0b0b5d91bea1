"""Cost events: which purchase lines set a cost, the tax multipliers, and UoM conversion."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from functions.profit.cost_events import (
    build_cost_events,
    cost_event_candidates,
    price_cost_events,
    tax_multiplier_expr,
)

DEFAULT_MAP = {5: 1.0, 2: 1.0, 7: 1.11, 6: 1.11}
D = date(2026, 3, 10)

# Units (reference), Dozen (12 units: Odoo factor 1/12), Pack of 6 (factor 1/6), kg in another category.
UOMS = pl.DataFrame(
    {
        "uom_id": [1, 2, 3, 4, 5],
        "name": ["Units", "Dozens", "Pack 6", "kg", "Broken"],
        "category_id": [1, 1, 1, 2, 1],
        "factor": [1.0, 1 / 12, 1 / 6, 1.0, 0.0],
        "uom_type": ["reference", "bigger", "bigger", "reference", "bigger"],
    }
)
PRODUCTS = pl.DataFrame(
    {"product_id": [10, 11, 12, 13], "name": ["Tea", "Eggs", "Rice", "Soap"], "uom_id": [1, 2, 4, 1]}
)


def purchases(rows: list[dict]) -> pl.DataFrame:
    base = {
        "date": D,
        "move_id": 1,
        "move_name": "BILL/1",
        "move_type": "in_invoice",
        "line_id": 1,
        "company_id": 1,
        "partner_id": 7,
        "product_id": 10,
        "quantity": 1.0,
        "price_unit": 0.0,
        "actual_price": 1000.0,
        "tax_id": None,
        "tax_ids": None,
        "uom_id": None,
    }
    return pl.DataFrame(
        [base | r for r in rows],
        schema={
            "date": pl.Date,
            "move_id": pl.Int64,
            "move_name": pl.String,
            "move_type": pl.String,
            "line_id": pl.Int64,
            "company_id": pl.Int64,
            "partner_id": pl.Int64,
            "product_id": pl.Int64,
            "quantity": pl.Float64,
            "price_unit": pl.Float64,
            "actual_price": pl.Float64,
            "tax_id": pl.Int64,
            "tax_ids": pl.String,
            "uom_id": pl.Int64,
        },
    )


def test_multipliers_both_rates_and_default():
    frame = purchases([{"line_id": i, "tax_id": t} for i, t in enumerate([7, 6, 5, 2, 99, None], start=1)])
    result = build_cost_events(frame, DEFAULT_MAP)
    expected = [1110.0, 1110.0, 1000.0, 1000.0, 1000.0, 1000.0]
    assert result["line_id"].to_list() == [1, 2, 3, 4, 5, 6]
    assert result["unit_cost_tax_in"].to_list() == pytest.approx(expected, abs=1e-9)
    assert result["tax_multiplier"].to_list() == [1.11, 1.11, 1.0, 1.0, 1.0, 1.0]


def test_multiplier_map_is_configuration():
    frame = purchases([{"line_id": 1, "tax_id": 7}, {"line_id": 2, "tax_id": 6}, {"line_id": 3, "tax_id": 9}])
    result = build_cost_events(frame, {9: 1.1})
    assert result["unit_cost_tax_in"].to_list() == pytest.approx([1000.0, 1000.0, 1100.0], abs=1e-9)
    empty_map = build_cost_events(frame, {})
    assert empty_map["unit_cost_tax_in"].to_list() == [1000.0, 1000.0, 1000.0]


def test_tax_multiplier_expr_null_and_unknown():
    frame = pl.DataFrame({"tax_id": [7, None, 42]}, schema={"tax_id": pl.Int64})
    result = frame.select(tax_multiplier_expr(DEFAULT_MAP))["tax_id"].to_list()
    assert result == [1.11, 1.0, 1.0]


def test_bonus_lines_refunds_and_unusable_lines_are_excluded():
    frame = purchases(
        [
            {"line_id": 1, "actual_price": 0.0, "quantity": 5.0},  # bonus: free goods
            {"line_id": 2, "actual_price": 800.0, "quantity": 0.0},  # quantity 0
            {"line_id": 3, "actual_price": 800.0, "quantity": -2.0, "move_type": "in_refund"},  # refund
            {"line_id": 4, "actual_price": -800.0, "quantity": 2.0},  # negative price
            {"line_id": 5, "actual_price": None, "quantity": 2.0},
            {"line_id": 6, "product_id": None},  # a line without a product
            {"line_id": 7, "actual_price": 750.0, "quantity": 3.0},  # the one real event
        ]
    )
    result = build_cost_events(frame, DEFAULT_MAP)
    assert result["line_id"].to_list() == [7]
    assert result["unit_cost_tax_in"].to_list() == [750.0]


def test_uom_conversion_to_product_unit():
    frame = purchases(
        [
            # Tea (Units) bought by the dozen at 120,000 a dozen, 11% tax → 11,100 a unit.
            {"line_id": 1, "product_id": 10, "uom_id": 2, "actual_price": 120_000.0, "tax_id": 7},
            # Tea bought by the pack of 6 at 30,000 a pack → 5,000 a unit.
            {"line_id": 2, "product_id": 10, "uom_id": 3, "actual_price": 30_000.0},
            # Eggs (sold by the dozen) bought per unit at 2,000 → 24,000 a dozen.
            {"line_id": 3, "product_id": 11, "uom_id": 1, "actual_price": 2_000.0},
            # Eggs bought by the pack of 6 at 12,000 → 24,000 a dozen.
            {"line_id": 4, "product_id": 11, "uom_id": 3, "actual_price": 12_000.0},
            # Same unit: unchanged.
            {"line_id": 5, "product_id": 10, "uom_id": 1, "actual_price": 4_000.0},
            # Rice (kg) on a line in Units: other category, Odoo leaves the price as it is.
            {"line_id": 6, "product_id": 12, "uom_id": 1, "actual_price": 15_000.0},
            # A unit with factor 0, a unit not in dim_uoms, a product not in dim_products: unchanged.
            {"line_id": 7, "product_id": 10, "uom_id": 5, "actual_price": 9_000.0},
            {"line_id": 8, "product_id": 10, "uom_id": 77, "actual_price": 9_000.0},
            {"line_id": 9, "product_id": 99, "uom_id": 2, "actual_price": 9_000.0},
        ]
    )
    result = build_cost_events(frame, DEFAULT_MAP, PRODUCTS, UOMS).sort("line_id")
    expected = [11_100.0, 5_000.0, 24_000.0, 24_000.0, 4_000.0, 15_000.0, 9_000.0, 9_000.0, 9_000.0]
    assert result["line_id"].to_list() == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert result["unit_cost_tax_in"].to_list() == pytest.approx(expected, rel=1e-12)
    assert result["uom_ratio"].to_list()[:4] == pytest.approx([1 / 12, 1 / 6, 12.0, 2.0], rel=1e-12)
    assert result["product_uom_id"].to_list() == [1, 1, 2, 2, 1, 4, 1, 1, None]


def test_uom_conversion_with_odoo_19_factors():
    # Odoo 19: no uom_type, no categories, factor = reference units per unit (Dozens = 12).
    uoms_19 = pl.DataFrame(
        {
            "uom_id": [1, 2, 3],
            "category_id": [None, None, None],
            "factor": [1.0, 12.0, 6.0],
            "uom_type": [None, None, None],
        },
        schema={"uom_id": pl.Int64, "category_id": pl.Int64, "factor": pl.Float64, "uom_type": pl.String},
    )
    frame = purchases(
        [
            {"line_id": 1, "product_id": 10, "uom_id": 2, "actual_price": 120_000.0, "tax_id": 7},
            {"line_id": 2, "product_id": 11, "uom_id": 3, "actual_price": 12_000.0},
        ]
    )
    result = build_cost_events(frame, DEFAULT_MAP, PRODUCTS, uoms_19).sort("line_id")
    assert result["unit_cost_tax_in"].to_list() == pytest.approx([11_100.0, 24_000.0], rel=1e-12)


def test_missing_uom_column_means_product_unit():
    frame = purchases([{"line_id": 1, "product_id": 11, "actual_price": 24_000.0}]).drop("uom_id")
    result = build_cost_events(frame, DEFAULT_MAP, PRODUCTS, UOMS)
    assert result["unit_cost_tax_in"].to_list() == [24_000.0]
    assert result["line_uom_id"].to_list() == [None]


def test_input_is_not_mutated_and_output_is_sorted():
    frame = purchases(
        [
            {"date": date(2026, 3, 11), "move_id": 3, "line_id": 1, "tax_id": 7},
            {"date": D, "move_id": 2, "line_id": 5},
            {"date": D, "move_id": 2, "line_id": 4},
        ]
    )
    before = frame.clone()
    result = build_cost_events(frame, DEFAULT_MAP, PRODUCTS, UOMS)
    assert frame.equals(before)
    assert result.select("move_id", "line_id").rows() == [(2, 4), (2, 5), (3, 1)]


def test_price_cost_events_recomputes_existing_pricing():
    raw = cost_event_candidates(purchases([{"line_id": 1, "tax_id": 7}]))
    priced_once = price_cost_events(raw, DEFAULT_MAP)
    repriced = price_cost_events(priced_once, {7: 1.0})
    assert priced_once["unit_cost_tax_in"].to_list() == pytest.approx([1110.0])
    assert repriced["unit_cost_tax_in"].to_list() == [1000.0]
    assert repriced.columns == priced_once.columns
