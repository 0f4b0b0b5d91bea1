"""`nkpipe restore --table X --date D [--version V] [--list]`: bring back the previous copy of a partition."""

from __future__ import annotations

import argparse

from functions.cli.common import lake_from, print_table, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "restore", help="put back the previous stored version of one partition (after a bad rerun)"
    )
    parser.add_argument("--table", required=True, help="table name, e.g. fact_sales or raw/pos")
    parser.add_argument("--date", metavar="D", help="the partition's day (not for dimension tables)")
    parser.add_argument("--version", help="a specific version (default: the newest one before the current)")
    parser.add_argument("--list", action="store_true", help="only list the stored versions")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.recovery import find_table, list_versions, restore_partition
    from shared.dates import parse_day

    settings = settings_from(args)
    spec = find_table(args.table)
    day = parse_day(args.date, settings.business_tz) if args.date else None
    lake = lake_from(settings)
    if args.list:
        print_table(
            [
                {"version": v.version, "updated": v.updated.isoformat(timespec="seconds"), "bytes": v.size, "current": v.current}
                for v in list_versions(lake, spec, day)
            ]
        )
        return 0
    info = restore_partition(lake, spec, day, args.version)
    print(f"restored {info['key']} from version {info['version']} ({info['updated']})")
    return 0
