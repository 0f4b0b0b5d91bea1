"""`nkpipe catch-up`: process every day after the last fully processed one, and re-run recent days
whose Odoo records changed or disappeared since they were extracted (CATCHUP_LOOKBACK_DAYS)."""

from __future__ import annotations

import argparse

from functions.cli.common import lake_from, print_table, progress_printer, report_unverified, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("catch-up", help="process missed days and re-run recent days changed in Odoo")
    parser.add_argument("--plan", action="store_true", help="only show what would run (reads Odoo, writes nothing)")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.catchup import plan_catch_up, run_catch_up
    from functions.staleness import describe_days
    from shared.config import require_odoo
    from shared.odoo import connect

    settings = settings_from(args)
    require_odoo(settings)
    lake = lake_from(settings)
    with connect(settings) as odoo:
        if args.plan:
            plan = plan_catch_up(settings, lake, odoo)
        else:
            report = run_catch_up(settings, lake, odoo, progress=progress_printer())
            plan = report.plan
    last = plan.last_full.isoformat() if plan.last_full else "none"
    print(f"last fully processed day: {last}")
    print("new days: " + (", ".join(d.isoformat() for d in plan.new_days) or "none"))
    print("unverified days run again: " + (", ".join(d.isoformat() for d in plan.unverified) or "none"))
    rows = [{"date": c.day.isoformat(), "target": c.target, "why": "; ".join(c.reasons)} for c in plan.changes]
    if rows:
        print_table(rows)
    else:
        checked = len(plan.checked_days)
        print(f"no changes found in the {checked} processed day(s) of the lookback")
    if plan.stale:
        print(f"stale days (older than their inputs): {len({s.day for s in plan.stale})}")
        print_table(
            [
                {"date": s.day.isoformat(), "stage": s.stage, "dataset": s.dataset, "why": s.describe()}
                for s in plan.stale
            ]
        )
        for refresh in plan.refreshes():
            targets = f" (targets {', '.join(refresh.targets)})" if refresh.targets else ""
            print(f"re-run {','.join(refresh.stages)}{targets} for {describe_days(refresh.days)}")
    else:
        print("no stale days: every output is newer than its inputs")
    if not args.plan:
        from functions.cli import EXIT_FAILED, EXIT_UNVERIFIED

        failed = [r for r in report.results if not r.ok]
        if failed:
            return EXIT_FAILED
        return EXIT_UNVERIFIED if report_unverified(report.results) else 0
    return 0
