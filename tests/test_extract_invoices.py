"""invoice-sales and purchases end to end against the simulator: posted moves of the day only,
product lines only, credit notes and vendor refunds negative, actual_price and first tax."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from functions.extract import run_extract
from functions.transform import run_transform
from shared.lake import open_lake
from shared.odoo import connect
from shared.odoo_sim import OdooSimulator, SimConfig
from shared.schemas import FACT_INVOICE_SALES, FACT_PURCHASES
from tests.odoo_helpers import sim_settings


@pytest.fixture(scope="module")
def sim():
    with OdooSimulator(SimConfig(seed=9, lines_per_day=60, days=6)).start() as server:
        yield server


@pytest.fixture(scope="module")
def extracted(sim, tmp_path_factory):
    """Every day of the simulator extracted and transformed once for both targets."""
    root = tmp_path_factory.mktemp("lake")
    settings = sim_settings(sim, str(root), odoo_batch_size=7)
    lake = open_lake(str(root))
    days = [sim.first_day + timedelta(days=i) for i in range((sim.last_day - sim.first_day).days + 1)]
    with connect(settings) as odoo:
        # vendor refunds are rare: add the days of the last two from the bill history before first_day
        refunds = odoo.search_read_all(
            "account.move", [("move_type", "=", "in_refund"), ("state", "=", "posted")], ["invoice_date"]
        )
        days = sorted({*days, *(date.fromisoformat(r["invoice_date"]) for r in refunds[-2:])})
        for day in days:
            run_extract(settings, lake, day, ["invoice-sales", "purchases"], odoo)
            run_transform(settings, lake, day, ["invoice-sales", "purchases"])
    return lake, days


def facts(lake, spec, days) -> pl.DataFrame:
    return pl.concat([pl.from_arrow(t) for d in days if (t := lake.read_partition(spec, d)) is not None])


def odoo_lines(sim, move_types, days):
    settings = sim_settings(sim)
    with connect(settings) as odoo:
        moves = odoo.search_read_all(
            "account.move",
            [("move_type", "in", move_types), ("state", "=", "posted"),
             ("invoice_date", "in", [day.isoformat() for day in days])],
            ["move_type", "invoice_date"],
        )
        lines = odoo.search_read_all(
            "account.move.line", [("move_id", "in", [m["id"] for m in moves])],
            ["move_id", "display_type", "quantity", "price_total", "tax_ids", "actual_price"],
        )
    return {m["id"]: m for m in moves}, lines


def test_invoice_lines_are_the_product_lines_of_posted_moves_with_credit_notes_negative(sim, extracted):
    lake, days = extracted
    result = facts(lake, FACT_INVOICE_SALES, days)
    moves, lines = odoo_lines(sim, ["out_invoice", "out_refund"], days)
    product_lines = {line["id"]: line for line in lines if line["display_type"] == "product"}
    assert len(product_lines) < len(lines)  # taxes, receivables… exist and are left out
    assert sorted(result["line_id"].to_list()) == sorted(product_lines)
    by_id = {row["line_id"]: row for row in result.iter_rows(named=True)}
    refunds = [lid for lid, line in product_lines.items() if moves[line["move_id"][0]]["move_type"] == "out_refund"]
    assert refunds, "the simulator should hold credit notes"
    for lid in refunds:
        assert by_id[lid]["quantity"] == -product_lines[lid]["quantity"]
        assert by_id[lid]["revenue_tax_in"] == pytest.approx(-product_lines[lid]["price_total"])
    for lid, row in by_id.items():
        assert row["date"].isoformat() == moves[product_lines[lid]["move_id"][0]]["invoice_date"]


def test_purchase_lines_carry_actual_price_first_tax_and_negative_refunds(sim, extracted):
    lake, days = extracted
    result = facts(lake, FACT_PURCHASES, days)
    moves, lines = odoo_lines(sim, ["in_invoice", "in_refund"], days)
    product_lines = {line["id"]: line for line in lines if line["display_type"] == "product"}
    assert sorted(result["line_id"].to_list()) == sorted(product_lines)
    for row in result.iter_rows(named=True):
        line = product_lines[row["line_id"]]
        assert row["actual_price"] == pytest.approx(line["actual_price"])
        assert row["tax_id"] == (line["tax_ids"][0] if line["tax_ids"] else None)
        refund = moves[line["move_id"][0]]["move_type"] == "in_refund"
        assert row["quantity"] == (-line["quantity"] if refund else line["quantity"])
    assert result.filter(pl.col("move_type") == "in_refund").height > 0
    assert result["uom_id"].null_count() == 0


def test_an_invoice_made_for_a_pos_order_stays_in_raw_but_not_in_fact_invoice_sales(tmp_path):
    """Odoo links the invoice of an invoiced POS order through account.move.pos_order_ids; its lines
    are already in fact_sales, so counting them again would double that order's revenue."""
    from functions.extract import raw_records

    with OdooSimulator(SimConfig(seed=9, lines_per_day=60, days=3)).start() as server:
        settings = sim_settings(server, str(tmp_path))
        lake = open_lake(str(tmp_path))
        with connect(settings) as odoo:
            day = server.last_day
            invoices = odoo.search_read_all(
                "account.move",
                [("move_type", "in", ["out_invoice", "out_refund"]), ("state", "=", "posted"),
                 ("invoice_date", "=", day.isoformat())],
                ["id", "move_type"],
            )
            order = odoo.search_read_all("pos.order", [("state", "=", "invoiced")], ["id"])[0]
            from_pos = next(m["id"] for m in invoices if m["move_type"] == "out_invoice")
            server.write("account.move", from_pos, {"pos_order_ids": [order["id"]]})
            run_extract(settings, lake, day, ["invoice-sales"], odoo)
            run_transform(settings, lake, day, ["invoice-sales"])

    result = pl.from_arrow(lake.read_partition(FACT_INVOICE_SALES, day))
    assert from_pos not in result["move_id"].to_list()
    assert set(result["move_id"].to_list()) == {m["id"] for m in invoices} - {from_pos}
    assert from_pos in {r["id"] for r in raw_records(lake, "invoice_sales", day, "account.move")}
