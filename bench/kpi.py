"""B3 kpi: one day's KPI run after 1 day and after 365 days of operations history, on MariaDB.

At scale 1 the 365-day history is about 2,000,000 inventory rows and 200,000 shipments (with about
800,000 scan events) from the demo generator (functions/kpi/ops_data.py); `--scale` shrinks the
rows per day and keeps the shape.

Timed, best of --repeat interleaved rounds (write_day: delete + insert of all four KPI tables in one
transaction; the sales tables get no rows here, their cost does not depend on operations):
  - 1 day:    day D on a database holding only day D's rows of the same generated year (the day
              starts from an empty history, and only the SKUs moved that day have a balance);
  - 30 days, 365 days: day D on a database holding the last 30 / 365 days, after D-1 was computed
              (the nightly case: the running stock balances of D-1 are the starting point);
  - cold:     day D-1 with no earlier balance (the first run ever, which reads all history once) —
              reported, not part of the ratios.
`365/1` and `365/30`: 1.0 means a day does not get slower as history grows. Expect 365/1 a little
above 1: after a month every SKU has a balance to carry, on day 1 only the ones that moved.

    python -m bench.kpi [--scale 0.1] [--repeat 3] [--engines mariadb,duckdb] [--out bench/results]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import print_rows, write_result

DAY = date(2026, 6, 30)
HISTORY_DAYS = 365
HISTORIES = (1, 30, HISTORY_DAYS)
SEED = 4242
TZ = "Asia/Jakarta"


def mysql_params() -> dict[str, Any]:
    if not os.environ.get("NKPIPE_TEST_MYSQL_HOST"):
        from bench.__main__ import services_env

        os.environ.update(services_env())
    return {
        "host": os.environ["NKPIPE_TEST_MYSQL_HOST"],
        "port": int(os.environ["NKPIPE_TEST_MYSQL_PORT"]),
        "user": os.environ["NKPIPE_TEST_MYSQL_USER"],
        "password": os.environ["NKPIPE_TEST_MYSQL_PASSWORD"],
    }


class Engine:
    """A fresh KPI store per case: a new MariaDB database, or a new DuckDB file."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.workdir = workdir
        self.created: list[str] = []

    def open(self, label: str) -> Any:
        from functions.kpi.store import connect_duckdb, connect_mysql

        if self.name == "duckdb":
            return connect_duckdb(str(self.workdir / f"{label}.duckdb"))
        import pymysql

        params = mysql_params()
        database = f"nkpipe_bench_kpi_{label}_{uuid.uuid4().hex[:8]}"
        admin = pymysql.connect(**params, autocommit=True)
        with admin.cursor() as cursor:
            # The name is made here from [a-z0-9_]: identifiers cannot be parameters.
            cursor.execute(f"CREATE DATABASE `{database}`")
        admin.close()
        self.created.append(database)
        return connect_mysql(params["host"], params["port"], params["user"], params["password"], database)

    def cleanup(self) -> None:
        if self.name != "mariadb" or not self.created:
            return
        import pymysql

        admin = pymysql.connect(**mysql_params(), autocommit=True)
        with admin.cursor() as cursor:
            for database in self.created:
                cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")
        admin.close()


def timed_day(store: Any, day: date, repeat: int) -> tuple[float, dict[str, int]]:
    from functions.kpi.compute import write_day

    best, rows = float("inf"), {}
    for _ in range(repeat):
        started = time.perf_counter()
        rows = write_day(store, day, TZ, now=datetime(2030, 1, 1))
        best = min(best, time.perf_counter() - started)
    return round(best, 5), rows


def last_days(data: Any, day: date, days: int) -> Any:
    """The same operations restricted to the `days` days ending with `day`: inventory rows of those
    days, shipments with a plan, dispatch or delivery in them (and their orders and scans)."""
    import pyarrow.compute as pc

    from functions.kpi.ops_data import OpsData
    from shared.dates import business_day_window

    start = business_day_window(day - timedelta(days=days - 1), TZ)[0].replace(tzinfo=None)
    end = business_day_window(day, TZ)[1].replace(tzinfo=None)

    def within(column: Any) -> Any:
        return pc.fill_null(pc.and_(pc.greater_equal(column, start), pc.less(column, end)), False)

    inv = data.tables["inventory_tx"]
    ships = data.tables["shipments"]
    keep = pc.or_(
        pc.or_(within(ships["planned_at"]), within(ships["dispatched_at"])), within(ships["delivered_at"])
    )
    ships = ships.filter(keep)
    scans = data.tables["scan_event"]
    orders = data.tables["orders"]
    return OpsData(
        data.organizations,
        data.warehouses,
        data.vehicles,
        {
            "inventory_tx": inv.filter(within(inv["tx_at"])),
            "shipments": ships,
            "scan_event": scans.filter(pc.is_in(scans["shipment_id"], ships["id"])),
            "orders": orders.filter(pc.is_in(orders["id"], ships["order_id"])),
        },
    )


def load(
    engine: Engine, label: str, data: Any, first: date, last: date, scale: float
) -> tuple[Any, dict[str, Any]]:
    from functions.kpi.ops_data import load_ops
    from functions.kpi.schema import migrate_store

    store = engine.open(label)
    started = time.perf_counter()
    load_ops(store, data, SEED, first, last, scale)
    migrate_store(store)
    if store.dialect == "mysql":
        store.execute("ANALYZE TABLE inventory_tx, shipments, scan_event")
    return store, {"rows": data.rows(), "load_s": round(time.perf_counter() - started, 2)}


def run_engine(engine: Engine, year_data: Any, scale: float, repeat: int) -> dict[str, Any]:
    stores, cases = {}, {}
    try:
        for days in HISTORIES:
            data = year_data if days == HISTORY_DAYS else last_days(year_data, DAY, days)
            stores[days], info = load(engine, f"{days}d", data, DAY - timedelta(days=days - 1), DAY, scale)
            cold_s = None
            if days > 1:  # the first run ever reads all history once; then D-1's balances are the start
                cold_s, _ = timed_day(stores[days], DAY - timedelta(days=1), 1)
            cases[days] = {"seconds": float("inf"), "cold_first_run_seconds": cold_s, **info}
        # Interleaved rounds, in alternating order: whatever else the machine does affects every case alike.
        for round_number in range(repeat):
            order = list(stores.items())
            for days, store in order if round_number % 2 == 0 else reversed(order):
                seconds, rows = timed_day(store, DAY, 1)
                cases[days]["seconds"] = min(cases[days]["seconds"], seconds)
                cases[days]["kpi_rows"] = rows
        for days, store in stores.items():
            cases[days]["balance_rows"] = int(store.query("SELECT COUNT(*) FROM kpi_inventory_balance")[0][0])
    finally:
        for store in stores.values():
            store.close()
    one, month, year = (cases[d]["seconds"] for d in HISTORIES)
    return {
        "engine": engine.name,
        "cases": {f"{d}_days": c for d, c in cases.items()},
        "ratio_365_to_1": round(year / one, 2) if one else None,
        "ratio_365_to_30": round(year / month, 2) if month else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=0.1, help="fraction of the full size (1.0 ≈ 2M inventory rows)"
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--engines", default="mariadb", help="mariadb, duckdb or both (comma-separated)")
    parser.add_argument("--out", default=None, help="results folder (default bench/results)")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or any(e not in ("mariadb", "duckdb") for e in engines):
        parser.error("--engines: choose from mariadb, duckdb")

    from functions.kpi.ops_data import generate

    started = time.perf_counter()
    year_data = generate(SEED, DAY - timedelta(days=HISTORY_DAYS - 1), DAY, scale=args.scale, tz=TZ)
    print(f"generated {year_data.rows()} in {time.perf_counter() - started:.1f}s", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="nkpipe-bench-kpi-") as workdir:
        for name in engines:
            engine = Engine(name, Path(workdir))
            try:
                results.append(run_engine(engine, year_data, args.scale, args.repeat))
            finally:
                engine.cleanup()

    print_rows(
        f"B3 kpi: one day's KPI run (write_day) after N days of history, scale {args.scale}, best of {args.repeat}",
        [
            {
                "engine": r["engine"],
                "inventory rows (365 d)": r["cases"]["365_days"]["rows"]["inventory_tx"],
                "shipments (365 d)": r["cases"]["365_days"]["rows"]["shipments"],
                "1 day ms": round(r["cases"]["1_days"]["seconds"] * 1000, 1),
                "30 days ms": round(r["cases"]["30_days"]["seconds"] * 1000, 1),
                "365 days ms": round(r["cases"]["365_days"]["seconds"] * 1000, 1),
                "365/1": r["ratio_365_to_1"],
                "365/30": r["ratio_365_to_30"],
                "cold first run (365 d) s": r["cases"]["365_days"]["cold_first_run_seconds"],
            }
            for r in results
        ],
    )
    path = write_result(
        "kpi", {"scale": args.scale, "repeat": args.repeat, "day": DAY, "results": results}, args.out
    )
    print(f"\nwritten {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
