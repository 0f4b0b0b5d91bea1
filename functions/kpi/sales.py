"""sales_kpi_daily and sales_kpi_daily_by_product rows from the lake's profit outputs (pure).

The one definition of the sales KPIs: the same rows go to TiDB and to the embedded store. Amounts
are rounded half-up to the table's scale (money 2, quantity 3) and the ratios are computed from the
rounded amounts, so anyone can recompute them from the stored row.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MONEY = Decimal("0.01")
QUANTITY = Decimal("0.001")
PERCENT = Decimal("0.0001")

# A profit line without a product (never expected from POS, possible on odd invoice lines).
UNKNOWN_PRODUCT_ID = 0


def _decimal(value: Any, step: Decimal) -> Decimal | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(repr(value) if isinstance(value, float) else str(value)).quantize(step, ROUND_HALF_UP)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def gross_margin_pct(revenue: Decimal | None, gross_profit: Decimal | None) -> Decimal | None:
    if not revenue or gross_profit is None:
        return None
    return (Decimal(100) * gross_profit / revenue).quantize(PERCENT, ROUND_HALF_UP)


def avg_basket(revenue: Decimal | None, transactions: int | None) -> Decimal | None:
    if revenue is None or not transactions:
        return None
    return (revenue / Decimal(transactions)).quantize(MONEY, ROUND_HALF_UP)


def _rows(table: Any) -> list[dict[str, Any]]:
    return [] if table is None else table.to_pylist()


def count_cost_missing(lines_profit: Any) -> int:
    """Sales lines of the day with cost_missing (from fact_sales_lines_profit)."""
    return sum(1 for row in _rows(lines_profit) if row.get("cost_missing"))


def product_names(dim_products: Any) -> dict[int, str | None]:
    return {
        row["product_id"]: row.get("name") for row in _rows(dim_products) if row.get("product_id") is not None
    }


def sales_kpi_rows(
    day: date,
    org_id: int,
    agg_daily: Any,
    agg_by_product: Any,
    lines_profit: Any,
    dim_products: Any,
    updated_at: datetime,
    verified: bool = True,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sales_kpi_daily rows, sales_kpi_daily_by_product rows) of `day` from pyarrow tables (or None).

    Rows are copied from the aggregates of `day`: no aggregate row, no KPI row. `verified` is the
    day's verification (functions/verification.py), carried on every row.
    """
    missing_from_lines = count_cost_missing(lines_profit)
    daily = []
    for row in _rows(agg_daily):
        if row.get("date") not in (None, day):
            continue
        revenue = _decimal(row.get("revenue_tax_in"), MONEY)
        gross_profit = _decimal(row.get("gross_profit"), MONEY)
        transactions = _int(row.get("transactions"))
        cost_missing = row.get("cost_missing_lines")
        daily.append(
            {
                "data_date": day,
                "org_id": org_id,
                "revenue_tax_in": revenue,
                "cogs_tax_in": _decimal(row.get("cogs_tax_in"), MONEY),
                "gross_profit": gross_profit,
                "quantity": _decimal(row.get("quantity"), QUANTITY),
                "transactions": transactions,
                "lines": _int(row.get("lines")),
                "gross_margin_pct": gross_margin_pct(revenue, gross_profit),
                "avg_basket_tax_in": avg_basket(revenue, transactions),
                "cost_missing_lines": int(cost_missing) if cost_missing is not None else missing_from_lines,
                "verified": verified,
                "updated_at": updated_at,
            }
        )

    names = product_names(dim_products)
    by_product: dict[int, dict[str, Any]] = {}
    for row in _rows(agg_by_product):
        if row.get("date") not in (None, day):
            continue
        product_id = row.get("product_id")
        product_id = UNKNOWN_PRODUCT_ID if product_id is None else int(product_id)
        if product_id in by_product:  # two aggregate rows for one product: add them up
            kept = by_product[product_id]
            for name, step in (("revenue_tax_in", MONEY), ("gross_profit", MONEY), ("quantity", QUANTITY)):
                extra = _decimal(row.get(name), step)
                if extra is not None:
                    kept[name] = extra if kept[name] is None else kept[name] + extra
            kept["lines"] = (kept["lines"] or 0) + (_int(row.get("lines")) or 0)
            continue
        by_product[product_id] = {
            "data_date": day,
            "org_id": org_id,
            "product_id": product_id,
            "product_name": names.get(product_id),
            "revenue_tax_in": _decimal(row.get("revenue_tax_in"), MONEY),
            "gross_profit": _decimal(row.get("gross_profit"), MONEY),
            "quantity": _decimal(row.get("quantity"), QUANTITY),
            "lines": _int(row.get("lines")),
            "verified": verified,
            "updated_at": updated_at,
        }
    return daily, [by_product[k] for k in sorted(by_product)]


def sales_kpi_hourly_rows(
    day: date, org_id: int, agg_hourly: Any, updated_at: datetime
) -> list[dict[str, Any]]:
    """sales_kpi_hourly rows of `day` from agg_profit_hourly (one per POS config and hour)."""
    rows = []
    for row in _rows(agg_hourly):
        if row.get("date") not in (None, day):
            continue
        rows.append(
            {
                "data_date": day,
                "org_id": org_id,
                "config_id": int(row.get("config_id") or 0),
                "hour": int(row["hour"]),
                "revenue_tax_in": _decimal(row.get("revenue_tax_in"), MONEY),
                "gross_profit": _decimal(row.get("gross_profit"), MONEY),
                "transactions": _int(row.get("transactions")),
                "lines": _int(row.get("lines")),
                "updated_at": updated_at,
            }
        )
    return sorted(rows, key=lambda r: (r["config_id"], r["hour"]))


def mark(rows: list[dict[str, Any]], provisional: bool, as_of: datetime) -> list[dict[str, Any]]:
    """The rows with the provisional mark: `as_of` is the moment their sales are complete up to."""
    return [{**row, "provisional": provisional, "as_of": as_of} for row in rows]
