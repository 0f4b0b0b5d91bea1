"""`nkpipe validate-profit --date D [--samples DIR]`: check one day's profit outputs."""

from __future__ import annotations

import argparse
import sys

from functions.cli.common import lake_from, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "validate-profit",
        help="check a day's profit: multipliers, exclusions, line costs, aggregates, views",
        description=(
            "Checks that tax multipliers were applied, bonus lines and refunds stayed out of the cost "
            "events, every sales line has a cost or is flagged cost_missing, the aggregates equal the "
            "sums of their lines, and the DuckDB views open. Warns about purchase taxes the multiplier "
            "map does not name. Exits 1 when a check fails."
        ),
    )
    parser.add_argument("--date", required=True, metavar="D", help="business day YYYY-MM-DD")
    parser.add_argument("--samples", metavar="DIR", help="write one CSV sample per check under DIR/<date>/")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.profit.validate import format_report, validate_day, write_samples
    from shared.dates import parse_day

    settings = settings_from(args)
    day = parse_day(args.date, settings.business_tz)
    lake = lake_from(settings)
    checks = validate_day(settings, lake, day)
    sys.stdout.write(format_report(day, lake.url, checks))
    if args.samples:
        paths = write_samples(checks, args.samples, day)
        sys.stdout.write(
            f"samples: {len(paths)} CSV file(s) in {paths[0].parent if paths else args.samples}\n"
        )
    failed = [c.name for c in checks if not c.ok]
    if failed:
        print(f"error: profit validation failed for {day}: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
