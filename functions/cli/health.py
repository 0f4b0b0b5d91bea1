"""`nkpipe health`: the last processed business day of every dataset and KPI table, fresh or behind."""

from __future__ import annotations

import argparse
import json

from functions.cli.common import lake_from, print_table, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("health", help="latest processed day per dataset and KPI table, fresh or behind")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything is behind, never ran, or a recent day is unverified")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.health import health_report, health_rows, intraday_line

    settings = settings_from(args)
    report = health_report(settings, lake_from(settings))
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print(
            f"{report['status']}: expected day {report['expected_day']} ({settings.business_tz}); "
            f"lake {settings.data_lake_root}"
        )
        print_table(health_rows(report))
        print(intraday_line(report.get("intraday")))
    return 1 if args.strict and not report["ok"] else 0
