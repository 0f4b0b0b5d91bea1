"""`nkpipe restore --table X --date D [--back N | --version V] [--list]`: put back an earlier copy of a partition.

A plain restore goes back one version from the newest one a run wrote; run it twice and the second
time says it is already there. `--back 2` goes back two versions; `--list` shows them all.
"""

from __future__ import annotations

import argparse

from functions.cli.common import lake_from, print_table, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "restore", help="put back an earlier stored version of one partition (after a bad rerun)"
    )
    parser.add_argument("--table", required=True, help="table name, e.g. fact_sales or raw/pos")
    parser.add_argument("--date", metavar="D", help="the partition's day (not for dimension tables)")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--back", type=int, default=1, metavar="N",
        help="go back N versions from the newest one a run wrote (default 1)",
    )
    choice.add_argument("--version", help="a specific stored version (see --list)")
    parser.add_argument("--list", action="store_true", help="only list the stored versions")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.health import zone_label
    from functions.recovery import find_table, list_versions, restore_partition, restore_target
    from functions.staleness import find_stale, stale_notice
    from shared.dates import parse_day

    settings = settings_from(args)
    spec = find_table(args.table)
    day = parse_day(args.date, settings.business_tz) if args.date else None
    lake = lake_from(settings)
    tz = settings.business_tz
    if args.list:
        versions = list_versions(lake, spec, day)
        target = None
        if any(not v.current for v in versions):
            try:
                target = restore_target(versions, 1).version
            except Exception:  # noqa: BLE001 - nothing to go back to: no marker
                target = None
        print_table(
            [
                {
                    "version": v.version,
                    "written": zone_label(v.written_at or v.updated.isoformat(), tz),
                    "rows": v.rows,
                    "bytes": v.size,
                    "written by": v.written_by,
                    "current": v.current or (v.digest == next((c.digest for c in versions if c.current), None)),
                    "note": "restore goes here" if v.version == target else None,
                }
                for v in versions
            ]
        )
        return 0
    info = restore_partition(lake, spec, day, args.version, back=args.back)
    if not info["changed"]:
        print(f"{info['key']} already holds version {info['version']} ({info['rows']} rows): nothing to do")
        return 0
    print(
        f"restored {info['key']} from version {info['version']} "
        f"({zone_label(info['updated'], tz)}, {info['rows']} rows, written by {info['written_by'] or 'unknown'})"
    )
    for line in stale_notice(find_stale(lake)):
        print(line)
    return 0
