"""`nkpipe kpi rollback --date D [--to E]` and `nkpipe kpi drop --yes-drop-kpi-tables`.

rollback deletes the rows of the given data_date(s) from every KPI table, in TiDB (or the embedded
store) and in Supabase; drop removes the KPI tables themselves and refuses without its flag.
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
    drop = verbs.add_parser("drop", help="drop the KPI tables in TiDB/the embedded store and Supabase")
    drop.add_argument(
        "--yes-drop-kpi-tables", action="store_true", help="required: confirms that the KPI tables are to be dropped"
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
    from functions.kpi import demo_summary, drop_kpi_tables, rollback_day
    from shared.dates import parse_day, parse_range

    settings = settings_from(args)
    if args.kpi_command == "rollback":
        days = parse_range(args.date, args.to, settings.business_tz, settings.max_range_days)
        rows: list[dict[str, object]] = []
        for day in days:
            for side, tables in rollback_day(settings, day).items():
                rows.extend({"date": day.isoformat(), "side": side, "table": t, "deleted": n} for t, n in tables.items())
        print_table(rows)
        return 0
    if args.kpi_command == "drop":
        dropped_tables = drop_kpi_tables(settings, confirm=args.yes_drop_kpi_tables)
        for side, names in dropped_tables.items():
            print(f"{side}: dropped {', '.join(names) if names else 'nothing (no KPI tables)'}")
        return 0
    day = parse_day(args.date, settings.business_tz)
    print_table(demo_summary(settings, day))
    return 0
