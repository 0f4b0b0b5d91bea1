"""`nkpipe publish-sheet [--date D]`: write the `Status ETL` tab of SHEETS_SPREADSHEET_ID."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "publish-sheet",
        help="write the Status ETL tab (last runs, reconciliation, KPI dates) to the Google Sheet",
        description="Writes the 'Status ETL' tab of the spreadsheet SHEETS_SPREADSHEET_ID with a service "
        "account (GOOGLE_APPLICATION_CREDENTIALS locally), in one Sheets API batch update.",
    )
    parser.add_argument(
        "--date", metavar="D", help="only the runs of this business day (default: the newest of each)"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from functions.cli.common import lake_from, settings_from
    from functions.sheets.status_sheet import publish_status_sheet
    from shared.dates import parse_day

    settings = settings_from(args)
    day = parse_day(args.date, settings.business_tz) if args.date else None
    result = publish_status_sheet(settings, lake_from(settings), day)
    print(result.message)
    return 0 if result.ok else 1
