"""Small helpers the benchmarks share: machine description, peak memory, results files, tables."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared import clock

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def peak_rss_mib() -> float:
    """Peak resident memory of this process, in MiB.

    VmHWM, not ru_maxrss: after fork + exec, Linux's ru_maxrss starts from the parent's high-water
    mark, so a small stage started by a big benchmark process would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def stopwatch() -> Any:
    box = {"seconds": 0.0}
    started = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = round(time.perf_counter() - started, 3)


def write_result(name: str, data: dict[str, Any], out: str | Path | None = None) -> Path:
    folder = Path(out) if out else RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    body = {"benchmark": name, "measured_at": clock.now().isoformat(), "machine": machine(), **data}
    path.write_text(json.dumps(body, indent=1, default=str))
    return path


def print_rows(title: str, rows: list[dict[str, Any]]) -> None:
    from functions.cli.common import print_table

    print(f"\n{title}")
    print_table(rows)
