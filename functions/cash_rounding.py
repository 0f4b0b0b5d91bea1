"""Cash rounding in reconciliation: compare like with like, and report the rounding on its own line.

Odoo counts a 'rounding' line of an invoice or bill in `amount_untaxed`/`amount_total`
(account/models/account_move.py `_compute_amount`, 16-19), and Odoo 18 counts a POS order's cash
rounding in `pos.order.amount_total` when its config rounds (`cash_rounding` and not
`only_round_cash_method`; point_of_sale/models/pos_order.py `_compute_prices`). The facts hold product
lines only (revenue and cost never include rounding); the rounding is in `fact_*_cash_rounding`.

So the star checks add the lake's rounding to the facts before comparing with Odoo's document totals,
and one more check per dataset compares the lake's rounding with Odoo's own: the rounding lines' Σ
balance (invoices, bills), or Σ amount_total − Σ line totals of the day's orders (POS). A POS residual
counts as rounding only on a config that rounds and within its rounding step: anything else (a lost
line, say) stays a difference.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from functions.checks import Check, group_totals
from shared.lake import as_frame

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

CENT = 0.01


def read_rounding(lake: Lake, spec: Any, day: date) -> pl.DataFrame | None:
    table = lake.read_partition(spec, day)
    return None if table is None else as_frame(table)


def move_rounding_in_odoo(odoo: OdooClient, day: date, move_types: list[str], sales: bool, exclude_pos: bool) -> float:
    """Σ of the day's posted rounding lines, signed like the facts (sales: −balance; bills: +balance)."""
    from functions.extract.account_moves import LINE_MODEL, MOVE_MODEL

    domain: list[tuple[str, str, Any]] = [
        ("display_type", "=", "rounding"), ("parent_state", "=", "posted"),
        ("invoice_date", "=", day.isoformat()), ("move_type", "in", list(move_types)),
    ]
    if exclude_pos and "pos_order_ids" in odoo.fields(MOVE_MODEL):
        domain.append(("move_id.pos_order_ids", "=", False))
    groups = odoo.read_group(LINE_MODEL, domain, ["balance:sum"], ["parent_state"])
    total = sum(float(g.get("balance") or 0.0) for g in groups)
    return -total if sales else total


def move_checks(
    odoo: OdooClient, lake: Lake, day: date, spec: Any, move_types: list[str], sales: bool, exclude_pos: bool
) -> tuple[float, list[Any]]:
    """(the lake's rounding of the day, its check against Odoo's rounding lines); no check and no call
    when the lake holds no rounding that day."""

    frame = read_rounding(lake, spec, day)
    if frame is None or frame.height == 0:
        return 0.0, []
    lake_total = round(float(frame["amount"].sum() or 0.0), 2)
    odoo_total = round(move_rounding_in_odoo(odoo, day, move_types, sales, exclude_pos), 2)
    check = Check(spec.name, "amount", lake_total, odoo_total, tolerance=CENT,
                  note=f"{frame.height} rounding line(s), kept apart from revenue")
    return lake_total, [check]


def pos_rounding_steps(odoo: OdooClient, config_ids: list[int]) -> dict[int, float]:
    """config id -> the rounding step whose residuals Odoo puts in amount_total (configs that round)."""
    configs = odoo.search_read_all(
        "pos.config", [("id", "in", config_ids)], ["id", "cash_rounding", "only_round_cash_method", "rounding_method"],
        context={"active_test": False},
    )
    methods = {}
    rounding_ids = sorted({c["rounding_method"][0] for c in configs if c.get("rounding_method")})
    if rounding_ids:
        methods = {
            r["id"]: float(r.get("rounding") or 0.0)
            for r in odoo.search_read_all("account.cash.rounding", [("id", "in", rounding_ids)], ["id", "rounding"])
        }
    return {
        c["id"]: methods.get(c["rounding_method"][0], 0.0)
        for c in configs
        if c.get("cash_rounding") and not c.get("only_round_cash_method") and c.get("rounding_method")
    }


def valid_pos_rounding(residuals: pl.DataFrame, steps: dict[int, float]) -> pl.DataFrame:
    """The residuals that are cash rounding: on a config that rounds, at most one step (and a cent)."""
    frame = pl.DataFrame(
        {"config_id": list(steps), "step": list(steps.values())}, schema={"config_id": pl.Int64, "step": pl.Float64}
    )
    joined = residuals.join(frame, on="config_id", how="left")
    return joined.filter(pl.col("step").is_not_null() & (pl.col("amount").abs() <= pl.col("step") + CENT))


def pos_checks(odoo: OdooClient, settings: Settings, lake: Lake, day: date, odoo_total: float) -> tuple[float, list[Any]]:
    """(the rounding to add to Σ revenue_tax_in, the rounding checks); nothing when the lake holds no
    POS residual that day."""
    from functions.extract import pos
    from shared.schemas import FACT_POS_CASH_ROUNDING

    name = FACT_POS_CASH_ROUNDING.name
    residuals = read_rounding(lake, FACT_POS_CASH_ROUNDING, day)
    if residuals is None or residuals.height == 0:
        return 0.0, []
    config_ids = sorted({int(c) for c in residuals["config_id"].drop_nulls().to_list()})
    valid = valid_pos_rounding(residuals, pos_rounding_steps(odoo, config_ids) if config_ids else {})
    lines = odoo.read_group(
        pos.LINE_MODEL,
        [("order_id." + field, op, value) for field, op, value in pos.order_domain(day, settings.business_tz)],
        ["price_subtotal_incl:sum"], ["company_id"],
    )
    _count, odoo_lines = group_totals(lines, "price_subtotal_incl")
    lake_rounding = round(float(valid["amount"].sum() or 0.0), 2)
    return lake_rounding, [
        Check(name, "amount", lake_rounding, round(odoo_total - odoo_lines, 2), tolerance=CENT * max(valid.height, 1),
              note="vs Σ pos.order amount_total − Σ line totals; kept apart from revenue"),
        Check(name, "orders_beyond_rounding", residuals.height - valid.height, 0,
              note="orders whose total differs from their lines by more than the config's cash rounding"),
    ]
