"""B6 memory: peak RSS of one day of 50,000 sales lines through every stage, each stage in a fresh
process (as each Cloud Function runs). Aim: under 1 GiB, so a 2 GiB function has headroom.

    python -m bench.memory [--scale 1.0]      # scale 1.0 = 50,000 POS lines in the day
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

from bench.common import peak_rss_mib, print_rows, write_result

FULL_LINES = 50_000
STAGES = ("extract", "transform", "profit", "kpi")


def one_stage(lake_dir: str, stage: str, lines: int, port: int | None) -> dict:
    from functions.demo import demo_settings
    from functions.pipeline import run_days
    from shared.lake import open_lake

    settings = demo_settings(lake_dir, port or 1)
    from datetime import date

    day = date.fromisoformat(open(f"{lake_dir}/.bench-day").read().strip())
    before = peak_rss_mib()
    results = run_days(settings, open_lake(lake_dir), [day], (stage,))
    return {"stage": stage, "rows": sum(sum(r.rows.values()) for r in results), "baseline_mib": before, "peak_rss_mib": peak_rss_mib()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="B6 memory")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 50,000 POS lines in the day")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--lake", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    lines = max(50, int(FULL_LINES * args.scale))
    if args.stage:
        print(json.dumps(one_stage(args.lake, args.stage, lines, args.port)))
        return 0

    from functions.kpi import load_ops_into
    from shared.odoo_sim import OdooSimulator, SimConfig

    rows = []
    with tempfile.TemporaryDirectory() as lake_dir, OdooSimulator(SimConfig(seed=5, lines_per_day=lines, days=2)) as sim:
        day = sim.last_day
        open(f"{lake_dir}/.bench-day", "w").write(day.isoformat())
        from functions.demo import demo_settings

        load_ops_into(demo_settings(lake_dir, sim.port), [day])
        for stage in STAGES:
            done = subprocess.run(
                [sys.executable, "-m", "bench.memory", "--scale", str(args.scale), "--stage", stage,
                 "--lake", lake_dir, "--port", str(sim.port)],
                capture_output=True, text=True, check=True,
            )
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    worst = max(r["peak_rss_mib"] for r in rows)
    print_rows(f"B6 peak memory per stage, one day of {lines:,} POS lines (fresh process per stage)", rows)
    print(f"\nworst stage: {worst:.0f} MiB ({'under' if worst < 1024 else 'OVER'} the 1 GiB aim)")
    write_result("memory", {"scale": args.scale, "lines": lines, "rows": rows, "worst_mib": worst}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
