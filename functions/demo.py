"""`nkpipe demo`: the whole pipeline offline, on embedded defaults.

The built-in Odoo simulator is started on a free loopback port and reached over real HTTP with the
real client; the lake is a local folder; KPIs go to the embedded DuckDB store; the mirror is skipped.
Everything is deterministic: the synthetic data depend only on the seed and the date, so a second
run over the same days writes identical star-schema rows.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from functions.pipeline import STAGES, TARGETS, run_days
from shared.config import Secret, Settings, load_settings
from shared.lake import Lake, open_lake
from shared.log import get_logger
from shared.metadata import StageResult

log = get_logger(__name__)

DEMO_DAYS = 7
# Vendor bills before the shown week, so the profit stage knows costs older than the week itself
# (the simulator keeps a year of sparse bills before its first day).
PURCHASE_HISTORY_DAYS = 120


@dataclass
class DemoReport:
    lake_url: str
    kpi_store: str
    days: list[date]
    sales: list[dict[str, Any]] = field(default_factory=list)
    profit: list[dict[str, Any]] = field(default_factory=list)
    kpis: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    results: list[StageResult] = field(default_factory=list)
    seconds: float = 0.0


def demo_settings(lake_root: str, odoo_port: int, **overrides: Any) -> Settings:
    """Embedded defaults only: the environment is ignored so a demo never touches real systems."""
    from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN

    is_url = "://" in str(lake_root)
    root = lake_root if is_url else str(Path(lake_root).expanduser().resolve())
    kpi_home = Path(tempfile.gettempdir()) / "nkpipe-demo-kpi" if is_url else Path(root)
    values: dict[str, Any] = {
        "odoo_host": "127.0.0.1",
        "odoo_port": odoo_port,
        "odoo_db": DEMO_DB,
        "odoo_username": DEMO_LOGIN,
        "odoo_api_key": Secret(DEMO_API_KEY),
        "data_lake_root": root,
        "kpi_duckdb_path": str(kpi_home / "embedded-kpi.duckdb"),
    }
    values.update(overrides)
    return load_settings(environ={}, env_file=None, **values)


def sales_summary(lake: Lake, days: list[date]) -> list[dict[str, Any]]:
    """Orders, lines and revenue per day from the star schema (POS and invoices)."""
    import pyarrow.compute as pc

    from shared.schemas import FACT_INVOICE_SALES, FACT_SALES

    rows = []
    for day in days:
        pos = lake.read_partition(FACT_SALES, day)
        inv = lake.read_partition(FACT_INVOICE_SALES, day)
        row: dict[str, Any] = {"date": day.isoformat()}
        row["pos_orders"] = len(pc.unique(pos["order_id"])) if pos is not None and pos.num_rows else 0
        row["pos_lines"] = pos.num_rows if pos is not None else 0
        row["invoices"] = len(pc.unique(inv["move_id"])) if inv is not None and inv.num_rows else 0
        row["invoice_lines"] = inv.num_rows if inv is not None else 0
        revenue = 0.0
        for table in (pos, inv):
            if table is not None and table.num_rows:
                revenue += pc.sum(table["revenue_tax_in"]).as_py() or 0.0
        row["revenue_tax_in"] = round(revenue, 2)
        rows.append(row)
    return rows


def run_demo(
    lake_root: str = "./data-lake",
    lines_per_day: int = 300,
    seed: int = 7,
    days: int = DEMO_DAYS,
    progress: Callable[[StageResult], None] | None = None,
    load_ops_into_tidb: bool = False,
) -> DemoReport:
    from shared.odoo_sim import OdooSimulator, SimConfig

    started = time.monotonic()
    config = SimConfig(seed=seed, lines_per_day=lines_per_day, days=days)
    with OdooSimulator(config) as sim:
        settings = demo_settings(lake_root, sim.port)
        lake = open_lake(settings.data_lake_root)
        shown = [sim.last_day - timedelta(days=i) for i in range(days - 1, -1, -1)]
        history = [shown[0] - timedelta(days=i) for i in range(PURCHASE_HISTORY_DAYS, 0, -1)]
        report = DemoReport(lake.url, settings.kpi_duckdb_path, shown)
        _load_ops(settings, shown, into_tidb=load_ops_into_tidb)
        if history:
            report.results += run_days(
                settings, lake, history, ("extract", "transform"), ("purchases",), progress=progress
            )
        report.results += run_days(settings, lake, shown, STAGES, TARGETS, progress=progress)
    report.sales = sales_summary(lake, shown)
    from functions.kpi import demo_summary as kpi_summary
    from functions.profit import demo_summary as profit_summary

    report.profit = profit_summary(lake, shown)
    kpis = kpi_summary(settings, shown[-1])
    report.kpis = kpis if isinstance(kpis, dict) else {"KPI": kpis}
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _load_ops(settings: Settings, days: list[date], into_tidb: bool) -> None:
    """Operations data (PTMMM) for the KPI stage: into the embedded store, or a real TiDB when asked."""
    from functions.kpi import load_ops_into

    if into_tidb:
        tidb = load_settings(env_file=".env")
        if not tidb.tidb_host:
            from shared.errors import ConfigError

            raise ConfigError("--load-ops-into-tidb needs TIDB_HOST (and TIDB_USER/TIDB_PASSWORD/TIDB_DATABASE)")
        load_ops_into(tidb, days)
    load_ops_into(settings, days)
