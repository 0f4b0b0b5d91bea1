"""invoice-sales: raw customer invoices/credit notes → clean moves and lines → `fact_invoice_sales`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from functions.transform.account_moves import LINE_SCHEMA, MOVE_SCHEMA, star_invoice_sales, transform_moves
from functions.transform.frames import clean_spec
from shared.schemas import FACT_INVOICE_CASH_ROUNDING, FACT_INVOICE_SALES

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake

DATASET = "invoice_sales"
CLEAN_MOVES = clean_spec("invoice_sales_moves", MOVE_SCHEMA)
CLEAN_LINES = clean_spec("invoice_sales_lines", LINE_SCHEMA)


def without_pos_invoices(lines: pl.DataFrame, moves: pl.DataFrame) -> pl.DataFrame:
    """Lines of invoices Odoo made for POS orders are already in fact_sales: counting them here too
    would double the revenue of every invoiced POS order."""
    from_pos = moves.filter(pl.col("pos_order_ids").list.len() > 0)["move_id"]
    return lines.filter(~pl.col("move_id").is_in(from_pos.implode()))


def transform(settings: Settings, lake: Lake, day: date) -> dict[str, int] | None:
    return transform_moves(
        lake,
        day,
        DATASET,
        (CLEAN_MOVES, CLEAN_LINES, FACT_INVOICE_SALES, FACT_INVOICE_CASH_ROUNDING),
        lambda lines, moves, raw: star_invoice_sales(without_pos_invoices(lines, moves)),
    )
