"""`nkpipe kpi rollback --date D [--to E] [--yes]` and `nkpipe kpi drop [--yes]`.

Both first show what they would delete, rows per table and side, and change nothing without `--yes`:
rollback deletes the rows of the given data_date(s) from every KPI table, in TiDB (or the embedded
store) and in Supabase; drop removes the KPI tables themselves. A rollback of more days than
KPI_ROLLBACK_MAX_DAYS (default 7) also needs --allow-long-range: a year of KPI rows is never one
typo away.
"""

from __future__ import annotations

import argparse

from functions.cli.common import add_date_range, print_table, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("kpi", help="roll back KPI days or drop the KPI tables")
    verbs = parser.add_subparsers(dest="kpi_command", metavar="ACTION")
    verbs.required = True
    rollback = verbs.add_parser("rollback", help="delete one data_date (or a range) from every KPI table, both sides")
    add_date_range(rollback)
    rollback.add_argument("--yes", action="store_true", help="really delete (otherwise only shows the rows)")
    rollback.add_argument(
        "--allow-long-range", action="store_true", help="needed, with --yes, for more than KPI_ROLLBACK_MAX_DAYS days"
    )
    drop = verbs.add_parser("drop", help="drop the KPI tables in TiDB/the embedded store and Supabase")
    drop.add_argument(
        "--yes", "--yes-drop-kpi-tables", dest="yes", action="store_true",
        help="really drop them (otherwise only shows what they hold)",
    )
    show = verbs.add_parser("show", help="print a summary of the KPI rows of a day")
    show.add_argument("--date", required=True, metavar="D", help="business day YYYY-MM-DD")
    # The common options are accepted after the action too (`nkpipe kpi rollback --date D --lake X`).
    for action in (rollback, drop, show):
        _add_common_options_after(action)
    return parser


def _add_common_options_after(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: an option not given after the action must not hide one given before it.
    group = parser.add_argument_group("common options")
    group.add_argument("--lake", metavar="ROOT", default=argparse.SUPPRESS, help="lake root (overrides DATA_LAKE_ROOT)")
    group.add_argument("--env-file", metavar="PATH", default=argparse.SUPPRESS, help="settings file (default: .env)")
    group.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging")


def run(args: argparse.Namespace) -> int:
    from functions.kpi import demo_summary, drop_kpi_tables, plan_drop, plan_rollback, rollback_day
    from shared.dates import parse_day, parse_range
    from shared.errors import InputError

    settings = settings_from(args)
    if args.kpi_command == "rollback":
        days = parse_range(args.date, args.to, settings.business_tz, settings.max_range_days)
        if len(days) > settings.kpi_rollback_max_days and not args.allow_long_range:
            raise InputError(
                f"{len(days)} days is more than KPI_ROLLBACK_MAX_DAYS={settings.kpi_rollback_max_days}: "
                "check the dates, and add --allow-long-range if you really mean it"
            )
        span = f"{days[0]} .. {days[-1]} ({len(days)} day(s))"
        if not args.yes:
            planned = plan_rollback(settings, days[0], days[-1])
            print_table(_side_rows(planned, "would delete"))
            print(f"dry run: {_total(planned)} KPI row(s) of {span} would be deleted; add --yes to delete them")
            return 0
        rows: list[dict[str, object]] = []
        deleted = 0
        for day in days:
            for side, tables in rollback_day(settings, day).items():
                rows.extend({"date": day.isoformat(), "side": side, "table": t, "deleted": n} for t, n in tables.items())
                deleted += sum(tables.values())
        print_table(rows)
        print(f"deleted {deleted} KPI row(s) of {span}")
        return 0
    if args.kpi_command == "drop":
        if not args.yes:
            planned = plan_drop(settings)
            print_table(_side_rows(planned, "rows"))
            print(f"dry run: {len(_side_rows(planned, 'rows'))} KPI table(s) with {_total(planned)} row(s) "
                  "would be dropped; add --yes to drop them")
            return 0
        dropped = drop_kpi_tables(settings, confirm=True)
        for side, names in dropped.items():
            print(f"{side}: dropped {', '.join(names) if names else 'nothing (no KPI tables)'}")
        return 0
    day = parse_day(args.date, settings.business_tz)
    print_table(demo_summary(settings, day))
    return 0


def _side_rows(planned: dict[str, dict[str, int]], column: str) -> list[dict[str, object]]:
    return [{"side": side, "table": table, column: rows} for side, tables in planned.items() for table, rows in tables.items()]


def _total(planned: dict[str, dict[str, int]]) -> int:
    return sum(rows for tables in planned.values() for rows in tables.values())
