"""Loading the KPI SQL files and binding their named parameters for each driver.

SQL texts use `:name` placeholders. The same text runs on MariaDB/TiDB (pymysql, `%(name)s`) and on
DuckDB (`$name`); values always travel through the driver, never formatted into the text.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@cache
def read_sql(relative_path: str) -> str:
    """Text of a .sql file shipped inside functions/kpi (e.g. 'sql/inventory_day.sql')."""
    return resources.files("functions.kpi").joinpath(relative_path).read_text(encoding="utf-8")


def split_statements(text: str) -> list[str]:
    """Statements of a file: each ends with `;` at the end of a line; `--` comment lines are dropped.

    Our files keep semicolons out of string literals and bodies, so this simple rule is enough.
    """
    statements: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip().startswith("--") and not current:
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(current).strip().rstrip(";").strip()
            if statement and not all(part.strip().startswith("--") for part in statement.splitlines()):
                statements.append(statement)
            current = []
    tail = "\n".join(current).strip()
    if tail and not all(part.strip().startswith("--") or not part.strip() for part in tail.splitlines()):
        statements.append(tail)
    return statements


@cache
def statements(relative_path: str) -> tuple[str, ...]:
    return tuple(split_statements(read_sql(relative_path)))


def parameter_names(sql: str) -> list[str]:
    return list(dict.fromkeys(_PLACEHOLDER.findall(sql)))


def bind_mysql(sql: str) -> str:
    """`:name` → `%(name)s` for pymysql (literal `%` doubled first)."""
    return _PLACEHOLDER.sub(r"%(\1)s", sql.replace("%", "%%"))


def bind_duckdb(sql: str) -> str:
    """`:name` → `$name` for DuckDB's named parameters."""
    return _PLACEHOLDER.sub(r"$\1", sql)


def pick(params: dict | None, sql: str) -> dict:
    """Only the parameters a statement uses (DuckDB refuses extra ones); a missing one is a bug."""
    params = params or {}
    names = parameter_names(sql)
    missing = [n for n in names if n not in params]
    if missing:
        raise KeyError(f"SQL parameter(s) not given: {', '.join(missing)}")
    return {n: params[n] for n in names}
