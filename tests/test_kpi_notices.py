"""Notices a user must see at the CLI's default level (functions/kpi/notices.py): the embedded store,
the skipped mirror and missing operational tables, each said once per run in one line."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from functions.cli import main
from functions.kpi import load_ops_into, run_mirror
from functions.kpi.notices import warn_once
from shared.config import load_settings
from shared.errors import ConfigError
from shared.lake import open_lake
from shared.log import log_context
from tests.test_kpi_stage import tidb_env

D = date(2024, 3, 10)


@pytest.fixture
def env(tmp_path, lake_root):
    return {"DATA_LAKE_ROOT": str(lake_root), "KPI_DUCKDB_PATH": str(tmp_path / "kpi.duckdb")}


def warnings_in(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and text in r.getMessage()]


def test_warn_once_says_a_notice_once_per_run_and_always_outside_a_run(caplog):
    with log_context(run_id="run-a"):
        warn_once("test-kind", "notice %s", 1)
        warn_once("test-kind", "notice %s", 2)
    with log_context(run_id="run-b"):
        warn_once("test-kind", "notice %s", 3)
    warn_once("test-kind", "notice %s", 4)
    warn_once("test-kind", "notice %s", 5)
    expected = ["notice 1", "notice 3", "notice 4", "notice 5"]
    assert warnings_in(caplog, "notice ") == expected


def test_cli_run_of_two_days_says_each_notice_once_at_the_default_level(env, monkeypatch, capsys, caplog):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("TIDB_HOST", "SUPABASE_DB_URL", "SUPABASE_URL", "SUPABASE_SERVICE_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(environ=env, env_file=None)
    load_ops_into(settings, [D - timedelta(days=1), D], seed=3, scale=0.01)
    args = ["run", "--date", "2024-03-09", "--to", "2024-03-10", "--stages", "kpi,mirror"]

    caplog.clear()  # load_ops_into, outside any run, said it already
    capsys.readouterr()

    assert main([*args, "--env-file", "/nonexistent/.env"]) == 0

    # Counted as log events (not stderr lines): what matters is that the run says each notice once,
    # at WARNING, which the CLI's default level shows.
    embedded = warnings_in(caplog, "TIDB_HOST not set: using the embedded KPI store")
    skipped = [m for m in warnings_in(caplog, "no Supabase setting") if "mirror skipped" in m]
    assert (len(embedded), len(skipped)) == (1, 1)
    assert "TIDB_HOST not set" in capsys.readouterr().err


def test_mirror_skipped_is_a_warning(env, caplog):
    settings = load_settings(environ=env, env_file=None)
    run_mirror(settings, open_lake(settings.data_lake_root), D)
    assert len(warnings_in(caplog, "mirror skipped")) == 1


def test_missing_operational_tables_is_a_one_line_warning(env, mysql_database, caplog):
    settings = load_settings(environ={**env, **tidb_env(mysql_database)}, env_file=None)
    from functions.kpi import run_kpi

    with pytest.raises(ConfigError, match="no operational table"):
        run_kpi(settings, open_lake(settings.data_lake_root), D)
    result = warnings_in(caplog, "no operational table(s) inventory_tx, shipments, scan_event")
    assert len(result) == 1 and "\n" not in result[0]
