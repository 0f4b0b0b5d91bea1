"""Extraction benchmark: one business day against the simulator with a fixed latency per call.

At scale 1: 20,000 POS lines (plus the day's invoices, vendor bills and stock moves) with 20 ms per
call. For each batch size it runs the extract stage for the chosen targets into a scratch lake and
prints calls per dataset, wall time, and the ratio to the floor:

    floor = calls at the largest batch size × latency ÷ concurrency

i.e. the time the calls would take if each one cost exactly the injected latency and the workers were
never idle. The simulator runs in a process of its own (as Odoo would), and the largest batch is also
run against a zero-latency simulator: the difference is the part of the wall time the latency costs.
Each figure is the fastest of `--repeat` runs. It prints figures; it never passes or fails on time.
Results go to bench/results/extract.json.

    python -m bench.extract [--scale 1.0] [--latency 0.02] [--concurrency 4] [--batch-sizes 500,1000,2000] [--repeat 3] [--day 2026-11-18]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_TARGETS = ("pos", "invoice-sales", "purchases", "inventory-moves")
# One fixed business day, so figures of different runs (and different calendar days) compare.
DEFAULT_DAY = "2026-11-18"
SIM_SEED = 7


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 20,000 POS lines in the day")
    parser.add_argument("--latency", type=float, default=0.02, help="simulated latency per call, seconds")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch-sizes", default="500,1000,2000")
    parser.add_argument("--targets", default=",".join(DEFAULT_TARGETS))
    parser.add_argument("--repeat", type=int, default=3, help="runs per batch size; the fastest is kept")
    parser.add_argument("--day", default=DEFAULT_DAY, help="the simulated business day extracted (YYYY-MM-DD)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    return parser.parse_args(argv)


def run_once(sim, settings_base, targets, batch_size: int, concurrency: int) -> dict:
    from functions.extract import run_extract
    from shared.lake import open_lake
    from shared.odoo import connect

    with tempfile.TemporaryDirectory(prefix="nkpipe-bench-") as lake_dir:
        settings = settings_base.replace(
            data_lake_root=lake_dir, odoo_batch_size=batch_size, odoo_concurrency=concurrency
        )
        day = sim.last_day
        odoo = connect(settings)
        try:
            login_calls = sum(odoo.calls.values())
            started = time.perf_counter()
            results = run_extract(settings, open_lake(lake_dir), day, list(targets), odoo)
            wall = time.perf_counter() - started
        finally:
            odoo.close()
    per_dataset = {r.dataset: {"calls": r.calls.get("total", 0), "rows": r.rows, "seconds": r.duration_s}
                   for r in results if r.status == "success"}
    return {
        "batch_size": batch_size,
        "wall_s": round(wall, 3),
        "login_calls": login_calls,
        "calls": sum(d["calls"] for d in per_dataset.values()),
        "datasets": per_dataset,
    }


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SimProcess:
    """The simulator in a process of its own (like a real Odoo: its CPU is not the client's), stopped
    by its pid when done."""

    def __init__(self, lines: int, latency: float, end_day) -> None:
        import subprocess

        self.port = free_port()
        self.last_day = end_day
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "shared.odoo_sim", "--port", str(self.port), "--seed", str(SIM_SEED),
             "--lines-per-day", str(lines), "--days", "1", "--end-day", end_day.isoformat(),
             "--latency", str(latency)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(Path(__file__).resolve().parents[1]),
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        from shared.odoo import fetch_server_version

        deadline = time.monotonic() + timeout
        while True:
            try:
                fetch_server_version(f"http://127.0.0.1:{self.port}", 2.0, max_retries=0)
                return
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the simulator did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from datetime import date

    from shared.config import Secret, Settings
    from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN

    lines = max(1, int(20_000 * args.scale))
    batch_sizes = sorted(int(b) for b in args.batch_sizes.split(","))
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    day = date.fromisoformat(args.day)
    runs = []
    sims = {"latency": SimProcess(lines, args.latency, day), "baseline": SimProcess(lines, 0.0, day)}
    try:
        for sim in sims.values():
            sim.wait_ready()

        def settings_for(sim):
            return Settings(
                odoo_host="127.0.0.1", odoo_port=sim.port, odoo_db=DEMO_DB, odoo_username=DEMO_LOGIN,
                odoo_api_key=Secret(DEMO_API_KEY),
            )

        for sim in sims.values():  # warm each simulator's day cache
            run_once(sim, settings_for(sim), targets, batch_sizes[-1], args.concurrency)
        def fastest(sim, batch_size):
            # a shared machine is noisy: keep the fastest of a few runs (calls and rows never change)
            tries = [run_once(sim, settings_for(sim), targets, batch_size, args.concurrency)
                     for _ in range(max(1, args.repeat))]
            best = min(tries, key=lambda run: run["wall_s"])
            best["wall_s_all"] = [run["wall_s"] for run in tries]
            return best

        runs = [fastest(sims["latency"], batch_size) for batch_size in batch_sizes]
        baseline = fastest(sims["baseline"], batch_sizes[-1])
    finally:
        for sim in sims.values():
            sim.stop()
    largest = runs[-1]
    floor_s = largest["calls"] * args.latency / args.concurrency
    for run in runs:
        run["ratio_to_floor"] = round(run["wall_s"] / floor_s, 2) if floor_s else None

    print(f"extract benchmark: {lines:,} POS lines/day, latency {args.latency * 1000:.0f} ms/call, "
          f"concurrency {args.concurrency}, simulator in its own process")
    print(f"floor = {largest['calls']} calls at batch {largest['batch_size']} × {args.latency}s ÷ "
          f"{args.concurrency} = {floor_s:.2f}s")
    names = list(largest["datasets"])
    print(f"{'batch':>6} {'wall s':>8} {'ratio':>6} {'calls':>6}  " + "  ".join(f"{t:>15}" for t in names))
    for run in runs:
        cells = "  ".join(f"{run['datasets'].get(t, {}).get('calls', 0):>15}" for t in names)
        print(f"{run['batch_size']:>6} {run['wall_s']:>8.2f} {str(run['ratio_to_floor'] if floor_s else '-'):>6} {run['calls']:>6}  {cells}")
    print(f"same run with 0 ms latency (simulator + client processing only): {baseline['wall_s']:.2f}s; "
          f"latency share at batch {largest['batch_size']}: {largest['wall_s'] - baseline['wall_s']:.2f}s "
          f"= {(largest['wall_s'] - baseline['wall_s']) / floor_s if floor_s else 0:.2f} × floor")
    per_dataset = "  ".join(f"{t} {d['seconds']:.2f}s" for t, d in largest["datasets"].items())
    print(f"seconds per dataset at batch {largest['batch_size']}: {per_dataset}")
    rows = {t: d["rows"] for t, d in largest["datasets"].items()}
    print(f"rows: {json.dumps(rows)}")

    from bench.common import write_result

    path = write_result("extract", {
        "scale": args.scale, "pos_lines_per_day": lines, "latency_s": args.latency,
        "concurrency": args.concurrency, "floor_s": round(floor_s, 3), "runs": runs,
        "baseline_zero_latency": baseline,
    }, args.out)
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
