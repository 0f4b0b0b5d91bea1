"""invoice-sales, purchases and dimensions through the real odoorpc client on a simulator with Odoo 16
field names: the same star rows as the same data on Odoo 17, and a clean reconciliation."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from functions.dimension_catalogue import DIMENSIONS, dimension_spec
from functions.extract import run_extract
from functions.reconcile import reconcile_day
from functions.transform import run_transform
from shared.lake import open_lake
from shared.metadata import Metadata
from shared.odoo import connect
from shared.odoo_sim import OdooSimulator, SimConfig
from shared.schemas import FACT_INVOICE_SALES, FACT_PURCHASES
from tests.odoo_helpers import sim_settings

TARGETS = ("invoice-sales", "purchases", "dimensions")
# Fixed days (not the clock's): the middle day, 2026-11-20, has customer credit notes on this seed.
CONFIG = dict(seed=31, lines_per_day=60, days=3, end_day=date(2026, 11, 21), purchase_history_days=5)


def run_version(version: str, root) -> dict:
    """Extract + transform the middle day on a simulator of `version`; what the tests compare."""
    with OdooSimulator(SimConfig(version=version, **CONFIG)).start() as sim:
        settings = sim_settings(sim, str(root / "lake"))
        lake = open_lake(settings.data_lake_root)
        day = sim.last_day - timedelta(days=1)
        with connect(settings) as odoo:
            extracted = run_extract(settings, lake, day, TARGETS, odoo)
            transformed = run_transform(settings, lake, day, TARGETS)
            checks = reconcile_day(settings, lake, day, odoo, ["invoice-sales", "purchases"])
            server_version = odoo.server_version
        return {
            "day": day,
            "server_version": server_version,
            "statuses": {(r.stage, r.dataset): r.status for r in extracted + transformed},
            "recorded": {t: Metadata(lake).last_run("extract", t, day).extra.get("reconciliation") for t in TARGETS},
            "checks": checks,
            "invoices": pl.from_arrow(lake.read_partition(FACT_INVOICE_SALES, day)).sort("line_id"),
            "purchases": pl.from_arrow(lake.read_partition(FACT_PURCHASES, day)).sort("line_id"),
            "dims": {dim.table: lake.read_table(dimension_spec(dim)) for dim in DIMENSIONS},
        }


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    return {version: run_version(version, tmp_path_factory.mktemp(version)) for version in ("16.0", "17.0")}


def test_every_target_succeeds_on_odoo_16(runs):
    result = runs["16.0"]
    assert str(result["server_version"]).startswith("16")
    expected = {(stage, target): "success" for stage in ("extract", "transform") for target in TARGETS}
    assert result["statuses"] == expected


def test_reconciliation_is_clean_on_odoo_16(runs):
    result = runs["16.0"]
    assert result["checks"], "no reconciliation checks ran"
    assert [check.describe() for check in result["checks"] if not check.ok] == []
    assert {t: result["recorded"][t]["ok"] for t in ("invoice-sales", "purchases")} == {
        "invoice-sales": True, "purchases": True,
    }
    # raw and star layers both checked
    assert {check.dataset for check in result["checks"] if check.checked} == {
        "invoice_sales", "purchases", "fact_invoice_sales", "fact_purchases",
    }


@pytest.mark.parametrize("table", ["invoices", "purchases"])
def test_facts_on_odoo_16_equal_odoo_17(runs, table):
    expected = runs["17.0"][table]
    result = runs["16.0"][table]
    assert expected.height > 0
    assert result.equals(expected)


def test_credit_notes_are_negative_on_odoo_16(runs):
    invoices = runs["16.0"]["invoices"]
    refunds = invoices.filter(pl.col("move_type") == "out_refund")
    assert refunds.height > 0
    assert (refunds["revenue_tax_in"] <= 0).all() and (refunds["quantity"] <= 0).all()
    assert (invoices.filter(pl.col("move_type") == "out_invoice")["quantity"] >= 0).all()


def test_dimensions_on_odoo_16_equal_odoo_17(runs):
    expected = runs["17.0"]["dims"]
    result = runs["16.0"]["dims"]
    assert set(result) == set(expected)
    missing = [name for name, table in expected.items() if table is None or table.num_rows == 0]
    assert missing == [] or set(missing) <= {"dim_brands"}
    for name, table in expected.items():
        if table is None:
            assert result[name] is None, name
        else:
            assert result[name].equals(table), name
