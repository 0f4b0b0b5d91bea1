"""functions/kpi/sqlfile.py: statement splitting and `:name` binding for pymysql and DuckDB."""

from __future__ import annotations

import pytest

from functions.kpi import sqlfile


def test_split_statements_drops_comments_and_keeps_order():
    text = "-- header\n\nDELETE FROM t WHERE d = :day;\n-- why\nINSERT INTO t (a)\nSELECT :day;\n-- trailing\n"
    assert sqlfile.split_statements(text) == ["DELETE FROM t WHERE d = :day", "INSERT INTO t (a)\nSELECT :day"]


def test_bind_mysql_and_duckdb_leave_literals_and_casts_alone():
    sql = "SELECT :a, '00:00', x::int, :b_2 FROM t WHERE s LIKE 'k%' AND y = :a"
    assert sqlfile.bind_mysql(sql) == "SELECT %(a)s, '00:00', x::int, %(b_2)s FROM t WHERE s LIKE 'k%%' AND y = %(a)s"
    assert sqlfile.bind_duckdb(sql) == "SELECT $a, '00:00', x::int, $b_2 FROM t WHERE s LIKE 'k%' AND y = $a"
    assert sqlfile.parameter_names(sql) == ["a", "b_2"]


def test_pick_passes_only_used_parameters_and_names_missing_ones():
    assert sqlfile.pick({"a": 1, "b": 2, "c": 3}, "SELECT :a, :c") == {"a": 1, "c": 3}
    with pytest.raises(KeyError, match="not given: b"):
        sqlfile.pick({"a": 1}, "SELECT :a, :b")


def test_every_shipped_sql_file_splits_into_statements():
    for path in ("sql/inventory_day.sql", "sql/fleet_day.sql", "sql/rollback_day.sql", "sql/ops_schema_mysql.sql"):
        statements = sqlfile.statements(path)
        assert statements and all(s.strip() and not s.rstrip().endswith(";") for s in statements)
