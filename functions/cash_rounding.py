"""Cash rounding in reconciliation: compare like with like, and report the rounding on its own line.

Odoo counts a 'rounding' line of an invoice or bill in `amount_untaxed`/`amount_total`
(account/models/account_move.py `_compute_amount`, 16-19), and Odoo 18 counts a POS order's cash
rounding in `pos.order.amount_total` when its config rounds (`cash_rounding` and not
`only_round_cash_method`; point_of_sale/models/pos_order.py `_compute_prices`). The facts hold product
lines only (revenue and cost never include rounding); the rounding is in `fact_*_cash_rounding`.

So the star checks add the lake's rounding to the facts before comparing with Odoo's document totals,
and one more check per dataset compares the lake's rounding with Odoo's own: the rounding lines' Σ
balance (invoices, bills), or Σ amount_total − Σ line totals of the day's orders (POS). What Odoo
says is fetched once by the extract run with its other figures (`*_figures` here, one read_group per
group; the POS configs' rounding steps only on a day whose totals differ from their lines) and the
checks read it from there (issue #15: the transform asks Odoo nothing). A POS residual
counts as rounding only on a config that rounds and within its rounding step: anything else (a lost
line, say) stays a difference.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from functions.checks import Aggregate, Check
from shared.lake import as_frame

if TYPE_CHECKING:
    from shared.lake import Lake
    from shared.odoo import OdooClient

CENT = 0.01


def read_rounding(lake: Lake, spec: Any, day: date) -> pl.DataFrame | None:
    table = lake.read_partition(spec, day)
    return None if table is None else as_frame(table)


def move_rounding_requests(odoo: OdooClient, day: date, move_types: list[str], exclude_pos: bool) -> list[Aggregate]:
    """The aggregates of Odoo's rounding lines of the day's posted moves (`rounding.count`,
    `rounding.balance`, raw sign), fetched by extract with the other figures; with `exclude_pos`, the
    same over the invoices made for POS orders (`pos_rounding.*`), which the facts leave out. None
    when the database has no rounding lines (no 'rounding' in the display_type selection)."""
    from functions.extract.account_moves import LINE_MODEL, MOVE_MODEL

    selection = (odoo.fields(LINE_MODEL).get("display_type") or {}).get("selection") or []
    if "rounding" not in {value for value, _label in selection}:
        return []
    domain = [
        ("display_type", "=", "rounding"), ("parent_state", "=", "posted"),
        ("invoice_date", "=", day.isoformat()), ("move_type", "in", list(move_types)),
    ]
    requests = [Aggregate(LINE_MODEL, domain, {"balance": "balance"}, "rounding")]
    if exclude_pos and "pos_order_ids" in odoo.fields(MOVE_MODEL):
        pos_domain = [*domain, ("move_id.pos_order_ids", "!=", False)]
        requests.append(Aggregate(LINE_MODEL, pos_domain, {"balance": "balance"}, "pos_rounding"))
    return requests


def move_rounding_in_odoo(figures: dict[str, float], sales: bool) -> float | None:
    """Σ of the day's posted rounding lines (without POS invoices), signed like the facts (sales:
    −balance; bills: +balance), from extract's figures (None when they have none)."""
    if "rounding.balance" not in figures:
        return None
    total = figures["rounding.balance"] - figures.get("pos_rounding.balance", 0.0)
    return -total if sales else total


def move_checks(lake: Lake, day: date, spec: Any, figures: dict[str, float], sales: bool) -> tuple[float, list[Any]]:
    """(the lake's rounding of the day, its check against Odoo's rounding lines); no check when the
    lake holds no rounding that day."""
    frame = read_rounding(lake, spec, day)
    if frame is None or frame.height == 0:
        return 0.0, []
    lake_total = round(float(frame["amount"].sum() or 0.0), 2)
    odoo_total = move_rounding_in_odoo(figures, sales)
    note = f"{frame.height} rounding line(s), kept apart from revenue"
    if odoo_total is None:
        return lake_total, [Check(spec.name, "amount", 0, 0, note=note + "; no Odoo figure recorded", checked=False)]
    check = Check(spec.name, "amount", lake_total, round(odoo_total, 2), tolerance=CENT, note=note)
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


POS_STEP = "pos_rounding_step."  # figure name prefix: config id -> its rounding step (configs that round)


def pos_rounding_figures(odoo: OdooClient, figures: dict[str, float]) -> dict[str, float]:
    """The rounding step of every POS config that rounds, fetched by extract only when the day's order
    totals differ from their lines (no calls on a day without rounding)."""
    residual = figures.get("orders.amount_total", 0.0) - figures.get("lines.price_subtotal_incl", 0.0)
    if abs(residual) <= CENT:
        return {}
    config_ids = odoo.search_ids("pos.config", [], context={"active_test": False})
    return {f"{POS_STEP}{config_id}": step for config_id, step in pos_rounding_steps(odoo, config_ids).items()}


def pos_checks(lake: Lake, day: date, figures: dict[str, float]) -> tuple[float, list[Any]]:
    """(the rounding to add to Σ revenue_tax_in, the rounding checks) from extract's figures; nothing
    when the lake holds no POS residual that day."""
    from shared.schemas import FACT_POS_CASH_ROUNDING

    name = FACT_POS_CASH_ROUNDING.name
    residuals = read_rounding(lake, FACT_POS_CASH_ROUNDING, day)
    if residuals is None or residuals.height == 0:
        return 0.0, []
    steps = {int(key[len(POS_STEP):]): value for key, value in figures.items() if key.startswith(POS_STEP)}
    valid = valid_pos_rounding(residuals, steps)
    odoo_rounding = figures["orders.amount_total"] - figures["lines.price_subtotal_incl"]
    lake_rounding = round(float(valid["amount"].sum() or 0.0), 2)
    return lake_rounding, [
        Check(name, "amount", lake_rounding, round(odoo_rounding, 2), tolerance=CENT * max(valid.height, 1),
              note="vs Σ pos.order amount_total − Σ line totals; kept apart from revenue"),
        Check(name, "orders_beyond_rounding", residuals.height - valid.height, 0,
              note="orders whose total differs from their lines by more than the config's cash rounding"),
    ]
