"""The second JSON decoder: `records_frame` (polars decodes a raw partition's JSON in bulk) beside the
first, `typed_frame(decode_records())` (json.loads and a conversion per row), on synthetic POS lines
(`LINE_COLUMNS`, about 5 % of the values Odoo's `false`). Both must give the same frame; best and
median of 5 calls after one warm-up.

    python -m bench.json_decode
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import polars as pl

from functions.odoo_records import decode_records, records_frame, typed_frame
from functions.transform.pos import LINE_COLUMNS

MODEL = "pos.order.line"


def value(rng: random.Random, kind: str, i: int) -> Any:
    if kind == "m2o":
        return [rng.randrange(1, 9999), 'Name, with "quote"']
    if kind in ("id", "int"):
        return rng.randrange(1, 10**6)
    if kind == "float":
        return rng.random() * 1000
    if kind == "ts":
        return "2026-06-30 03:04:05"
    if kind == "date":
        return "2026-06-30"
    if kind == "m2m":
        return [rng.randrange(1, 20)]
    if kind == "bool":
        return rng.random() < 0.5
    return f"text {i}"


def record(rng: random.Random, i: int) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": i, "display_name": f"Line {i}", "write_date": "2026-06-30 03:04:05"}
    for column in LINE_COLUMNS:
        field = column.field.split("|")[0]
        if field not in rec:
            rec[field] = False if column.kind != "bool" and rng.random() < 0.05 else value(rng, column.kind, i)
    return rec


def timed(work: Callable[[], pl.DataFrame]) -> tuple[float, float]:
    work()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> int:
    rng = random.Random(5)
    for lines in (2_000, 20_000):
        texts = [json.dumps(record(rng, i)) for i in range(lines)]
        raw = pl.DataFrame({"model": [MODEL] * lines, "id": list(range(lines)), "record": texts})
        bulk = timed(lambda raw=raw: records_frame(raw, MODEL, LINE_COLUMNS))
        per_row = timed(lambda raw=raw: typed_frame(decode_records(raw, MODEL), LINE_COLUMNS))
        assert records_frame(raw, MODEL, LINE_COLUMNS).equals(typed_frame(decode_records(raw, MODEL), LINE_COLUMNS))
        print(
            f"{lines:>6} lines x {len(LINE_COLUMNS)} columns: bulk {bulk[0] * 1000:.1f} ms "
            f"(median {bulk[1] * 1000:.1f}), per row {per_row[0] * 1000:.1f} ms (median {per_row[1] * 1000:.1f}): "
            f"per row / bulk {per_row[0] / bulk[0]:.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
