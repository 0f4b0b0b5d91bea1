"""Dimensions: pure merge/typing steps on inline records, and the extract → transform path through
the real odoorpc client against the simulator (archived products, missing brand model, incremental
refresh by write_date, deletes, full refresh)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from functions.dimension_catalogue import DIMENSIONS_BY_NAME
from functions.odoo_records import Column, m2o_id, odoo_timestamp, typed_frame
from functions.transform.dimensions import apply_refresh, dimension_frame, drop_deleted, merge_dimension

PRODUCTS = DIMENSIONS_BY_NAME["products"]


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_odoo_values_normalise():
    assert m2o_id([7, "Name"]) == 7
    assert m2o_id(False) is None
    assert m2o_id(None) is None
    assert m2o_id(12) == 12
    assert odoo_timestamp("2026-01-01 17:00:00") == _ts("2026-01-01 17:00:00")
    assert odoo_timestamp(False) is None


def test_typed_frame_takes_first_alternative_and_nulls_missing_fields():
    columns = (Column("brand_id", "brand_id|product_brand_id", "m2o"), Column("code", "default_code", "str"))
    records = [{"product_brand_id": [3, "B"], "default_code": False}, {"default_code": "X1"}]
    result = typed_frame(records, columns)
    expected = pl.DataFrame({"brand_id": [3, None], "code": [None, "X1"]}, schema=result.schema)
    assert result.equals(expected)


def test_dimension_frame_keeps_archived_products_with_active_false():
    records = [
        {"id": 2, "name": "Old", "categ_id": [1, "All"], "uom_id": [1, "Units"], "active": False,
         "write_date": "2026-01-02 00:00:00"},
        {"id": 1, "name": "New", "categ_id": False, "uom_id": [1, "Units"], "active": True,
         "write_date": "2026-01-01 00:00:00", "default_code": "N1"},
    ]
    result = dimension_frame(PRODUCTS, records)
    assert result.get_column("product_id").to_list() == [1, 2]
    assert result.get_column("active").to_list() == [True, False]
    assert result.get_column("categ_id").to_list() == [None, 1]
    assert result.get_column("brand_id").to_list() == [None, None]


def _products(rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    records = [
        {"id": i, "name": name, "categ_id": [1, "All"], "uom_id": [1, "U"], "active": True, "write_date": wd}
        for i, name, wd in rows
    ]
    return dimension_frame(PRODUCTS, records)


def test_merge_newest_write_date_wins_whatever_the_order():
    existing = _products([(1, "A-new", "2026-01-05 00:00:00"), (2, "B", "2026-01-01 00:00:00")])
    older_refresh = _products([(1, "A-old", "2026-01-03 00:00:00"), (3, "C", "2026-01-02 00:00:00")])
    result = merge_dimension(existing, older_refresh, "product_id")
    expected = {1: "A-new", 2: "B", 3: "C"}
    assert dict(zip(result["product_id"].to_list(), result["name"].to_list(), strict=True)) == expected


def test_merge_tie_on_write_date_takes_the_changed_row():
    existing = _products([(1, "before", "2026-01-05 00:00:00")])
    changed = _products([(1, "after", "2026-01-05 00:00:00")])
    result = merge_dimension(existing, changed, "product_id")
    assert result["name"].to_list() == ["after"]


def test_merge_accepts_an_older_file_without_newer_columns():
    existing = _products([(1, "A", "2026-01-01 00:00:00")]).drop("standard_price", "company_id")
    changed = _products([(2, "B", "2026-01-02 00:00:00")])
    result = merge_dimension(existing, changed, "product_id")
    assert result.columns == changed.columns
    assert result["standard_price"].to_list() == [None, None]


def test_drop_deleted_spares_rows_written_after_the_id_list():
    frame = _products(
        [(1, "kept", "2026-01-01 00:00:00"), (2, "deleted", "2026-01-01 00:00:00"), (3, "newer", "2026-01-09 00:00:00")]
    )
    result = drop_deleted(frame, "product_id", [1], _ts("2026-01-05 00:00:00"))
    assert result["product_id"].to_list() == [1, 3]


def test_apply_refresh_merges_and_drops_deleted_ids():
    existing = _products([(1, "A", "2026-01-01 00:00:00"), (2, "B", "2026-01-01 00:00:00")])
    changed = [{"id": 1, "name": "A2", "categ_id": [1, "All"], "uom_id": [1, "U"], "active": True,
                "write_date": "2026-01-03 00:00:00"}]
    refresh = {"taken_at": "2026-01-04 00:00:00", "ids": [1]}
    result = apply_refresh(existing, PRODUCTS, changed, refresh)
    assert result.select("product_id", "name").rows() == [(1, "A2")]


# ---------------------------------------------------------------- through odoorpc against the simulator

import pytest  # noqa: E402

from functions.dimension_catalogue import dimension_spec  # noqa: E402
from functions.extract import dimensions as extract_dimensions  # noqa: E402
from functions.transform.dimensions import transform as transform_dimensions  # noqa: E402
from shared.lake import open_lake  # noqa: E402
from shared.odoo import connect  # noqa: E402
from shared.odoo_sim import OdooSimulator, SimConfig  # noqa: E402
from tests.odoo_helpers import sim_settings  # noqa: E402

ALL = {"active_test": False}


def dim(lake, name: str) -> pl.DataFrame | None:
    table = lake.read_table(dimension_spec(DIMENSIONS_BY_NAME[name]))
    return None if table is None else pl.from_arrow(table)


def refresh(odoo, settings, lake, day, **kwargs) -> dict:
    rows = extract_dimensions.extract(odoo, settings, lake, day, **kwargs)
    transform_dimensions(settings, lake, day)
    return rows


@pytest.fixture()
def sim():
    with OdooSimulator(SimConfig(seed=3, lines_per_day=20, days=2)).start() as server:
        yield server


def test_archived_products_included_and_no_brand_model(sim, tmp_path):
    settings = sim_settings(sim, str(tmp_path))
    lake = open_lake(str(tmp_path))
    with connect(settings) as odoo:
        assert not odoo.has_model("product.brand")
        refresh(odoo, settings, lake, sim.last_day)
        every_product = odoo.search_ids("product.product", [], context=ALL)
        archived = odoo.search_ids("product.product", [("active", "=", False)], context=ALL)
        taxes = odoo.search_count("account.tax", [], context=ALL)
    products = dim(lake, "products")
    assert sorted(products["product_id"].to_list()) == every_product
    assert archived and sorted(products.filter(~pl.col("active"))["product_id"].to_list()) == archived
    assert products["brand_id"].null_count() == products.height
    assert dim(lake, "brands") is None  # no brand model: no brand table, and no error
    assert dim(lake, "taxes").height == taxes
    uoms = dim(lake, "uoms")
    assert uoms["factor"].null_count() == 0 and uoms["category_id"].null_count() == 0


def test_brands_when_the_brand_module_is_installed(tmp_path):
    with OdooSimulator(SimConfig(seed=3, lines_per_day=20, days=1, with_brand=True)).start() as branded:
        settings = sim_settings(branded, str(tmp_path))
        lake = open_lake(str(tmp_path))
        with connect(settings) as odoo:
            refresh(odoo, settings, lake, branded.last_day)
    brands = dim(lake, "brands")
    products = dim(lake, "products")
    assert brands.height > 0
    assert products["brand_id"].drop_nulls().is_in(brands["brand_id"].implode()).all()
    assert products["brand_id"].null_count() < products.height


def test_incremental_refresh_picks_up_edits_and_deletes(sim, tmp_path):
    settings = sim_settings(sim, str(tmp_path))
    lake = open_lake(str(tmp_path))
    day = sim.last_day
    with connect(settings) as odoo:
        first = refresh(odoo, settings, lake, day)
        partners = dim(lake, "partners")
        edited, deleted = partners["partner_id"].to_list()[:2]
        sim.write("res.partner", edited, {"name": "Renamed Late"})
        sim.unlink("res.partner", [deleted])
        second = refresh(odoo, settings, lake, day)
        full = refresh(odoo, settings, lake, day, full_refresh=True)
    assert second["res.partner"] < first["res.partner"]  # only what changed since the last refresh
    result = dim(lake, "partners")
    assert result.filter(pl.col("partner_id") == edited)["name"].to_list() == ["Renamed Late"]
    assert deleted not in result["partner_id"].to_list()
    assert result.height == partners.height - 1
    assert full["res.partner"] == result.height
