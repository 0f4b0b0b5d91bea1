"""`nkpipe reconcile --date D [--to E] [--targets T,...]`: the lake's totals against Odoo's own."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from functions.cli.common import add_date_range, lake_from, print_table, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "reconcile", help="compare the lake's totals for a day with Odoo's server-side totals"
    )
    add_date_range(parser)
    parser.add_argument("--targets", help="targets to check (default: every target with a reconciliation)")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.reconcile import Check, reconcilable_targets, reconcile_day
    from shared.config import require_odoo
    from shared.dates import parse_range
    from shared.errors import InputError
    from shared.odoo import connect

    settings = settings_from(args)
    known = reconcilable_targets()
    targets = [t.strip() for t in (args.targets or "").split(",") if t.strip()] or known
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise InputError(f"cannot reconcile {', '.join(map(repr, unknown))}: choose from {', '.join(known)}")
    days = parse_range(args.date, args.to, settings.business_tz, settings.max_range_days)
    require_odoo(settings)
    lake = lake_from(settings)
    checks: list[tuple[date, Check]] = []
    with connect(settings) as odoo:
        for day in days:
            checks.extend((day, check) for check in reconcile_day(settings, lake, day, odoo, targets))
    print_table(
        [
            {
                "date": day.isoformat(), "dataset": c.dataset, "measure": c.measure, "lake": c.lake,
                "odoo": c.odoo, "ok": c.shown, "note": c.note,
            }
            for day, c in checks
        ]
    )
    differences = [f"{day} {c.describe()}" for day, c in checks if not c.ok]
    if differences:
        print("error: reconciliation differences: " + "; ".join(differences), file=sys.stderr)
        return 1
    return 0
