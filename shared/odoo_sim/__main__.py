"""Run the simulator standalone: python -m shared.odoo_sim --port 8069 --lines-per-day 300"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN, OdooSimulator, SimConfig
from shared.odoo_sim.config import SUPPORTED_VERSIONS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.odoo_sim", description=__doc__)
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lines-per-day", type=int, default=300)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--end-day", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: yesterday)"
    )
    parser.add_argument("--version", choices=SUPPORTED_VERSIONS, default="17.0")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds slept per request")
    parser.add_argument("--with-brand", action="store_true")
    parser.add_argument("--tz", default="Asia/Jakarta")
    parser.add_argument("--warm-days", type=int, default=1,
                        help="generate the last N days before serving (a real Odoo has its data already)")
    args = parser.parse_args(argv)
    cfg = SimConfig(
        seed=args.seed,
        lines_per_day=args.lines_per_day,
        days=args.days,
        end_day=args.end_day,
        version=args.version,
        latency_s=args.latency,
        with_brand=args.with_brand,
        tz=args.tz,
        port=args.port,
    )
    sim = OdooSimulator(cfg)
    sim.warm(args.warm_days)
    sim.start()
    print(f"Odoo simulator {cfg.version} at {sim.url}  (data {sim.first_day} .. {sim.last_day})")
    print(
        f"  ODOO_HOST=127.0.0.1 ODOO_PORT={sim.port} ODOO_PROTOCOL=jsonrpc ODOO_DB={DEMO_DB} "
        f"ODOO_USERNAME={DEMO_LOGIN} ODOO_API_KEY={DEMO_API_KEY}"
    )
    print("  (demo credentials of the synthetic database; Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
