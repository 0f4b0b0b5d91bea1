"""B7 intraday: one refresh of today so far (extract → transform → profit → sales KPI of a partial day)
after 30 and after 365 days of purchase history, beside the nightly run of the whole day.

At scale 1 the simulator sells 20,000 POS lines a day (invoices and bills in proportion) and runs live,
so at 14:00 WIB today holds only the orders made by then. The lake holds the purchases of every
history day (extracted and transformed, untimed) and yesterday's profit outputs, like a lake the
nightly runs keep. Timed, in the same process and on the same simulator:

  - intraday 14:00 / 14:30: `run_days(..., intraday=True)` of today for pos, invoice-sales, purchases;
  - nightly: the same stages of the whole day, after the day ended (the baseline of the ratio).

`history ratio` = intraday(365 days) / intraday(30 days): an intraday refresh reads only today from
Odoo and writes only today's partitions, so it should stay near 1.

    python -m bench.intraday [--scale 1.0] [--history 30,365] [--out bench/results]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import peak_rss_mib, print_rows, write_result

FULL_LINES_PER_DAY = 20_000
DAY = date(2026, 6, 30)
TIMES = (
    datetime(2026, 6, 30, 7, 0, tzinfo=UTC),
    datetime(2026, 6, 30, 7, 30, tzinfo=UTC),
)  # 14:00, 14:30 WIB
AFTER_THE_DAY = datetime(2026, 6, 30, 19, 0, tzinfo=UTC)  # 02:00 WIB the next day


def stage_seconds(results: list[Any]) -> dict[str, float]:
    seconds: dict[str, float] = {}
    for result in results:
        seconds[result.stage] = round(seconds.get(result.stage, 0.0) + result.duration_s, 3)
    return seconds


def one_history(history_days: int, lines_per_day: int) -> list[dict[str, Any]]:
    from functions.demo import demo_settings
    from functions.pipeline import INTRADAY_TARGETS, STAGES, run_days
    from shared import clock
    from shared.lake import open_lake
    from shared.odoo_sim import OdooSimulator, SimConfig
    from shared.schemas import FACT_SALES

    config = SimConfig(
        seed=7,
        lines_per_day=lines_per_day,
        days=1,
        end_day=DAY,
        purchase_history_days=history_days,
        live=True,
    )
    rows = []
    with tempfile.TemporaryDirectory() as work, OdooSimulator(config) as sim:
        settings = demo_settings(
            f"{work}/lake", sim.port, kpi_duckdb_path=f"{work}/kpi.duckdb", local_versions_days=0
        )
        lake = open_lake(settings.data_lake_root, 0)
        history = [DAY - timedelta(days=n) for n in range(history_days, 0, -1)]
        started = time.perf_counter()
        with clock.frozen(AFTER_THE_DAY):
            run_days(settings, lake, history, ("extract", "transform"), ("purchases",))
            run_days(settings, lake, [DAY - timedelta(days=1)], ("profit",))
        print(f"  history of {history_days} days ready in {time.perf_counter() - started:.1f}s", flush=True)
        for moment in TIMES:
            with clock.frozen(moment, ticking=True):  # ticking: stage durations are read off the clock
                began = time.perf_counter()
                results = run_days(settings, lake, [DAY], STAGES, INTRADAY_TARGETS, intraday=True)
                wall = time.perf_counter() - began
            sales = lake.read_partition(FACT_SALES, DAY)
            rows.append(
                {
                    "history days": history_days,
                    "run": f"intraday {(moment + timedelta(hours=7)):%H:%M} WIB",
                    "pos lines": sales.num_rows if sales is not None else 0,
                    "wall s": round(wall, 2),
                    **{f"{stage} s": s for stage, s in stage_seconds(results).items() if stage != "mirror"},
                }
            )
        with clock.frozen(AFTER_THE_DAY, ticking=True):
            began = time.perf_counter()
            results = run_days(settings, lake, [DAY], STAGES, INTRADAY_TARGETS)
            wall = time.perf_counter() - began
        sales = lake.read_partition(FACT_SALES, DAY)
        rows.append(
            {
                "history days": history_days,
                "run": "nightly (whole day)",
                "pos lines": sales.num_rows if sales is not None else 0,
                "wall s": round(wall, 2),
                **{f"{stage} s": s for stage, s in stage_seconds(results).items() if stage != "mirror"},
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--history", default="30,365", help="history lengths in days (default 30,365)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    lines = max(50, int(FULL_LINES_PER_DAY * args.scale))
    histories = [int(h) for h in args.history.split(",") if h.strip()]
    rows: list[dict[str, Any]] = []
    for days in histories:
        rows += one_history(days, lines)
    print_rows(f"B7 intraday refresh, {lines:,} POS lines a day (scale {args.scale})", rows)

    def best_intraday(days: int) -> float:
        return min(r["wall s"] for r in rows if r["history days"] == days and r["run"].startswith("intraday"))

    ratios = {}
    if len(histories) >= 2:
        short, long_ = min(histories), max(histories)
        ratios["history ratio"] = round(best_intraday(long_) / best_intraday(short), 2)
    for days in histories:
        nightly = next(
            r["wall s"] for r in rows if r["history days"] == days and r["run"].startswith("nightly")
        )
        ratios[f"intraday / nightly ({days} days)"] = round(best_intraday(days) / nightly, 2)
    for name, value in ratios.items():
        print(f"{name}: {value}")
    print(f"peak RSS {peak_rss_mib()} MiB")
    path = write_result(
        "intraday",
        {
            "scale": args.scale,
            "lines_per_day": lines,
            "rows": rows,
            "ratios": ratios,
            "peak_mib": peak_rss_mib(),
        },
        args.out,
    )
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
