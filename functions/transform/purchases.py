"""purchases: raw vendor bills/refunds → clean moves and lines → `fact_purchases` (and the bills' cash
rounding → `fact_purchase_cash_rounding`).

`actual_price` is read from the cost field the extractor found (`_cost_field` in the raw partition);
`tax_id` is the tax that decides the cost multiplier (account_moves.purchase_tax_choice), from the
line's taxes and their amounts (`account.tax` in the raw partition: a negative one is withholding).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from functions.odoo_records import records_frame
from functions.transform.account_moves import (
    LINE_SCHEMA,
    MOVE_SCHEMA,
    TAX_COLUMNS,
    cost_field_of,
    star_purchases,
    transform_moves,
)
from functions.transform.frames import clean_spec
from shared.log import get_logger
from shared.schemas import FACT_PURCHASE_CASH_ROUNDING, FACT_PURCHASES

log = get_logger(__name__)

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake

DATASET = "purchases"
CLEAN_MOVES = clean_spec("purchase_moves", MOVE_SCHEMA)
CLEAN_LINES = clean_spec("purchase_lines", LINE_SCHEMA)


def to_star(settings: Settings, day: date) -> Any:
    multipliers = {int(k): float(v) for k, v in settings.tax_multipliers.items()}

    def build(lines: pl.DataFrame, moves: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
        cost_field, _recorded = cost_field_of(raw)
        facts = star_purchases(lines, records_frame(raw, "account.tax", TAX_COLUMNS), multipliers, cost_field)
        conflicts = facts.filter(pl.col("tax_conflict"))
        if conflicts.height:
            log.warning(
                "purchases %s: %d bill line(s) carry mapped taxes whose multipliers disagree (lines %s); "
                "the first mapped tax decides", day, conflicts.height,
                ", ".join(str(v) for v in conflicts["line_id"].head(10).to_list()),
            )
        return facts

    return build


def transform(settings: Settings, lake: Lake, day: date) -> dict[str, int] | None:
    return transform_moves(
        lake, day, DATASET, (CLEAN_MOVES, CLEAN_LINES, FACT_PURCHASES, FACT_PURCHASE_CASH_ROUNDING),
        to_star(settings, day),
    )
