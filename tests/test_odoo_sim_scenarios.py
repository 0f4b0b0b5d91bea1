"""Real-Odoo situations the default synthetic data never produces (issue #14), each switched on as a
simulator scenario and run through the real odoorpc client over HTTP: the pipeline's answer is the one
Odoo itself gives. The rules and their Odoo sources are in docs/extraction.md ("Real Odoo ...")."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from functions.extract import run_extract
from functions.transform import run_transform
from shared import clock
from shared.lake import open_lake
from shared.odoo import connect
from shared.odoo_sim import OdooSimulator, SimConfig
from shared.odoo_sim import catalog as C
from shared.schemas import FACT_INVENTORY_MOVES, FACT_SALES, FACT_STOCK_QUANTS
from tests.odoo_helpers import sim_settings

END_DAY = date(2026, 11, 19)
# 10:00 in Jakarta on the day after the simulator's last day
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def simulator(version: str = "17.0", **changes) -> OdooSimulator:
    values = dict(seed=11, lines_per_day=120, days=4, end_day=END_DAY, version=version)
    values.update(changes)
    return OdooSimulator(SimConfig(**values)).start()


def run_days(sim, tmp_path, days, targets, **settings_changes):
    settings = sim_settings(sim, str(tmp_path / "lake"), **settings_changes)
    lake = open_lake(settings.data_lake_root)
    odoo = connect(settings)
    try:
        for day in days:
            run_extract(settings, lake, day, targets, odoo)
            run_transform(settings, lake, day, targets)
    finally:
        odoo.close()
    return settings, lake


def star(lake, spec, day) -> pl.DataFrame:
    return pl.from_arrow(lake.read_partition(spec, day))


# ---------------------------------------------------------------- 1. consumables in past quant snapshots


@pytest.mark.parametrize("version", ["16.0", "17.0", "18.0", "19.0"])
def test_a_past_stock_snapshot_has_no_stock_of_a_consumable(tmp_path, version):
    consumable = next(p.id for p in C.build_products(11, ("consumables",)) if p.kind == "consu")
    past = date(2026, 11, 17)
    with clock.frozen(NOW), simulator(version, scenarios=("consumables",)) as sim:
        later_days = [date(2026, 11, 18), date(2026, 11, 19)]
        _, lake = run_days(sim, tmp_path, [past, *later_days], ("inventory-moves", "stock-quants"))
        # Odoo does move consumables (done move lines after the day exist) ...
        moved = pl.concat([star(lake, FACT_INVENTORY_MOVES, d) for d in later_days])
        assert moved.filter(pl.col("product_id") == consumable).height > 0
        # ... but keeps no quant of them, today or on any past day
        past_stock = star(lake, FACT_STOCK_QUANTS, past)
    assert past_stock.filter(pl.col("reconstructed")).height == past_stock.height > 0
    result = past_stock.filter(pl.col("product_id") == consumable).height
    expected = 0
    assert result == expected
    storable = {p.id for p in C.build_products(11, ("consumables",)) if p.kind == "product"}
    assert set(past_stock["product_id"].to_list()) <= storable


# ---------------------------------------------------------------- 2. POS taxes after the fiscal position


@pytest.mark.parametrize("version", ["16.0", "18.0"])
def test_fact_sales_tax_ids_are_the_taxes_charged_after_the_fiscal_position(tmp_path, version):
    with simulator(version, scenarios=("fiscal_position",)) as sim:
        _, lake = run_days(sim, tmp_path, [END_DAY], ("pos",))
        odoo_lines = {line["id"]: line for line in sim.records("pos.order.line", END_DAY)}
        facts = star(lake, FACT_SALES, END_DAY)
    mapped = [lid for lid, line in odoo_lines.items() if line["tax_ids"] != line["tax_ids_after_fiscal_position"]]
    assert mapped, "the scenario maps some lines' taxes"
    result = {lid: taxes for lid, taxes in facts.select("line_id", "tax_ids").rows()}
    expected = {lid: odoo_lines[lid]["tax_ids_after_fiscal_position"] for lid in result}
    assert result == expected
    assert all(result[lid] == [3] for lid in mapped if lid in result)


# ---------------------------------------------------------------- 5. cash rounding: reconcile like with like


def cli_env_for(sim, lake_root, monkeypatch) -> None:
    from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN

    for name, value in {
        "ODOO_HOST": "127.0.0.1", "ODOO_PORT": str(sim.port), "ODOO_DB": DEMO_DB,
        "ODOO_USERNAME": DEMO_LOGIN, "ODOO_API_KEY": DEMO_API_KEY, "DATA_LAKE_ROOT": str(lake_root),
    }.items():
        monkeypatch.setenv(name, value)


def billed_day(sim) -> date:
    """The latest day of the span with a posted vendor bill and a posted invoice (bills come on about
    60% of days)."""
    from datetime import timedelta

    days = [END_DAY - timedelta(days=k) for k in range(8)]
    return next(d for d in days if {"in_invoice", "out_invoice"} <= {
        m["move_type"] for m in sim.records("account.move", d) if m["state"] == "posted"})


def test_a_cash_rounded_day_reconciles_clean_with_the_rounding_reported_apart(tmp_path, monkeypatch, capsys):
    from functions.cli import main
    from functions.reconcile import reconcile_day
    from shared.schemas import FACT_INVOICE_CASH_ROUNDING, FACT_POS_CASH_ROUNDING, FACT_PURCHASE_CASH_ROUNDING

    targets = ("pos", "invoice-sales", "purchases")
    with simulator("18.0", scenarios=("cash_rounding",), days=8) as sim:
        day = billed_day(sim)
        settings, lake = run_days(sim, tmp_path, [day], targets)
        rounding = {spec.name: star(lake, spec, day) for spec in
                    (FACT_POS_CASH_ROUNDING, FACT_INVOICE_CASH_ROUNDING, FACT_PURCHASE_CASH_ROUNDING)}
        odoo = connect(settings)
        try:
            checks = reconcile_day(settings, lake, day, odoo, list(targets))
        finally:
            odoo.close()
        cli_env_for(sim, tmp_path / "lake", monkeypatch)
        monkeypatch.chdir(tmp_path)
        code = main(["reconcile", "--date", day.isoformat(), "--targets", ",".join(targets)])
    out = capsys.readouterr().out
    # the day really is rounded: more than the per-document tolerance on every source
    for name, frame in rounding.items():
        assert frame["amount"].abs().sum() > 0.5, name
    # revenue and cost stay product lines only
    assert rounding["fact_pos_cash_rounding"]["config_id"].unique().to_list() == [1]
    differences = [check.describe() for check in checks if not check.ok]
    assert differences == []
    measured = {(check.dataset, check.measure) for check in checks}
    assert {("fact_pos_cash_rounding", "amount"), ("fact_invoice_cash_rounding", "amount"),
            ("fact_purchase_cash_rounding", "amount")} <= measured
    assert code == 0
    assert "fact_invoice_cash_rounding" in out and "kept apart from revenue" in out


def test_a_pos_total_beyond_its_lines_is_not_taken_for_cash_rounding(tmp_path):
    from functions.reconcile import reconcile_day

    with simulator("18.0", scenarios=("cash_rounding",), days=2) as sim:
        # an order whose total exceeds its lines by far more than the config's Rp 100 (say, a line the
        # lake never got): that residual is no cash rounding
        order = next(o for o in sim.records("pos.order", END_DAY) if o["state"] == "done" and o["config_id"] == 1)
        sim.write("pos.order", order["id"], {"amount_total": order["amount_total"] + 25_000.0})
        settings, lake = run_days(sim, tmp_path, [END_DAY], ("pos",))
        odoo = connect(settings)
        try:
            checks = {(c.dataset, c.measure): c for c in reconcile_day(settings, lake, END_DAY, odoo, ["pos"])}
        finally:
            odoo.close()
    beyond = checks[("fact_pos_cash_rounding", "orders_beyond_rounding")]
    assert (beyond.lake, beyond.ok) == (1, False)
    # the lines themselves still match Odoo's lines; against the orders' totals the whole residual stays
    # a difference (the 25,000 and that order's own rounding of at most Rp 50)
    assert checks[("fact_sales", "revenue_tax_in")].ok
    total = checks[("fact_sales", "amount_total")]
    assert not total.ok and abs(total.odoo - total.lake - 25_000.0) <= 50.0


def test_on_17_pos_cash_rounding_lives_in_the_payments_only(tmp_path):
    """17's pos.order.amount_total is tax + untaxed (pos_order.py _onchange_amount_all); the rounding
    is in what was paid (_get_rounded_amount). So the lake holds no POS rounding, revenue equals Odoo's
    totals, and the payments carry the rounded cash."""
    from functions.reconcile import reconcile_day
    from shared.schemas import FACT_POS_CASH_ROUNDING, FACT_POS_PAYMENTS

    with simulator("17.0", scenarios=("cash_rounding",), days=1) as sim:
        orders = [o for o in sim.records("pos.order", END_DAY) if o["state"] in ("paid", "done", "invoiced")]
        settings, lake = run_days(sim, tmp_path, [END_DAY], ("pos",))
        odoo = connect(settings)
        try:
            checks = reconcile_day(settings, lake, END_DAY, odoo, ["pos"])
        finally:
            odoo.close()
    shop1 = [o for o in orders if o["config_id"] == 1]
    rounded = [o for o in shop1 if o["amount_paid"] != o["amount_total"]]
    assert rounded and all(abs(o["amount_paid"] - o["amount_total"]) <= 50.0 for o in rounded)
    assert all(o["amount_paid"] % C.CASH_ROUNDING_STEP == 0 for o in shop1)
    assert all(o["amount_paid"] == o["amount_total"] for o in orders if o["config_id"] != 1)
    assert star(lake, FACT_POS_CASH_ROUNDING, END_DAY).height == 0
    facts = star(lake, FACT_SALES, END_DAY)
    assert facts["revenue_tax_in"].sum() == pytest.approx(sum(o["amount_total"] for o in orders))
    payments = star(lake, FACT_POS_PAYMENTS, END_DAY)
    assert payments["amount"].sum() == pytest.approx(sum(o["amount_paid"] for o in orders))
    assert [c.describe() for c in checks if not c.ok] == []


# ---------------------------------------------------------------- 6. several taxes on a bill line


def test_the_cost_multiplier_tax_is_the_first_mapped_one_and_withholding_never_decides(tmp_path):
    from functions.profit.stage import run_profit
    from functions.profit.validate import validate_day
    from shared.schemas import FACT_PRODUCT_COST_EVENTS, FACT_PURCHASES

    with simulator("17.0", scenarios=("purchase_taxes",), days=8) as sim:
        day = billed_day(sim)
        settings, lake = run_days(sim, tmp_path, [day], ("pos", "purchases"))
        odoo_lines = {line["id"]: line for line in sim.records("account.move.line", day)}
    facts = star(lake, FACT_PURCHASES, day)
    taxes = {lid: odoo_lines[lid]["tax_ids"] for lid in facts["line_id"].to_list()}
    assert any(t[:1] == [C.WITHHOLDING_TAX] for t in taxes.values()), "PPh listed first on some line"
    assert any(t == [5, 6] for t in taxes.values()), "two mapped taxes that disagree on some line"
    mapped = settings.tax_multipliers
    plain = [[t for t in ts if t != C.WITHHOLDING_TAX] for ts in taxes.values()]
    expected = {
        lid: (next((t for t in kept if t in mapped), kept[0] if kept else None), ts == [5, 6])
        for (lid, ts), kept in zip(taxes.items(), plain, strict=True)
    }
    result = {lid: (tax, conflict) for lid, tax, conflict in facts.select("line_id", "tax_id", "tax_conflict").rows()}
    assert result == expected
    run_profit(settings, lake, day)
    events = star(lake, FACT_PRODUCT_COST_EVENTS, day)
    withheld = [lid for lid, ts in taxes.items() if ts == [C.WITHHOLDING_TAX, 6]]
    multipliers = dict(events.filter(pl.col("line_id").is_in(withheld)).select("line_id", "tax_multiplier").rows())
    assert multipliers and set(multipliers.values()) == {mapped[6]}
    findings = {check.name: check for check in validate_day(settings, lake, day)}
    conflicts = findings["tax_conflicts"]
    assert conflicts.warning and conflicts.checked == sum(1 for ts in taxes.values() if ts == [5, 6])


def test_a_withholding_only_line_has_no_multiplier_tax_and_unknown_taxes_fall_back_to_the_first():
    from functions.transform.account_moves import purchase_tax_choice

    lines = pl.DataFrame(
        {"line_id": [1, 2, 3, 4, 5], "tax_ids": [[9], [9, 8], [], [8, 6], [12, 7]]},
        schema={"line_id": pl.Int64, "tax_ids": pl.List(pl.Int64)},
    )
    taxes = pl.DataFrame({"tax_id": [6, 8, 9], "amount": [11.0, 12.0, -1.5]})
    result = purchase_tax_choice(lines, taxes, {6: 1.11, 7: 1.11, 9: 1.0}).sort("line_id").rows()
    expected = [(1, None, False), (2, 8, False), (3, None, False), (4, 6, False), (5, 7, False)]
    assert result == expected


# ---------------------------------------------------------------- 4. the cost field's real name


@pytest.mark.parametrize("field", ["actual_price", "x_actual_price", "x_studio_actual_price_net"])
def test_the_cost_field_is_detected_by_its_real_name(tmp_path, field, capsys, monkeypatch):
    from functions.cli import main
    from shared.schemas import FACT_PURCHASES

    with simulator("17.0", cost_field=field, days=8) as sim:
        day = billed_day(sim)
        _, lake = run_days(sim, tmp_path, [day], ("purchases",))
        odoo_lines = {line["id"]: line for line in sim.records("account.move.line", day)}
        cli_env_for(sim, tmp_path / "lake", monkeypatch)
        monkeypatch.chdir(tmp_path)
        assert main(["odoo-check"]) == 0
    facts = star(lake, FACT_PURCHASES, day)
    expected = {lid: odoo_lines[lid][field] for lid in facts["line_id"].to_list()}
    result = dict(facts.select("line_id", "actual_price").rows())
    assert result == expected
    assert set(facts["cost_source"].to_list()) == {field}
    assert f"cost     account.move.line.{field} (detected)" in capsys.readouterr().out


def test_a_configured_cost_field_wins_and_a_wrong_one_is_one_clear_error(tmp_path):
    from shared.errors import InputError
    from shared.schemas import FACT_PURCHASES

    with simulator("17.0", cost_field="x_studio_harga_modal", days=8) as sim:
        day = billed_day(sim)
        _, lake = run_days(sim, tmp_path, [day], ("purchases",), odoo_cost_field="x_studio_harga_modal")
        assert set(star(lake, FACT_PURCHASES, day)["cost_source"].to_list()) == {"x_studio_harga_modal"}
        with pytest.raises(InputError, match="ODOO_COST_FIELD=x_harga: account.move.line has no field 'x_harga'"):
            run_days(sim, tmp_path / "other", [day], ("purchases",), odoo_cost_field="x_harga")


def test_a_missing_cost_field_is_a_warning_on_every_profit_run_in_validate_profit_health_and_status(tmp_path):
    from functions.health import freshness
    from functions.profit.stage import run_profit
    from functions.profit.validate import validate_day
    from functions.sheets.status_sheet import run_row
    from shared.metadata import Metadata
    from shared.schemas import FACT_PURCHASES

    with clock.frozen(NOW), simulator("17.0", cost_field=None, days=8) as sim:
        day = billed_day(sim)
        settings, lake = run_days(sim, tmp_path, [day, END_DAY], ("pos", "purchases"))
        facts = star(lake, FACT_PURCHASES, day)
        results = [run_profit(settings, lake, d) for d in (day, END_DAY)]
        checks = {check.name: check for check in validate_day(settings, lake, END_DAY)}
        report = freshness(settings, lake)
        profit_run = max(Metadata(lake).runs("profit"), key=lambda r: r.date)
    assert set(facts["cost_source"].to_list()) == {"price_after_discount"}
    for result in results:
        assert result.message.startswith("WARNING no cost field on account.move.line")
    assert checks["cost_field"].warning and checks["cost_field"].checked > 0
    assert "set ODOO_COST_FIELD" in checks["cost_field"].note
    assert any("no cost field" in w for w in report["datasets"]["profit"]["warnings"])
    errors_cell = run_row(profit_run, settings.tz)[8]["userEnteredValue"]["stringValue"]
    assert errors_cell.startswith("PERINGATAN: no cost field")


# ---------------------------------------------------------------- 3. changes committed late


@pytest.mark.parametrize(("overlap_s", "seen"), [(600, True), (1, False)])
def test_a_change_committed_late_is_picked_up_within_the_write_overlap(tmp_path, overlap_s, seen):
    from datetime import timedelta

    from shared.schemas import DIM_PRODUCTS

    with clock.frozen(NOW), simulator("17.0", days=1) as sim:
        settings = sim_settings(sim, str(tmp_path / "lake"), odoo_write_overlap_s=overlap_s)
        lake = open_lake(settings.data_lake_root)
        sim.write("product.product", 1, {"list_price": 1111.0})  # the newest stamp: now
        run_days(sim, tmp_path, [END_DAY], ("dimensions",), odoo_write_overlap_s=overlap_s)
        # a long transaction (an import) began 5 minutes ago and commits only now: Odoo stamps its rows
        # with the transaction's start, older than the newest write_date the lake already holds
        sim.write("product.product", 2, {"list_price": 2222.0}, stamped_at=NOW - timedelta(minutes=5))
        run_days(sim, tmp_path, [END_DAY], ("dimensions",), odoo_write_overlap_s=overlap_s)
        products = pl.from_arrow(lake.read_table(DIM_PRODUCTS))
    prices = dict(products.select("product_id", "list_price").rows())
    assert prices[1] == 1111.0
    assert (prices[2] == 2222.0) is seen


def test_the_write_overlap_setting_is_read_from_the_environment():
    from shared.config import load_settings
    from shared.errors import ConfigError

    assert load_settings(environ={}, env_file=None).odoo_write_overlap_s == 600
    assert load_settings(environ={"ODOO_WRITE_OVERLAP_SECONDS": "1800"}, env_file=None).odoo_write_overlap_s == 1800
    with pytest.raises(ConfigError, match="ODOO_WRITE_OVERLAP_SECONDS"):
        load_settings(environ={"ODOO_WRITE_OVERLAP_SECONDS": "-5"}, env_file=None)
    with pytest.raises(ConfigError, match="ODOO_COST_FIELD"):
        load_settings(environ={"ODOO_COST_FIELD": "Harga Modal"}, env_file=None)


# ---------------------------------------------------------------- 8. several companies


def test_several_visible_companies_stop_with_one_clear_error_and_nothing_written(tmp_path):
    from functions.extract import raw_spec
    from shared.errors import ConfigError

    with simulator("17.0", scenarios=("multi_company",), days=1) as sim:
        settings = sim_settings(sim, str(tmp_path / "lake"))
        lake = open_lake(settings.data_lake_root)
        with connect(settings) as odoo, pytest.raises(
            ConfigError, match=r"may see 2 companies \(1 New Khatulistiwa, 2 NK Singapore Pte Ltd\).*ODOO_COMPANY_ID"
        ):
            run_extract(settings, lake, END_DAY, ("pos",), odoo)
    assert lake.read_partition(raw_spec("pos"), END_DAY) is None


def test_odoo_company_id_extracts_that_company_only_and_reconciles(tmp_path):
    from functions.reconcile import reconcile_day

    with simulator("17.0", scenarios=("multi_company",), days=1) as sim:
        both = sim.records("pos.order", END_DAY)
        settings, lake = run_days(sim, tmp_path, [END_DAY], ("pos",), odoo_company_id=1)
        with connect(settings) as odoo:
            checks = reconcile_day(settings, lake, END_DAY, odoo, ["pos"])
    assert {o["company_id"] for o in both} == {1, 2}
    facts = star(lake, FACT_SALES, END_DAY)
    expected = {o["id"] for o in both if o["company_id"] == 1 and o["state"] in ("paid", "done", "invoiced")}
    assert set(facts["order_id"].to_list()) == expected
    assert set(facts["company_id"].to_list()) == {1}
    assert [c.describe() for c in checks if not c.ok] == []


# ---------------------------------------------------------------- 7. combo lines (Odoo 17+)


@pytest.mark.parametrize("version", ["17.0", "18.0"])
def test_a_combo_counts_its_items_once_and_keeps_its_revenue(tmp_path, version):
    from functions.profit.stage import run_profit
    from functions.reconcile import reconcile_day
    from shared.schemas import AGG_PROFIT_DAILY

    with simulator(version, scenarios=("combo",), days=1) as sim:
        settings, lake = run_days(sim, tmp_path, [END_DAY], ("pos",))
        kept = {o["id"] for o in sim.records("pos.order", END_DAY) if o["state"] in ("paid", "done", "invoiced")}
        odoo_lines = [line for line in sim.records("pos.order.line", END_DAY) if line["order_id"] in kept]
        with connect(settings) as odoo:
            checks = reconcile_day(settings, lake, END_DAY, odoo, ["pos"])
        run_profit(settings, lake, END_DAY)
    parents = {line["id"] for line in odoo_lines if line.get("combo_line_ids")}
    items = {line["id"] for line in odoo_lines if line.get("combo_parent_id")}
    assert parents and items
    facts = star(lake, FACT_SALES, END_DAY)
    assert set(facts["line_id"].to_list()) == {line["id"] for line in odoo_lines} - parents
    assert set(facts.filter(pl.col("combo_parent_id").is_not_null())["line_id"].to_list()) == items
    expected_quantity = sum(line["qty"] for line in odoo_lines if line["id"] not in parents)
    daily = star(lake, AGG_PROFIT_DAILY, END_DAY)
    assert daily["quantity"].sum() == pytest.approx(expected_quantity)
    assert [c.describe() for c in checks if not c.ok] == []
