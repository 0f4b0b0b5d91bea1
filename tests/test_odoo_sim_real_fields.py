"""The per-version field lists (shared/odoo_sim/real_fields/*.json): the simulator serves exactly them
over HTTP (real odoorpc client), and every extractor's required fields exist on every version."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from functions.cli.odoo_check import needed_fields
from shared.odoo import connect
from shared.odoo_sim import OdooSimulator, SimConfig
from tests.odoo_helpers import sim_settings

VERSIONS = ("16.0", "17.0", "18.0", "19.0")


def real_fields(version: str) -> dict:
    text = resources.files("shared.odoo_sim").joinpath("real_fields", f"{version}.json").read_text("utf-8")
    return json.loads(text)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_required_field_of_the_extractors_exists_on_every_version(version):
    models = real_fields(version)["models"]
    missing = []
    for model, (required, _optional) in needed_fields().items():
        served = set(models[model]["fields"]) | {"id"}
        missing += [f"{model}.{name}" for name in sorted(required) if not set(name.split("|")) & served]
    assert missing == []


@pytest.mark.parametrize("version", VERSIONS)
def test_the_simulator_serves_exactly_the_listed_fields(tmp_path, version):
    models = real_fields(version)["models"]
    with OdooSimulator(SimConfig(lines_per_day=10, days=1, version=version)).start() as sim:
        odoo = connect(sim_settings(sim, str(tmp_path / "lake")))
        try:
            served = {model: odoo.fields(model) for model in models}
        finally:
            odoo.close()
    wrong = []
    for model, entry in models.items():
        for name, expected in entry["fields"].items():
            got = served[model].get(name)
            if got is None:
                wrong.append(f"{model}.{name}: not served")
                continue
            result = {"type": got["type"], "store": got["store"]}
            if "relation" in expected:
                result["relation"] = got.get("relation")
            if "selection" in expected:
                result["selection"] = [value for value, _label in got.get("selection") or []]
            if result != expected:
                wrong.append(f"{model}.{name}: {result} != {expected}")
        for name in (*entry["absent"], *entry["not_simulated"], *entry["module_fields"]):
            if name in served[model]:
                wrong.append(f"{model}.{name}: served but listed as not on {version}")
    assert wrong == []


def test_the_version_differences_the_pipeline_chooses_by_are_in_the_lists():
    lists = {v: real_fields(v)["models"] for v in VERSIONS}
    sml = {v: set(m["stock.move.line"]["fields"]) for v, m in lists.items()}
    assert ("qty_done" in sml["16.0"], "quantity" in sml["16.0"]) == (True, False)
    assert all("quantity" in sml[v] and "qty_done" not in sml[v] for v in ("17.0", "18.0", "19.0"))
    storable = {v: "is_storable" in m["product.product"]["fields"] for v, m in lists.items()}
    assert storable == {"16.0": False, "17.0": False, "18.0": True, "19.0": True}
    assert ["uom_type" in lists[v]["uom.uom"]["fields"] for v in VERSIONS] == [True, True, True, False]
    assert ["combo_parent_id" in lists[v]["pos.order.line"]["fields"] for v in VERSIONS] == [False, True, True, True]
    for version in VERSIONS:
        line = lists[version]["account.move.line"]["fields"]
        assert "rounding" in line["display_type"]["selection"]
        assert line["move_type"]["store"] is False
        assert lists[version]["pos.order.line"]["fields"]["tax_ids_after_fiscal_position"]["store"] is False
    assert lists["18.0"]["account.move.line"]["checked"]["commit"] == "002e5a75de630f63c832784462a0dd95c9d3e809"


def test_stored_flags_and_types_the_real_sources_give():
    """Read in 17/18 stock_move_line.py, product_product.py and 18 res_users.py: related/computed
    fields without store and fields delegated through _inherits are reported store false."""
    for version in VERSIONS:
        models = real_fields(version)["models"]
        sml = models["stock.move.line"]["fields"]
        assert (sml["picking_code"]["store"], sml["picking_type_id"]["store"], sml["lot_name"]["store"]) == (
            False, False, True)
        product = models["product.product"]["fields"]
        assert {name for name in ("name", "categ_id", "uom_id", "type") if product[name]["store"]} == set()
        assert (product["default_code"]["store"], product["product_tmpl_id"]["store"]) == (True, True)
        assert product["standard_price"]["store"] is (version in ("18.0", "19.0"))
        assert models["res.users"]["fields"]["name"]["store"] is False
    types = {version: (real_fields(version)["models"]["account.move.line"]["fields"]["balance"]["type"],
                       real_fields(version)["models"]["pos.order"]["fields"]["amount_total"]["type"])
             for version in VERSIONS}
    assert types == {"16.0": ("monetary", "float"), "17.0": ("monetary", "float"),
                     "18.0": ("monetary", "monetary"), "19.0": ("monetary", "monetary")}
    assert "combo" in real_fields("17.0")["models"]["product.product"]["fields"]["type"]["selection"]
    assert "combo" not in real_fields("16.0")["models"]["product.product"]["fields"]["type"]["selection"]


@pytest.mark.parametrize("version", ["16.0", "18.0"])
def test_currencies_templates_and_lot_names_reach_the_lake(tmp_path, version):
    """The real fields the simulator now serves travel through the extractors over HTTP: each move and
    line carries the company's currency (so no amount is rescaled), a product its template, a receipt
    line the lot name it was received under; a delegated field still sorts (Odoo sorts it through
    the parent's table)."""
    from datetime import date

    import polars as pl

    from functions.dimension_catalogue import DIMENSIONS_BY_NAME, dimension_spec
    from functions.extract import run_extract
    from functions.transform import run_transform
    from functions.transform.inventory_moves import CLEAN_MOVE_LINES
    from functions.transform.invoice_sales import CLEAN_LINES
    from shared.lake import open_lake
    from shared.odoo_sim import catalog as C

    day = date(2026, 11, 19)
    config = SimConfig(seed=4, lines_per_day=60, days=1, end_day=day, version=version)  # seed 4: a lot received that day
    with OdooSimulator(config).start() as sim:
        settings = sim_settings(sim, str(tmp_path / "lake"))
        lake = open_lake(settings.data_lake_root)
        odoo = connect(settings)
        try:
            by_name = odoo.execute("product.product", "search_read", domain=[], fields=["name"],
                                   order="name desc, id", limit=3)
            for target in ("dimensions", "invoice-sales", "inventory-moves"):
                run_extract(settings, lake, day, [target], odoo)
                run_transform(settings, lake, day, [target])
        finally:
            odoo.close()
        received = [line for line in sim.records("stock.move.line", day)
                    if line["picking_code"] == "incoming" and line["lot_id"]]
    assert [p["name"] for p in by_name] == sorted((p["name"] for p in by_name), reverse=True)
    companies = pl.from_arrow(lake.read_table(dimension_spec(DIMENSIONS_BY_NAME["companies"])))
    assert companies.select("company_id", "currency_id").rows() == [(C.COMPANY_ID, C.IDR_CURRENCY_ID)]
    products = pl.from_arrow(lake.read_table(dimension_spec(DIMENSIONS_BY_NAME["products"])))
    assert (products["product_tmpl_id"] == products["product_id"]).all()
    lines = pl.from_arrow(lake.read_partition(CLEAN_LINES, day))
    assert lines.height > 0
    assert set(lines["currency_id"].to_list()) == set(lines["company_currency_id"].to_list()) == {
        C.IDR_CURRENCY_ID}
    moves = pl.from_arrow(lake.read_partition(CLEAN_MOVE_LINES, day))
    named = moves.filter(pl.col("lot_name").is_not_null())
    assert received and set(named["move_line_id"].to_list()) == {line["id"] for line in received}
