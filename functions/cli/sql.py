"""`nkpipe sql "select …"`: run one query over the lake's DuckDB views and print a table.

Views: every star-schema table (`fact_*`, `dim_*`, profit outputs) and `fact_sales_all`.
Read-only by the engine, not by the text: DuckDB's parser classifies the statement, and the
connection has no external access beyond the lake's star schema, no extension loading and a locked
configuration (docs/deploy.md, "Analysts").
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from functions.cli.common import lake_from, print_table, settings_from

if TYPE_CHECKING:
    import duckdb

DEFAULT_MAX_ROWS = 1000


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("sql", help="query the lake's star schema with DuckDB and print a table")
    parser.add_argument("query", help='one SQL statement, e.g. "select count(*) from fact_sales_all"')
    parser.add_argument(
        "--max-rows", type=int, default=DEFAULT_MAX_ROWS, metavar="N",
        help=f"print at most N rows (default {DEFAULT_MAX_ROWS})",
    )
    return parser


# Set on the connection before the analyst's statement runs, the lock last: after it no statement can
# change any of them (`SET enable_external_access = true` fails).
_READ_ONLY_SETTINGS = (
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def _inner_of_explain(statement_text: str) -> str:
    """The statement an EXPLAIN [ANALYZE] [(options)] explains, cut out with DuckDB's own tokenizer."""
    import duckdb

    offsets = [offset for offset, _ in duckdb.tokenize(statement_text)]
    words = [
        statement_text[start:end].strip().upper()
        for start, end in zip(offsets, [*offsets[1:], len(statement_text)], strict=True)
    ]
    position, depth = 1, 0  # words[0] is EXPLAIN
    while position < len(words):
        word = words[position]
        if word == "(":
            depth += 1
        elif word == ")" and depth:
            depth -= 1
        elif not depth and word != "ANALYZE":
            return statement_text[offsets[position]:]
        position += 1
    return ""


def require_read_only(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """One read statement only, classified by DuckDB's parser: a SELECT (with, describe, show,
    summarize, from …) or an EXPLAIN of one. `EXPLAIN ANALYZE` runs its statement, so an EXPLAIN of a
    COPY, INSTALL or anything else is refused like the statement itself (a COPY … TO a partition
    would bypass the schema check and the atomic writer)."""
    import duckdb

    from shared.errors import InputError

    statements = con.extract_statements(query)
    if len(statements) != 1:
        raise InputError(f"sql: give exactly one statement (got {len(statements)})")
    statement = statements[0]
    kind: duckdb.StatementType | None = statement.type
    if kind == duckdb.StatementType.EXPLAIN:
        inner = con.extract_statements(_inner_of_explain(statement.query) or "EXPLAIN")
        kind = inner[0].type if len(inner) == 1 else None
        if kind != duckdb.StatementType.SELECT:
            name = str(kind).rsplit(".", 1)[-1] if kind is not None else "several statements"
            raise InputError(f"sql: explain only a query (select, with, describe, show, summarize), not {name}")
    elif kind != duckdb.StatementType.SELECT:
        name = str(kind).rsplit(".", 1)[-1]
        raise InputError(f"sql: only queries are allowed (select, with, describe, show, summarize, explain), not {name}")


def lock_down(con: duckdb.DuckDBPyConnection, readable_dir: str | None) -> None:
    """The engine's own guard: no file or network outside `readable_dir` (the star schema of a local
    lake, which the views read in place), no extension installed or loaded, configuration locked."""
    if readable_dir is not None:
        con.execute("SET allowed_directories = $dirs", {"dirs": [readable_dir.rstrip("/") + "/"]})
    for statement in _READ_ONLY_SETTINGS:
        con.execute(statement)


def run(args: argparse.Namespace) -> int:
    import duckdb

    from functions.views import STAR_PREFIX, open_views
    from shared.errors import InputError

    if args.max_rows < 1:
        raise InputError("--max-rows must be at least 1")
    settings = settings_from(args)
    lake = lake_from(settings)
    con = open_views(lake)
    root = getattr(lake.store, "root", None)
    lock_down(con, str(root / STAR_PREFIX) if root is not None else None)
    try:
        require_read_only(con, args.query)
        relation = con.sql(args.query)  # None for a statement that returns nothing
        columns: list[str] = []
        rows: list[dict[str, Any]] = []
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
