"""invoice-sales target: posted customer invoices and credit notes with `invoice_date = D` and their
product lines → `raw/invoice_sales/date=D`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from functions.extract import account_moves

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

DATASET = "invoice_sales"
REQUIREMENTS = account_moves.requirements()
MOVE_TYPES = ("out_invoice", "out_refund")


def extract(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, int]:
    return account_moves.extract(odoo, lake, day, DATASET, MOVE_TYPES)


def odoo_figures(odoo: OdooClient, settings: Settings, lake: Lake, day: date) -> dict[str, float]:
    return account_moves.odoo_figures(odoo, day, MOVE_TYPES, split_pos=True)


def reconcile(odoo: OdooClient, settings: Settings, lake: Lake, day: date, figures: dict[str, float] | None = None) -> list:
    figures = figures if figures is not None else odoo_figures(odoo, settings, lake, day)
    return account_moves.reconcile(lake, day, DATASET, figures)
