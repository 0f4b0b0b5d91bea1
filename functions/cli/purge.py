"""`nkpipe purge --targets T[,…] --layers raw,clean,star [--from D --to E | --older-than 90d] [--yes]`."""

from __future__ import annotations

import argparse

from functions.cli.common import lake_from, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "purge", help="delete exactly the named partitions (shows them and deletes nothing without --yes)"
    )
    parser.add_argument("--targets", help="pos,invoice-sales,… (required, except for raw retention)")
    parser.add_argument("--layers", required=True, help="any of raw,clean,star")
    parser.add_argument("--from", dest="start", metavar="D", help="first day (inclusive)")
    parser.add_argument("--to", dest="end", metavar="E", help="last day (inclusive)")
    parser.add_argument("--older-than", metavar="AGE", help="only partitions older than AGE, e.g. 90d (raw retention)")
    parser.add_argument(
        "--all-dates", action="store_true", help="every day of these targets (and their dimension files)"
    )
    parser.add_argument("--with-downstream", action="store_true", help="also the profit outputs and the sales KPI rows of those days")
    parser.add_argument("--yes", action="store_true", help="really delete")
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.pipeline import TARGETS, parse_targets
    from functions.recovery import RETENTION_LAYER, execute_purge, parse_age, parse_layers, plan_purge
    from shared.dates import parse_day, today
    from shared.errors import InputError

    settings = settings_from(args)
    tz = settings.business_tz
    layers = parse_layers(args.layers)
    older_than = None
    if args.older_than:
        if args.start or args.end:
            raise InputError("use either --older-than or --from/--to, not both")
        older_than = today(tz) - parse_age(args.older_than)
    if args.targets:
        targets = parse_targets(args.targets)
    elif older_than is not None and layers == (RETENTION_LAYER,):
        # the one purge without --targets (documented): raw retention applies to every dataset
        targets = TARGETS
        print(f"raw retention: every target ({', '.join(targets)})")
    else:
        raise InputError("no targets given: name them with --targets (the whole lake is never one flag away)")
    if not (args.start or args.end or older_than is not None or args.all_dates):
        raise InputError(
            "name the days: --from/--to, or --older-than AGE, or --all-dates for every day of these targets"
        )
    if args.all_dates and (args.start or args.end or older_than is not None):
        raise InputError("--all-dates goes alone, without --from/--to/--older-than")
    start = parse_day(args.start, tz) if args.start else None
    end = parse_day(args.end, tz) if args.end else None
    lake = lake_from(settings)
    plan = plan_purge(lake, targets, layers, start, end, older_than, args.with_downstream)
    if not plan.keys:
        print("nothing to delete")
        return 0
    for table, count in plan.tables.items():
        print(f"{table}: {count} partition(s)")
    if plan.sales_kpi_days:
        print(f"sales KPI rows of {len(plan.sales_kpi_days)} day(s) (KPI store and Supabase mirror)")
    if not args.yes:
        for key in plan.keys[:20]:
            print(f"  would delete {key}")
        if len(plan.keys) > 20:
            print(f"  … and {len(plan.keys) - 20} more")
        if plan.first_day:
            print(f"watermarks of {', '.join(plan.reset_datasets)} would move back to the day before {plan.first_day}: "
                  "health and catch-up then count those days as not processed")
        print(f"dry run: {len(plan.keys)} object(s) would be deleted; add --yes to delete them")
        return 0
    deleted = execute_purge(lake, plan, reason=" ".join(f"{k}={v}" for k, v in vars(args).items() if k in ("targets", "layers", "start", "end", "older_than") and v), settings=settings)
    print(f"deleted {deleted} object(s)")
    if plan.first_day:
        print(f"watermarks of {', '.join(plan.reset_datasets)} moved back before {plan.first_day}: "
              "run `nkpipe catch-up` (or rebuild) to process those days again")
    return 0
