"""`nkpipe demo`: the whole pipeline offline on embedded defaults, then a short report."""

from __future__ import annotations

import argparse
import sys

from functions.cli.common import print_table, progress_printer


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "demo", help="run everything offline: built-in Odoo simulator, local lake, embedded KPI store"
    )
    parser.add_argument("--lines-per-day", type=int, default=300, help="POS order lines per day (default 300)")
    parser.add_argument("--days", type=int, default=7, help="business days to run (default 7)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic data (default 7)")
    parser.add_argument(
        "--load-ops-into-tidb",
        action="store_true",
        help="also load the synthetic operations data into the TiDB/MariaDB named by TIDB_* (staging demo)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.demo import run_demo

    if args.lines_per_day <= 0 or args.days <= 0:
        from shared.errors import InputError

        raise InputError("--lines-per-day and --days must be positive")
    out = sys.stdout
    report = run_demo(
        lake_root=args.lake or "./data-lake",
        lines_per_day=args.lines_per_day,
        seed=args.seed,
        days=args.days,
        progress=progress_printer(),
        load_ops_into_tidb=args.load_ops_into_tidb,
    )
    out.write(f"\nSales per business day ({report.days[0]} .. {report.days[-1]}, Asia/Jakarta)\n")
    print_table(report.sales, stream=out)
    out.write("\nGross profit per day\n")
    print_table(report.profit, stream=out)
    for title, rows in report.kpis.items():
        out.write(f"\n{title} for {report.days[-1]}\n")
        print_table(rows, stream=out)
    failed = [r for r in report.results if not r.ok]
    out.write(
        f"\nLake: {report.lake_url}\nKPI store (embedded DuckDB): {report.kpi_store}\n"
        f"{len(report.results)} stage runs, {len(failed)} failed, {report.seconds:.1f} s\n"
        f"Try: nkpipe sql --lake {report.lake_url} \"select date, count(*) from fact_sales group by 1 order by 1\"\n"
    )
    return 1 if failed else 0
