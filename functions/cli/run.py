"""`nkpipe run --date D [--to E] [--stages S,...] [--targets T,...] [--dry-run]`."""

from __future__ import annotations

import argparse
import sys

from functions.cli.common import (
    add_date_range,
    lake_from,
    print_table,
    progress_printer,
    report_unverified,
    settings_from,
)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("run", help="run stages for a business day or a range")
    add_date_range(parser)
    parser.add_argument("--stages", help="extract,transform,profit,kpi,mirror (default: all, in that order)")
    parser.add_argument(
        "--targets", help="pos,invoice-sales,purchases,inventory-moves,stock-quants,dimensions (default: all)"
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would be read and written; change nothing")
    parser.add_argument(
        "--intraday",
        action="store_true",
        help="provisional refresh of today (--date today): pos, invoice-sales, purchases by default",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.cli import EXIT_FAILED, EXIT_UNVERIFIED
    from functions.pipeline import (
        INTRADAY_TARGETS,
        check_intraday_days,
        parse_stages,
        parse_targets,
        run_days,
    )
    from shared.dates import parse_range, today

    settings = settings_from(args)
    stages = parse_stages(args.stages)
    targets = parse_targets(args.targets or (INTRADAY_TARGETS if args.intraday else None))
    # `today` is today's business day in BUSINESS_TZ (the intraday refresh's spelling)
    def day_text(text: str) -> str:
        return today(settings.business_tz).isoformat() if text == "today" else text

    last = day_text(args.to) if args.to else None
    days = parse_range(day_text(args.date), last, settings.business_tz, settings.max_range_days)
    if args.intraday:
        check_intraday_days(settings, days)
    results = run_days(
        settings,
        lake_from(settings),
        days,
        stages,
        targets,
        progress=progress_printer(),
        dry_run=args.dry_run,
        intraday=args.intraday,
    )
    print_table(
        [
            {
                "date": r.day.isoformat(),
                "stage": r.stage,
                "dataset": r.dataset,
                "status": r.status,
                "rows": sum(r.rows.values()),
                "seconds": r.duration_s,
            }
            for r in results
        ]
    )
    if args.intraday and not args.dry_run:
        print(f"provisional (sementara) figures of {days[0]}: the nightly run makes them final")
    elif not args.dry_run and stages[-1] != "mirror":
        # an upstream rerun leaves the days below it older than their inputs: say so, and how to refresh
        from functions.staleness import find_stale, stale_notice

        for line in stale_notice(find_stale(lake_from(settings))):
            print(line)
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"error: {len(failed)} stage run(s) failed", file=sys.stderr)
        return EXIT_FAILED
    if report_unverified(results):
        return EXIT_UNVERIFIED
    return 0
