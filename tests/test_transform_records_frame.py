"""records_frame (polars bulk decoding of raw JSON) gives exactly what the per-record Python path gives,
on the awkward values Odoo sends: `false` for empty fields, bare ids, empty strings, renamed fields."""

from __future__ import annotations

import json

import polars as pl
from polars.testing import assert_frame_equal

from functions.odoo_records import Column, decode_records, records_frame, typed_frame

COLUMNS = (
    Column("line_id", "id", "id"),
    Column("order_id", "order_id", "m2o"),
    Column("name", "name", "str"),
    Column("quantity", "quantity|qty_done", "float"),
    Column("done_at", "date", "ts"),
    Column("invoice_date", "invoice_date", "date"),
    Column("tax_ids", "tax_ids", "m2m"),
    Column("active", "active", "bool"),
    Column("rank", "rank", "int"),
)

RECORDS = [
    {"id": 1, "order_id": [5, "Order/5"], "name": "plain", "quantity": 2, "date": "2026-01-01 10:00:00",
     "invoice_date": "2026-01-01", "tax_ids": [3, 4], "active": True, "rank": 2},
    # Odoo's false on every kind: null, except on a boolean where it is False
    {"id": 2, "order_id": False, "name": False, "quantity": False, "date": False, "invoice_date": False,
     "tax_ids": False, "active": False, "rank": False},
    # a bare many2one id, the Odoo 16 quantity name, fractional seconds, an empty list, an empty string
    {"id": 3, "order_id": 7, "name": "", "qty_done": 1.5, "date": "2026-01-01 23:59:59.250", "tax_ids": [],
     "active": None},
    # a string that looks like a false key, quotes, unicode; a key present with a null value
    {"id": 4, "order_id": [], "name": 'say ",\"quantity\":false, "x":false} \u00e9', "quantity": None,
     "qty_done": 9.0, "date": "", "tax_ids": [8]},
    # the record has neither quantity name: null
    {"id": 5, "order_id": [6, "false"], "name": "false", "date": None},
]


def raw(records: list[dict], dumps) -> pl.DataFrame:
    return pl.DataFrame({
        "model": ["m"] * len(records) + ["other"],
        "id": [r["id"] for r in records] + [99],
        "write_date": [None] * (len(records) + 1),
        "record": [dumps(r) for r in records] + [json.dumps({"id": 99, "name": "not mine"})],
    })


def test_bulk_decoding_equals_the_per_record_path_on_compact_and_spaced_json():
    compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for dumps in (compact, json.dumps):
        frame = raw(RECORDS, dumps)
        expected = typed_frame(decode_records(frame, "m"), COLUMNS)
        result = records_frame(frame, "m", COLUMNS)
        assert_frame_equal(result, expected, check_exact=True)


def test_values_of_the_awkward_rows():
    result = records_frame(raw(RECORDS, json.dumps), "m", COLUMNS)
    assert result["order_id"].to_list() == [5, None, 7, None, 6]
    assert result["name"].to_list() == ["plain", None, "", 'say ",\"quantity\":false, "x":false} é', "false"]
    assert result["quantity"].to_list() == [2.0, None, 1.5, None, None]
    assert result["active"].to_list() == [True, False, None, None, None]
    assert result["tax_ids"].to_list() == [[3, 4], None, [], [8], None]
    assert result["done_at"].dt.second().to_list() == [0, None, 59, None, None]


def test_no_partition_or_no_record_of_the_model_gives_the_empty_typed_frame():
    expected = typed_frame([], COLUMNS)
    assert_frame_equal(records_frame(None, "m", COLUMNS), expected)
    assert_frame_equal(records_frame(raw(RECORDS, json.dumps), "absent", COLUMNS), expected)


def test_a_partition_decoded_in_several_slices_keeps_every_row_in_order(monkeypatch):
    import functions.odoo_records as odoo_records

    monkeypatch.setattr(odoo_records, "DECODE_SLICE_ROWS", 2)
    frame = raw(RECORDS * 3, json.dumps)
    expected = typed_frame(decode_records(frame, "m"), COLUMNS)
    result = records_frame(frame, "m", COLUMNS)
    assert result.height == 15
    assert_frame_equal(result, expected, check_exact=True)
