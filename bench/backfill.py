"""B4 backfill: N days at L POS lines a day (with invoices, bills and moves in proportion) through
extract -> transform -> profit on the simulator. Prints lines per second per stage, total time, peak
memory, and how time grows from the short to the long backfill (it should be linear).

    python -m bench.backfill [--scale 1.0] [--days 30,365]     # scale 1.0 = 20,000 lines a day
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import timedelta

from bench.common import peak_rss_mib, print_rows, stopwatch, write_result

FULL_LINES_PER_DAY = 20_000
STAGES = ("extract", "transform", "profit")
# The datasets: POS plus invoices, bills and moves in proportion (and the dimensions profit
# reads). Stock quants are a daily snapshot, not a history to backfill.
TARGETS = ("pos", "invoice-sales", "purchases", "inventory-moves", "dimensions")


def one_backfill(days: int, lines_per_day: int) -> dict:
    """Run in this process: extract, transform and profit over `days` days, stage by stage."""
    from functions.demo import demo_settings
    from functions.pipeline import run_days
    from shared.lake import open_lake
    from shared.odoo_sim import OdooSimulator, SimConfig

    with tempfile.TemporaryDirectory() as lake_dir, OdooSimulator(
        SimConfig(seed=3, lines_per_day=lines_per_day, days=days)
    ) as sim:
        settings = demo_settings(lake_dir, sim.port)
        lake = open_lake(lake_dir)
        all_days = [sim.first_day + timedelta(days=i) for i in range(days)]
        figures: dict = {"days": days, "lines_per_day": lines_per_day, "stages": {}}
        lines = 0
        total = 0.0
        for stage in STAGES:
            with stopwatch() as clock:
                results = run_days(settings, lake, all_days, (stage,), TARGETS)
            if stage == "transform":
                lines = sum(r.rows.get("star-schema/fact_sales", 0) + r.rows.get("star-schema/fact_invoice_sales", 0) for r in results)
            figures["stages"][stage] = clock["seconds"]
            total += clock["seconds"]
        figures["sales_lines"] = lines
        figures["total_seconds"] = round(total, 2)
        figures["lines_per_second"] = {s: round(lines / t) if t else None for s, t in figures["stages"].items()}
        figures["peak_rss_mib"] = peak_rss_mib()
        return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="B4 backfill")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 20,000 POS lines a day")
    parser.add_argument("--days", default="30,365", help="backfill lengths to compare")
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)  # internal: one size, JSON on stdout
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    lines_per_day = max(10, int(FULL_LINES_PER_DAY * args.scale))
    if args.single:
        print(json.dumps(one_backfill(args.single, lines_per_day)))
        return 0

    runs = []
    for days in [int(d) for d in args.days.split(",")]:
        # A fresh process per size, so peak memory belongs to that size alone.
        done = subprocess.run(
            [sys.executable, "-m", "bench.backfill", "--scale", str(args.scale), "--single", str(days)],
            capture_output=True, text=True, check=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    rows = [
        {
            "days": r["days"],
            "lines/day": r["lines_per_day"],
            "sales lines": r["sales_lines"],
            **{f"{s} s": r["stages"][s] for s in STAGES},
            **{f"{s} lines/s": r["lines_per_second"][s] for s in STAGES},
            "total s": r["total_seconds"],
            "peak MiB": r["peak_rss_mib"],
        }
        for r in runs
    ]
    print_rows("B4 backfill through extract -> transform -> profit (simulator, no latency)", rows)
    growth = None
    if len(runs) >= 2:
        short, long = runs[0], runs[-1]
        growth = {
            "days_ratio": round(long["days"] / short["days"], 2),
            "time_ratio": round(long["total_seconds"] / short["total_seconds"], 2),
            "per_day_seconds": [round(r["total_seconds"] / r["days"], 3) for r in runs],
        }
        print(
            f"\ngrowth {short['days']} -> {long['days']} days: time x{growth['time_ratio']} for days x{growth['days_ratio']}"
            f" (per-day seconds {growth['per_day_seconds']}; linear = equal per-day seconds)"
        )
    write_result("backfill", {"scale": args.scale, "runs": runs, "growth": growth}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
