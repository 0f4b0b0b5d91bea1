"""purchases target: posted vendor bills and refunds with `invoice_date = D` and their product lines
(with the custom `actual_price` when the database has it) → `raw/purchases/date=D`."""

from __future__ import annotations

from datetime import date
from typing import Any

from functions.extract import account_moves

DATASET = "purchases"
REQUIREMENTS = account_moves.requirements(("actual_price",))
MOVE_TYPES = ("in_invoice", "in_refund")


def extract(odoo: Any, settings: Any, lake: Any, day: date) -> dict[str, int]:
    return account_moves.extract(odoo, lake, day, DATASET, MOVE_TYPES, line_optional=("actual_price",))


def reconcile(odoo: Any, settings: Any, lake: Any, day: date) -> list:
    return account_moves.reconcile(odoo, lake, day, DATASET, MOVE_TYPES)
