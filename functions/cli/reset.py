"""`nkpipe reset --to D [--targets T,…] [--yes]`: move watermarks back so catch-up redoes from D."""

from __future__ import annotations

import argparse

from functions.cli.common import lake_from, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("reset", help="move watermarks back so catch-up re-processes from a day")
    parser.add_argument("--to", required=True, metavar="D", help="catch-up will re-process from this day")
    parser.add_argument("--targets", help="only these targets' watermarks (default: all)")
    parser.add_argument("--yes", action="store_true", help="really move them (otherwise only shows them)")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.pipeline import parse_targets
    from functions.recovery import reset_watermarks
    from shared.dates import parse_day

    settings = settings_from(args)
    day = parse_day(args.to, settings.business_tz)
    targets = parse_targets(args.targets) if args.targets else None
    changes = reset_watermarks(lake_from(settings), day, targets, apply=args.yes)
    if not changes:
        print(f"no watermark is at or after {day}: nothing to move")
        return 0
    for name, (old, new) in changes.items():
        print(f"{name}: {old} -> {new}")
    print(f"{len(changes)} watermark(s) moved" if args.yes else "dry run: add --yes to move them")
    return 0
