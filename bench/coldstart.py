"""B5 cold start: import time of each Cloud Function entry point, beside `python -c pass` and beside
importing polars + duckdb + pyarrow alone. Each figure is the median of several fresh interpreters.

    python -m bench.coldstart [--repeat 7]
"""

from __future__ import annotations

import argparse
import ast
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import print_rows, write_result

REPO = Path(__file__).resolve().parents[1]


def entry_points() -> list[str]:
    """Top-level functions of main.py decorated as functions-framework entries."""
    tree = ast.parse((REPO / "main.py").read_text())
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any("functions_framework" in ast.unparse(d) for d in node.decorator_list):
            names.append(node.name)
    return names


def time_code(code: str, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples), 3)


def heaviest_imports(code: str, top: int = 8) -> list[dict]:
    """What `-X importtime` says costs most when the entry module is imported."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=REPO, capture_output=True, text=True)
    rows = []
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0].startswith("import time:") and parts[1].strip().isdigit():
            rows.append({"module": parts[2].strip(), "cumulative_ms": int(parts[1]) / 1000})
    return sorted(rows, key=lambda r: -r["cumulative_ms"])[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="B5 cold start")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="ignored (the runner passes it to every benchmark)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    baseline = time_code("pass", args.repeat)
    heavy = time_code("import polars, duckdb, pyarrow, pyarrow.parquet", args.repeat)
    rows = [
        {"what": "python -c pass", "seconds": baseline, "vs_pass": 1.0},
        {"what": "import polars+duckdb+pyarrow", "seconds": heavy, "vs_pass": round(heavy / baseline, 1)},
    ]
    for name in entry_points():
        seconds = time_code(f"import main; main.{name}", args.repeat)
        rows.append(
            {"what": f"entry {name}", "seconds": seconds, "vs_pass": round(seconds / baseline, 1),
             "vs_heavy_libs": round(seconds / heavy, 2)}
        )
    print_rows("B5 cold start (median of fresh interpreters)", rows)
    top = heaviest_imports("import main")
    print_rows("heaviest imports of main.py (cumulative)", top)
    write_result("coldstart", {"rows": rows, "heaviest_imports": top, "repeat": args.repeat}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
