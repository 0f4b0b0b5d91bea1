"""`nkpipe sql "select …"`: run one query over the lake's DuckDB views and print a table.

Views: every star-schema table (`fact_*`, `dim_*`, profit outputs) and `fact_sales_all`.
"""

from __future__ import annotations

import argparse
import sys

from functions.cli.common import lake_from, print_table, settings_from

DEFAULT_MAX_ROWS = 1000


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("sql", help="query the lake's star schema with DuckDB and print a table")
    parser.add_argument("query", help='one SQL statement, e.g. "select count(*) from fact_sales_all"')
    parser.add_argument(
        "--max-rows", type=int, default=DEFAULT_MAX_ROWS, metavar="N",
        help=f"print at most N rows (default {DEFAULT_MAX_ROWS})",
    )
    return parser


def require_read_only(con, query: str) -> None:  # noqa: ANN001
    """One read statement only: `nkpipe sql` looks at the lake, it never writes it (a COPY … TO a
    partition would bypass the schema check and the atomic writer)."""
    import duckdb

    from shared.errors import InputError

    statements = con.extract_statements(query)
    if len(statements) != 1:
        raise InputError(f"sql: give exactly one statement (got {len(statements)})")
    if statements[0].type not in (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN):
        kind = str(statements[0].type).rsplit(".", 1)[-1]
        raise InputError(f"sql: only queries are allowed (select, with, describe, show, summarize, explain), not {kind}")


def run(args: argparse.Namespace) -> int:
    import duckdb

    from functions.views import open_views
    from shared.errors import InputError

    if args.max_rows < 1:
        raise InputError("--max-rows must be at least 1")
    settings = settings_from(args)
    con = open_views(lake_from(settings))
    try:
        require_read_only(con, args.query)
        relation = con.sql(args.query)  # None for a statement that returns nothing
        columns, rows = [], []
        if relation is not None:
            # through Arrow: timezone-aware timestamps need no pytz, and only the rows shown are read
            reader = relation.to_arrow_reader(min(args.max_rows + 1, 10_000))
            columns = reader.schema.names
            while len(rows) <= args.max_rows:
                try:
                    rows.extend(reader.read_next_batch().to_pylist())
                except StopIteration:
                    break
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"sql: {first_line}") from None
    shown = rows[: args.max_rows]
    print_table(shown, columns)
    if len(rows) > args.max_rows:
        print(f"(first {args.max_rows} rows shown; use --max-rows for more)", file=sys.stderr)
    con.close()
    return 0
