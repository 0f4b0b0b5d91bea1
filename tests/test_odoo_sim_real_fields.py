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
