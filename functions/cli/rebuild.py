"""`nkpipe rebuild --targets T --from D --to E [--with-downstream]`: reset + rerun a range, resumable."""

from __future__ import annotations

import argparse
import sys

from functions.cli.common import lake_from, progress_printer, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "rebuild",
        help="reset watermarks and rerun a range day by day (each day replaced, never deleted first); "
        "run it again to resume",
    )
    parser.add_argument("--targets", required=True, help="pos,invoice-sales,…")
    parser.add_argument("--from", dest="start", required=True, metavar="D")
    parser.add_argument("--to", dest="end", required=True, metavar="E")
    parser.add_argument("--with-downstream", action="store_true", help="also rerun profit, kpi and mirror")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.pipeline import parse_targets
    from functions.recovery import rebuild
    from shared.dates import parse_range
    from shared.errors import InputError

    if not args.targets.strip(" ,"):
        raise InputError("no targets given: name them with --targets")
    settings = settings_from(args)
    targets = parse_targets(args.targets)
    days = parse_range(args.start, args.end, settings.business_tz, settings.max_range_days)

    def on_day(day, index, total):  # noqa: ANN001
        print(f"rebuilt {day} ({index}/{total})", file=sys.stderr, flush=True)

    state = rebuild(
        settings, lake_from(settings), targets, days, args.with_downstream, progress=progress_printer(), on_day=on_day
    )
    resumed = " (resumed)" if state.get("resumed") else ""
    print(f"rebuild of {', '.join(targets)} {state['from']} .. {state['to']} finished{resumed}: {len(state['done'])} day(s)")
    return 0
