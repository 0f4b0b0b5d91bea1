"""purchases: raw vendor bills/refunds → clean moves and lines → `fact_purchases`."""

from __future__ import annotations

from datetime import date
from typing import Any

from functions.transform.account_moves import (
    LINE_SCHEMA,
    MOVE_SCHEMA,
    clean_lines,
    clean_moves,
    star_purchases,
)
from functions.transform.frames import clean_spec, read_raw
from shared.schemas import FACT_PURCHASES

DATASET = "purchases"
CLEAN_MOVES = clean_spec("purchase_moves", MOVE_SCHEMA)
CLEAN_LINES = clean_spec("purchase_lines", LINE_SCHEMA)


def transform(settings: Any, lake: Any, day: date) -> dict[str, int] | None:
    raw = read_raw(lake, DATASET, day)
    if raw is None:
        return None
    moves = clean_moves(raw)
    lines = clean_lines(raw, moves)
    written = {}
    for spec, frame in ((CLEAN_MOVES, moves), (CLEAN_LINES, lines), (FACT_PURCHASES, star_purchases(lines))):
        written[str(spec)] = lake.write_partition(spec, day, frame)
    return written
