"""Inventory moves: the pure clean/star steps on inline records, and extraction through the real
odoorpc client against the simulator (window edges at 00:00 local time, Odoo 16 `qty_done`)."""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from functions.transform.inventory_moves import clean_inventory_moves, star_inventory_moves
from shared.schemas import FACT_INVENTORY_MOVES

TZ = "Asia/Jakarta"


def raw_frame(records: list[tuple[str, dict]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "model": [model for model, _ in records],
            "id": [record["id"] for _, record in records],
            "write_date": [record.get("write_date") for _, record in records],
            "record": [json.dumps(record) for _, record in records],
        }
    )


def line(line_id: int, when: str, **values) -> tuple[str, dict]:
    record = {
        "id": line_id, "date": when, "state": "done", "move_id": [10, "M"], "product_id": [5, "P"],
        "product_uom_id": [1, "Units"], "location_id": [8, "WH/Stock"], "location_dest_id": [9, "Customers"],
        "lot_id": False, "picking_id": [3, "WH/OUT/1"], "company_id": [1, "C"], "write_date": when,
    }
    record.update(values)
    return "stock.move.line", record


RELATED = [
    ("stock.move", {"id": 10, "picking_type_id": [2, "Delivery Orders"]}),
    ("stock.picking.type", {"id": 2, "code": "outgoing"}),
    ("stock.location", {"id": 8, "usage": "internal"}),
    ("stock.location", {"id": 9, "usage": "customer"}),
]


def test_business_day_is_local_time_at_the_window_edges():
    raw = raw_frame(
        [
            line(1, "2026-01-01 17:00:00", quantity=1.0),  # 00:00 Jakarta on Jan 2
            line(2, "2026-01-02 16:59:59", quantity=2.0),  # 23:59:59 Jakarta on Jan 2
            line(3, "2026-01-01 16:59:59", quantity=3.0),  # 23:59:59 Jakarta on Jan 1
            *RELATED,
        ]
    )
    result = clean_inventory_moves(raw, TZ)
    expected = [(1, date(2026, 1, 2)), (2, date(2026, 1, 2)), (3, date(2026, 1, 1))]
    assert result.select("move_line_id", "date").rows() == expected


def test_odoo16_qty_done_and_picking_type_from_the_move():
    raw = raw_frame([line(1, "2026-01-01 18:00:00", qty_done=4.5), *RELATED])
    result = clean_inventory_moves(raw, TZ).row(0, named=True)
    assert result["quantity"] == 4.5
    assert result["picking_type_id"] == 2
    assert result["picking_code"] == "outgoing"
    assert (result["location_usage"], result["location_dest_usage"]) == ("internal", "customer")


def test_line_picking_code_wins_and_missing_relations_stay_null():
    raw = raw_frame(
        [line(1, "2026-01-01 18:00:00", quantity=1.0, picking_code="incoming", move_id=False, lot_id=[4, "L"],
              location_dest_id=[99, "Gone"])]
    )
    result = clean_inventory_moves(raw, TZ).row(0, named=True)
    assert result["picking_code"] == "incoming"
    assert result["move_id"] is None
    assert result["lot_id"] == 4
    assert result["location_dest_usage"] is None


def test_star_has_the_contract_columns_and_empty_raw_gives_an_empty_table():
    star = star_inventory_moves(clean_inventory_moves(raw_frame([line(1, "2026-01-01 18:00:00", quantity=1.0)]), TZ))
    assert set(star.columns) == set(FACT_INVENTORY_MOVES.schema.names)
    empty = star_inventory_moves(clean_inventory_moves(None, TZ))
    assert empty.height == 0
    assert empty.columns == star.columns
