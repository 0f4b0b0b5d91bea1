"""Deterministic PTMMM-like operations for demos and benchmarks: organisations, warehouses, SKUs,
inventory transactions, vehicles, orders, shipments with scans, late and failed deliveries.

`generate(seed, first_day, last_day, scale)` returns the four operational tables as pyarrow tables
(contract columns of contracts/kpi.md); the same arguments always give the same rows. At scale 1.0 a
year is about 2 million inventory rows and 200,000 shipments. `load_ops_into(settings, days)` puts
them into the embedded store or a staging TiDB/MariaDB, and refuses to replace operational data it
did not generate itself.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from functions.kpi.tables import OPS_TABLES
from shared import clock
from shared.dates import business_day_window
from shared.errors import InputError, TerminalError

if TYPE_CHECKING:
    from shared.config import Settings

DEMO_SEED = 20240101
DEMO_SCALE = 0.05
INVENTORY_ROWS_PER_DAY = 5480  # at scale 1.0: ~2,000,000 a year
SHIPMENTS_PER_DAY = 548  # at scale 1.0: ~200,000 a year

class Warehouse(TypedDict):
    id: int
    org_id: int
    code: str
    name: str


ORGANIZATIONS = ({"id": 1, "name": "PT Maju Mundur Makmur"}, {"id": 2, "name": "CV Sinar Logistik"})
WAREHOUSES: tuple[Warehouse, ...] = (
    {"id": 101, "org_id": 1, "code": "JKT", "name": "Jakarta DC"},
    {"id": 102, "org_id": 1, "code": "SBY", "name": "Surabaya DC"},
    {"id": 103, "org_id": 1, "code": "MDN", "name": "Medan Hub"},
    {"id": 201, "org_id": 2, "code": "BDG", "name": "Bandung Gudang"},
    {"id": 202, "org_id": 2, "code": "SMG", "name": "Semarang Gudang"},
)


@dataclass
class OpsData:
    organizations: list[dict[str, Any]]
    warehouses: list[dict[str, Any]]
    vehicles: list[dict[str, Any]]
    tables: dict[str, Any] = field(default_factory=dict)  # name -> pyarrow.Table

    def rows(self) -> dict[str, int]:
        return {name: table.num_rows for name, table in self.tables.items()}


def _schemas() -> dict[str, Any]:
    import pyarrow as pa

    ts = pa.timestamp("us")
    return {
        "orders": pa.schema(
            [
                ("id", pa.int64()),
                ("org_id", pa.int64()),
                ("warehouse_id", pa.int64()),
                ("customer_ref", pa.string()),
                ("status", pa.string()),
                ("total_amount", pa.decimal128(18, 2)),
                ("ordered_at", ts),
                ("updated_at", ts),
            ]
        ),
        "shipments": pa.schema(
            [
                ("id", pa.int64()),
                ("order_id", pa.int64()),
                ("org_id", pa.int64()),
                ("warehouse_id", pa.int64()),
                ("vehicle_id", pa.int64()),
                ("driver_id", pa.int64()),
                ("status", pa.string()),
                ("planned_at", ts),
                ("dispatched_at", ts),
                ("promised_at", ts),
                ("delivered_at", ts),
                ("distance_km", pa.decimal128(10, 2)),
                ("updated_at", ts),
            ]
        ),
        "inventory_tx": pa.schema(
            [
                ("id", pa.int64()),
                ("org_id", pa.int64()),
                ("warehouse_id", pa.int64()),
                ("sku", pa.string()),
                ("tx_type", pa.string()),
                ("qty", pa.decimal128(18, 3)),
                ("unit_cost", pa.decimal128(18, 2)),
                ("tx_at", ts),
                ("ref", pa.string()),
            ]
        ),
        "scan_event": pa.schema(
            [
                ("id", pa.int64()),
                ("shipment_id", pa.int64()),
                ("vehicle_id", pa.int64()),
                ("event_type", pa.string()),
                ("scanned_at", ts),
                ("lat", pa.float64()),
                ("lon", pa.float64()),
            ]
        ),
    }


def _table(name: str, columns: dict[str, list]) -> Any:
    import pyarrow as pa

    schema = _schemas()[name]
    arrays = []
    for f in schema:
        values = columns[f.name]
        if pa.types.is_decimal(f.type):
            # Whole numbers (ints) become exact decimals; others are Decimal already.
            values = [Decimal(v) if isinstance(v, int) else v for v in values]
        arrays.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _days(first_day: date, last_day: date) -> list[date]:
    if last_day < first_day:
        raise InputError(f"last day {last_day} is before first day {first_day}")
    return [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]


def generate(
    seed: int, first_day: date, last_day: date, scale: float = 1.0, tz: str = "Asia/Jakarta"
) -> OpsData:
    """Operations of every business day in [first_day, last_day]; deterministic for equal arguments."""
    if scale <= 0:
        raise InputError("scale must be positive")
    rng = random.Random(seed)
    skus_per_warehouse = max(10, round(400 * math.sqrt(scale)))
    vehicle_count = max(4, round(40 * math.sqrt(scale)))
    vehicles = [
        {"id": 1000 + i, "org_id": 1 if i < round(vehicle_count * 0.6) else 2} for i in range(vehicle_count)
    ]
    pairs = [
        (w["org_id"], w["id"], f"SKU-{n:04d}") for w in WAREHOUSES for n in range(1, skus_per_warehouse + 1)
    ]
    # A few SKUs are discontinued: never received again, so they run out and show as stockouts.
    discontinued = {p for p in pairs if rng.random() < 0.03}
    receivable = [p for p in pairs if p not in discontinued]
    warehouses_of_org = {
        o["id"]: [w["id"] for w in WAREHOUSES if w["org_id"] == o["id"]] for o in ORGANIZATIONS
    }
    vehicles_of_org = {o["id"]: [v["id"] for v in vehicles if v["org_id"] == o["id"]] for o in ORGANIZATIONS}

    inv: dict[str, list] = {
        k: [] for k in ("id", "org_id", "warehouse_id", "sku", "tx_type", "qty", "unit_cost", "tx_at", "ref")
    }
    orders: dict[str, list] = {
        k: []
        for k in (
            "id",
            "org_id",
            "warehouse_id",
            "customer_ref",
            "status",
            "total_amount",
            "ordered_at",
            "updated_at",
        )
    }
    ships: dict[str, list] = {
        k: []
        for k in (
            "id",
            "order_id",
            "org_id",
            "warehouse_id",
            "vehicle_id",
            "driver_id",
            "status",
            "planned_at",
            "dispatched_at",
            "promised_at",
            "delivered_at",
            "distance_km",
            "updated_at",
        )
    }
    scans: dict[str, list] = {
        k: [] for k in ("id", "shipment_id", "vehicle_id", "event_type", "scanned_at", "lat", "lon")
    }

    def add_tx(
        org: int, wh: int, sku: str, tx_type: str, qty: int, at: datetime, ref: str, cost: int | None = None
    ) -> None:
        inv["id"].append(len(inv["id"]) + 1)
        inv["org_id"].append(org)
        inv["warehouse_id"].append(wh)
        inv["sku"].append(sku)
        inv["tx_type"].append(tx_type)
        inv["qty"].append(qty)
        inv["unit_cost"].append(cost)
        inv["tx_at"].append(at)
        inv["ref"].append(ref)

    def add_scan(shipment_id: int, vehicle_id: int, event_type: str, at: datetime) -> None:
        scans["id"].append(len(scans["id"]) + 1)
        scans["shipment_id"].append(shipment_id)
        scans["vehicle_id"].append(vehicle_id)
        scans["event_type"].append(event_type)
        scans["scanned_at"].append(at)
        scans["lat"].append(round(rng.uniform(-8.5, 3.5), 5) if rng.random() > 0.05 else None)
        scans["lon"].append(round(rng.uniform(98.0, 115.0), 5) if rng.random() > 0.05 else None)

    days = _days(first_day, last_day)
    for index, day in enumerate(days):
        start, end = (moment.astimezone(UTC).replace(tzinfo=None) for moment in business_day_window(day, tz))
        seconds = int((end - start).total_seconds())

        if index == 0:  # opening stock, booked at the first second of the first day (the day edge)
            for org, wh, sku in pairs:
                add_tx(
                    org,
                    wh,
                    sku,
                    "receipt",
                    rng.randint(20, 120),
                    start,
                    "demo:opening",
                    rng.randint(1_000, 50_000),
                )
        n_tx = max(1, round(INVENTORY_ROWS_PER_DAY * scale * rng.uniform(0.9, 1.1)))
        made = 0
        while made < n_tx:
            roll = rng.random()
            at = start + timedelta(seconds=rng.randrange(seconds))
            if roll < 0.55:
                org, wh, sku = rng.choice(pairs)
                add_tx(org, wh, sku, "issue", -rng.randint(1, 12), at, f"demo:SO-{rng.randrange(10**6):06d}")
                made += 1
            elif roll < 0.80:
                org, wh, sku = rng.choice(receivable)
                add_tx(
                    org,
                    wh,
                    sku,
                    "receipt",
                    rng.randint(5, 40),
                    at,
                    f"demo:PO-{rng.randrange(10**6):06d}",
                    rng.randint(1_000, 50_000),
                )
                made += 1
            elif roll < 0.96:
                org, wh, sku = rng.choice(pairs)
                others = [w for w in warehouses_of_org[org] if w != wh]
                if not others:
                    continue
                qty = rng.randint(2, 15)
                ref = f"demo:TR-{rng.randrange(10**6):06d}"
                add_tx(org, wh, sku, "transfer_out", -qty, at, ref)
                add_tx(
                    org,
                    rng.choice(others),
                    sku,
                    "transfer_in",
                    qty,
                    at + timedelta(minutes=rng.randint(30, 300)) if at + timedelta(minutes=300) < end else at,
                    ref,
                )
                made += 2
            else:
                org, wh, sku = rng.choice(pairs)
                add_tx(org, wh, sku, "adjustment", rng.choice((-1, 1)) * rng.randint(1, 4), at, "demo:count")
                made += 1

        for _ in range(max(1, round(SHIPMENTS_PER_DAY * scale * rng.uniform(0.9, 1.1)))):
            org = 1 if rng.random() < 0.65 else 2
            wh = rng.choice(warehouses_of_org[org])
            vehicle = rng.choice(vehicles_of_org[org])
            ordered_at = start + timedelta(seconds=rng.randrange(seconds // 2))
            planned_at = ordered_at + timedelta(minutes=rng.randint(30, 240))
            outcome = rng.random()
            status = (
                "cancelled"
                if outcome < 0.04
                else "planned"
                if outcome < 0.06
                else "in_transit"
                if outcome < 0.13
                else "failed"
                if outcome < 0.20
                else "delivered"
            )
            dispatched_at = (
                None
                if status in ("cancelled", "planned")
                else planned_at + timedelta(minutes=rng.randint(0, 180))
            )
            promised_at = None
            if dispatched_at is not None and rng.random() > 0.1:
                promised_at = dispatched_at + timedelta(hours=rng.randint(3, 8))
            delivered_at: datetime | None = None
            if status == "delivered" and dispatched_at is not None:
                delivered_at = dispatched_at + timedelta(minutes=rng.randint(45, 9 * 60))  # sometimes late
            shipment_id = len(ships["id"]) + 1
            order_id = len(orders["id"]) + 1
            last_change = max(m for m in (planned_at, dispatched_at, delivered_at) if m is not None)
            orders["id"].append(order_id)
            orders["org_id"].append(org)
            orders["warehouse_id"].append(wh)
            orders["customer_ref"].append(f"DEMO-CUST-{rng.randrange(5000):04d}")
            orders["status"].append(
                {
                    "cancelled": "cancelled",
                    "planned": "confirmed",
                    "in_transit": "shipped",
                    "failed": "shipped",
                }.get(status, "delivered")
            )
            orders["total_amount"].append(rng.randint(50_000, 5_000_000))
            orders["ordered_at"].append(ordered_at)
            orders["updated_at"].append(last_change)
            ships["id"].append(shipment_id)
            ships["order_id"].append(order_id)
            ships["org_id"].append(org)
            ships["warehouse_id"].append(wh)
            ships["vehicle_id"].append(vehicle)
            ships["driver_id"].append(None if rng.random() < 0.05 else 5000 + rng.randrange(60))
            ships["status"].append(status)
            ships["planned_at"].append(planned_at)
            ships["dispatched_at"].append(dispatched_at)
            ships["promised_at"].append(promised_at)
            ships["delivered_at"].append(delivered_at)
            ships["distance_km"].append(
                None if rng.random() < 0.03 else Decimal(rng.randint(200, 8000)) / 100
            )
            ships["updated_at"].append(last_change)
            if dispatched_at is not None:
                add_scan(
                    shipment_id, vehicle, "pickup", dispatched_at - timedelta(minutes=rng.randint(5, 30))
                )
                add_scan(shipment_id, vehicle, "depart", dispatched_at)
                if delivered_at is not None:
                    add_scan(
                        shipment_id, vehicle, "arrive", delivered_at - timedelta(minutes=rng.randint(1, 15))
                    )
                    add_scan(shipment_id, vehicle, "delivered", delivered_at)
                elif status == "failed":
                    add_scan(
                        shipment_id,
                        vehicle,
                        "failed",
                        dispatched_at + timedelta(minutes=rng.randint(30, 400)),
                    )

    return OpsData(
        organizations=[dict(o) for o in ORGANIZATIONS],
        warehouses=[dict(w) for w in WAREHOUSES],
        vehicles=vehicles,
        tables={
            "orders": _table("orders", orders),
            "shipments": _table("shipments", ships),
            "inventory_tx": _table("inventory_tx", inv),
            "scan_event": _table("scan_event", scans),
        },
    )


# ---------------------------------------------------------------- loading


def _insert_statement(name: str) -> str:
    columns = [f.name for f in _schemas()[name]]
    return f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"


_MARKER_INSERT = (
    "INSERT INTO nkpipe_demo_ops (seed, first_day, last_day, scale, loaded_at) "
    "VALUES (:seed, :first_day, :last_day, :scale, :loaded_at)"
)


def _ensure_ops_tables(store: Any) -> None:
    from functions.kpi import schema
    from functions.kpi.store import MYSQL

    if store.dialect == MYSQL:
        store.run_file("sql/ops_schema_mysql.sql")
    schema.migrate_store(store)


def _holds_foreign_data(store: Any) -> bool:
    if store.query("SELECT COUNT(*) FROM nkpipe_demo_ops")[0][0]:
        return False
    return any(store.query(f"SELECT COUNT(*) FROM {name}")[0][0] for name in OPS_TABLES)


def load_ops(
    store: Any, data: OpsData, seed: int, first_day: date, last_day: date, scale: float
) -> dict[str, int]:
    """Replace the demo operations in `store` with `data` (refuses when the tables hold other data)."""
    from functions.kpi.store import MYSQL

    _ensure_ops_tables(store)
    if _holds_foreign_data(store):
        raise TerminalError(
            "the operational tables hold data nkpipe did not generate; refusing to replace it with demo data"
        )
    store.run_file("sql/ops_clear.sql")
    for name in OPS_TABLES:
        table = data.tables[name]
        if store.dialect == MYSQL:
            insert = _insert_statement(name)
            rows = table.to_pylist()
            for offset in range(0, len(rows), 5000):
                with store.transaction():
                    store.executemany(insert, rows[offset : offset + 5000], what=f"load {name}")
        else:
            store.connection.register("nkpipe_ops_load", table)
            try:
                store.execute(f"INSERT INTO {name} SELECT * FROM nkpipe_ops_load", what=f"load {name}")
            finally:
                store.connection.unregister("nkpipe_ops_load")
    store.execute(
        _MARKER_INSERT,
        {
            "seed": seed,
            "first_day": first_day,
            "last_day": last_day,
            "scale": scale,
            "loaded_at": clock.now().replace(tzinfo=None, microsecond=0),
        },
    )
    return data.rows()


def load_ops_into(
    settings: Settings, days: Sequence[date], seed: int = DEMO_SEED, scale: float = DEMO_SCALE
) -> dict[str, int]:
    """Generate operations for `days` and load them into the KPI store of `settings` (the embedded
    DuckDB file, or TIDB_HOST for a staging demo). Returns rows loaded per table."""
    from functions.kpi.store import open_store

    if not days:
        raise InputError("no days to generate operations for")
    first_day, last_day = min(days), max(days)
    data = generate(seed, first_day, last_day, scale=scale, tz=settings.business_tz)
    with open_store(settings) as store:
        return load_ops(store, data, seed, first_day, last_day, scale)
