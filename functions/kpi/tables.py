"""The KPI tables as data: columns, key and kind of every column (contract: contracts/kpi.md).

The mirror, the checksum and rollback use this one description; the SQL texts built from it below are
named constants (identifiers come from here, never from input; values are always parameters).
"""

from __future__ import annotations

from dataclasses import dataclass

# Column kinds: how a value is normalised for the checksum and sent over REST.
DATE, INT, DEC, TEXT, TS, BOOL = "date", "int", "dec", "text", "ts", "bool"


@dataclass(frozen=True)
class KpiTable:
    name: str
    key: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (name, kind), in table order
    # A day may rightly have no rows (no SKU out of stock): its newest data_date says nothing of freshness.
    may_skip_days: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def kinds(self) -> dict[str, str]:
        return dict(self.columns)

    @property
    def store_select_day(self) -> str:
        """SELECT of one data_date from TiDB / the embedded store (`lines` is quoted for MySQL)."""
        cols = ", ".join(f"`{c}`" if c == "lines" else c for c in self.column_names)
        return f"SELECT {cols} FROM {self.name} WHERE data_date = :day ORDER BY {', '.join(self.key)}"


_COMMON_TAIL = (("updated_at", TS),)
# The sales tables' mark: provisional ("sementara") rows come from an intraday refresh and hold the
# sales up to as_of (UTC); the nightly run of the day replaces them with final rows.
_PROVISIONAL_MARK = (("provisional", BOOL), ("as_of", TS))

INVENTORY = KpiTable(
    "inventory_kpi_daily",
    ("data_date", "org_id", "warehouse_id"),
    (
        ("data_date", DATE),
        ("org_id", INT),
        ("warehouse_id", INT),
        ("receipts_qty", DEC),
        ("issues_qty", DEC),
        ("adjustments_qty", DEC),
        ("net_change_qty", DEC),
        ("closing_qty", DEC),
        ("tx_count", INT),
        ("active_sku_count", INT),
        ("stockout_sku_count", INT),
        *_COMMON_TAIL,
    ),
)

# The SKUs counted in inventory_kpi_daily.stockout_sku_count (closing quantity <= 0 at the end of D).
STOCKOUT = KpiTable(
    "inventory_stockout_daily",
    ("data_date", "org_id", "warehouse_id", "sku"),
    (
        ("data_date", DATE),
        ("org_id", INT),
        ("warehouse_id", INT),
        ("sku", TEXT),
        ("closing_qty", DEC),
        *_COMMON_TAIL,
    ),
    may_skip_days=True,
)

FLEET = KpiTable(
    "fleet_kpi_daily",
    ("data_date", "org_id", "vehicle_id"),
    (
        ("data_date", DATE),
        ("org_id", INT),
        ("vehicle_id", INT),
        ("shipments_dispatched", INT),
        ("shipments_delivered", INT),
        ("shipments_failed", INT),
        ("on_time_delivered", INT),
        ("on_time_rate", DEC),
        ("avg_delivery_minutes", DEC),
        ("distance_km", DEC),
        ("scan_events", INT),
        *_COMMON_TAIL,
    ),
)

SALES = KpiTable(
    "sales_kpi_daily",
    ("data_date", "org_id"),
    (
        ("data_date", DATE),
        ("org_id", INT),
        ("revenue_tax_in", DEC),
        ("cogs_tax_in", DEC),
        ("gross_profit", DEC),
        ("quantity", DEC),
        ("transactions", INT),
        ("lines", INT),
        ("gross_margin_pct", DEC),
        ("avg_basket_tax_in", DEC),
        ("cost_missing_lines", INT),
        ("verified", BOOL),  # false: a check of the day's data found differences (run record)
        *_COMMON_TAIL,
        *_PROVISIONAL_MARK,
    ),
)

SALES_BY_PRODUCT = KpiTable(
    "sales_kpi_daily_by_product",
    ("data_date", "org_id", "product_id"),
    (
        ("data_date", DATE),
        ("org_id", INT),
        ("product_id", INT),
        ("product_name", TEXT),
        ("revenue_tax_in", DEC),
        ("gross_profit", DEC),
        ("quantity", DEC),
        ("lines", INT),
        ("verified", BOOL),
        *_COMMON_TAIL,
        *_PROVISIONAL_MARK,
    ),
)

SALES_HOURLY = KpiTable(
    "sales_kpi_hourly",
    ("data_date", "org_id", "config_id", "hour"),
    (
        ("data_date", DATE),
        ("org_id", INT),
        ("config_id", INT),
        ("hour", INT),
        ("revenue_tax_in", DEC),
        ("gross_profit", DEC),
        ("transactions", INT),
        ("lines", INT),
        *_COMMON_TAIL,
        *_PROVISIONAL_MARK,
    ),
)

KPI_TABLES: tuple[KpiTable, ...] = (INVENTORY, STOCKOUT, FLEET, SALES, SALES_BY_PRODUCT, SALES_HOURLY)
BY_NAME = {t.name: t for t in KPI_TABLES}


# The operations system's tables (PTMMM schema; `nkpipe demo --load-ops-into-tidb` fills them with demo
# data). The KPI SQL reads all but `orders`, which only the demo generator uses to make its shipments.
OPS_TABLES = ("inventory_tx", "shipments", "scan_event", "orders")
OPS_TABLES_READ_BY_KPI = tuple(name for name in OPS_TABLES if name != "orders")
