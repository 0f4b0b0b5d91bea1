"""invoice-sales: raw customer invoices/credit notes → clean moves and lines → `fact_invoice_sales`."""

from __future__ import annotations

from datetime import date
from typing import Any

from functions.transform.account_moves import (
    LINE_SCHEMA,
    MOVE_SCHEMA,
    clean_lines,
    clean_moves,
    star_invoice_sales,
)
from functions.transform.frames import clean_spec, read_raw
from shared.schemas import FACT_INVOICE_SALES

DATASET = "invoice_sales"
CLEAN_MOVES = clean_spec("invoice_sales_moves", MOVE_SCHEMA)
CLEAN_LINES = clean_spec("invoice_sales_lines", LINE_SCHEMA)


def transform(settings: Any, lake: Any, day: date) -> dict[str, int] | None:
    raw = read_raw(lake, DATASET, day)
    if raw is None:
        return None
    moves = clean_moves(raw)
    lines = clean_lines(raw, moves)
    written = {}
    for spec, frame in ((CLEAN_MOVES, moves), (CLEAN_LINES, lines), (FACT_INVOICE_SALES, star_invoice_sales(lines))):
        written[str(spec)] = lake.write_partition(spec, day, frame)
    return written
