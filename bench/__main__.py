"""Every benchmark from one command; each prints its table and writes bench/results/<name>.json.

    python -m bench [--scale 0.1] [--only extract,profit,kpi,backfill,coldstart,memory,intraday]

B1 extract, B2 profit, B3 kpi, B4 backfill, B5 coldstart, B6 memory, B7 intraday. `--scale 1.0` is the full size of
each (about an hour on 2 cores); a smaller scale keeps the same shape. B3 needs MariaDB: started by
`scripts/services.sh start` when the NKPIPE_TEST_MYSQL_* settings are absent.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

ORDER = ("extract", "profit", "kpi", "backfill", "coldstart", "memory", "intraday")
REPO = Path(__file__).resolve().parents[1]


def services_env() -> dict[str, str]:
    if os.environ.get("NKPIPE_TEST_MYSQL_HOST"):
        return {}
    script = REPO / "scripts" / "services.sh"
    subprocess.run(["bash", str(script), "start"], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(["bash", str(script), "env"], check=True, capture_output=True, text=True).stdout
    env = {}
    for line in out.splitlines():
        for word in shlex.split(line.removeprefix("export ")):
            if "=" in word:
                key, value = word.split("=", 1)
                env[key] = value
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="size of every benchmark; 1.0 = full (default 0.1)")
    parser.add_argument("--only", default=",".join(ORDER), help=f"which benchmarks (default: {','.join(ORDER)})")
    parser.add_argument("--out", default=str(REPO / "bench" / "results"), help="folder for the JSON results")
    args = parser.parse_args(argv)
    chosen = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in ORDER]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}: choose from {', '.join(ORDER)}")
    env = dict(os.environ)
    if "kpi" in chosen:
        env.update(services_env())
    failed = []
    for name in chosen:
        print(f"\n===== {name} (scale {args.scale}) =====", flush=True)
        code = subprocess.run(
            [sys.executable, "-m", f"bench.{name}", "--scale", str(args.scale), "--out", args.out], cwd=REPO, env=env
        ).returncode
        if code:
            failed.append(name)
    print(f"\nresults in {args.out}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
