"""Reconciliation of the lake against Odoo's server-side totals, through the library and the CLI."""

from __future__ import annotations

import pytest

from functions.cli import main
from functions.extract import run_extract
from functions.reconcile import Check, reconcile_day, summarise
from shared.dates import odoo_window
from shared.lake import open_lake
from shared.metadata import Metadata
from shared.odoo import connect
from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN, OdooSimulator, SimConfig
from tests.odoo_helpers import sim_settings

TARGETS = ["pos", "invoice-sales", "purchases"]


@pytest.fixture()
def sim():
    with OdooSimulator(SimConfig(seed=13, lines_per_day=50, days=2)).start() as server:
        yield server


@pytest.fixture()
def cli_env(sim, tmp_path, monkeypatch):
    for name, value in {
        "ODOO_HOST": "127.0.0.1", "ODOO_PORT": str(sim.port), "ODOO_DB": DEMO_DB,
        "ODOO_USERNAME": DEMO_LOGIN, "ODOO_API_KEY": DEMO_API_KEY, "DATA_LAKE_ROOT": str(tmp_path / "lake"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path / "lake"


def test_check_describes_the_difference():
    check = Check("pos", "amount_total", 105.5, 100.0, tolerance=0.01)
    assert not check.ok
    assert check.describe() == "pos amount_total: lake 105.50 vs odoo 100.00 (difference +5.50)"
    assert Check("pos", "orders", 3, 3).ok
    assert summarise([check])["differences"] == [check.describe()]


def paid_order_of(odoo, day) -> dict:
    start, end = odoo_window(day, "Asia/Jakarta")
    return odoo.search_read_all(
        "pos.order", [("state", "=", "paid"), ("date_order", ">=", start), ("date_order", "<", end)],
        ["amount_total"],
    )[0]


def test_extract_records_a_clean_reconciliation_then_edits_show_up(sim, tmp_path):
    settings = sim_settings(sim, str(tmp_path / "lake"))
    lake = open_lake(settings.data_lake_root)
    day = sim.last_day
    with connect(settings) as odoo:
        run_extract(settings, lake, day, TARGETS, odoo)
        for target in TARGETS:
            assert Metadata(lake).last_run("extract", target, day).extra["reconciliation"]["ok"] is True
        assert all(check.ok for check in reconcile_day(settings, lake, day, odoo, TARGETS))
        order = paid_order_of(odoo, day)
        sim.write("pos.order", order["id"], {"amount_total": order["amount_total"] + 5})
        bill = odoo.search_ids("account.move", [("move_type", "=", "in_invoice"), ("state", "=", "posted"),
                                                ("invoice_date", "=", day.isoformat())])[0]
        sim.write("account.move", bill, {"state": "cancel"})
        checks = reconcile_day(settings, lake, day, odoo, TARGETS)
    bad = {(c.dataset, c.measure): c for c in checks if not c.ok}
    assert bad[("pos", "amount_total")].lake - bad[("pos", "amount_total")].odoo == pytest.approx(-5)
    assert ("pos", "orders") not in bad
    assert bad[("purchases", "moves")].lake == bad[("purchases", "moves")].odoo + 1
    assert not [key for key in bad if key[0] == "invoice_sales"]


def test_cli_reconcile_exits_non_zero_naming_the_difference(sim, cli_env, capsys):
    day = sim.last_day
    assert main(["run", "--date", day.isoformat(), "--stages", "extract", "--targets", "pos"]) == 0
    capsys.readouterr()
    assert main(["reconcile", "--date", day.isoformat(), "--targets", "pos"]) == 0
    with connect(sim_settings(sim)) as odoo:
        order = paid_order_of(odoo, day)
    sim.write("pos.order", order["id"], {"amount_total": order["amount_total"] + 7})
    capsys.readouterr()
    code = main(["reconcile", "--date", day.isoformat(), "--targets", "pos"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: reconciliation differences:")
    assert "pos amount_total: lake" in err and "(difference -7.00)" in err
    assert err.count("\n") == 1


def test_cli_reconcile_shows_a_star_check_with_nothing_to_compare_as_not_checked(sim, cli_env, capsys):
    day = sim.last_day
    assert main(["run", "--date", day.isoformat(), "--stages", "extract", "--targets", "pos"]) == 0
    capsys.readouterr()
    assert main(["reconcile", "--date", day.isoformat(), "--targets", "pos"]) == 0
    star_lines = [line for line in capsys.readouterr().out.splitlines() if " fact_sales " in line]
    assert len(star_lines) == 5  # lines, quantity, revenue_tax_in, orders, amount_total
    assert all(" not checked " in line and " yes " not in line for line in star_lines)
    assert summarise([Check("fact_sales", "orders", 0, 0, note="x", checked=False)])["not_checked"] == [
        "fact_sales orders: not checked [x]"
    ]


def test_cli_odoo_check_prints_version_user_and_models(sim, cli_env, capsys):
    assert main(["odoo-check"]) == 0
    out = capsys.readouterr().out
    assert "Odoo 17.0 (jsonrpc)" in out
    assert f"{DEMO_LOGIN} (uid" in out
    assert "pos.order" in out and "account.move.line" in out
