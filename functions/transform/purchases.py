"""purchases: raw vendor bills/refunds → clean moves and lines → `fact_purchases`."""

from __future__ import annotations

from datetime import date
from typing import Any

from functions.transform.account_moves import LINE_SCHEMA, MOVE_SCHEMA, star_purchases, transform_moves
from functions.transform.frames import clean_spec
from shared.schemas import FACT_PURCHASES

DATASET = "purchases"
CLEAN_MOVES = clean_spec("purchase_moves", MOVE_SCHEMA)
CLEAN_LINES = clean_spec("purchase_lines", LINE_SCHEMA)


def transform(settings: Any, lake: Any, day: date) -> dict[str, int] | None:
    return transform_moves(
        lake, day, DATASET, (CLEAN_MOVES, CLEAN_LINES, FACT_PURCHASES), lambda lines, moves: star_purchases(lines)
    )
