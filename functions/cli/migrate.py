"""`nkpipe migrate [--target all|store|supabase]`: create or update the KPI tables, idempotently."""

from __future__ import annotations

import argparse

from functions.cli.common import settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "migrate",
        help="create or update the KPI tables in TiDB (or the embedded store) and in Supabase",
        description="Apply the pending versioned migrations of functions/kpi/migrations/. Safe to repeat.",
    )
    parser.add_argument(
        "--target",
        choices=("all", "store", "supabase"),
        default="all",
        help="store = TiDB (or the embedded DuckDB file); supabase = the mirror database (default: all)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.kpi import migrate

    settings = settings_from(args)
    applied = migrate(settings, target=args.target)
    for target, labels in applied.items():
        print(f"{target}: " + (f"applied {', '.join(labels)}" if labels else "up to date"))
    if "supabase" not in applied and args.target != "store":
        print("supabase: not migrated (no SUPABASE_DB_URL)")
    return 0
