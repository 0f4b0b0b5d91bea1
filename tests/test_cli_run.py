"""The `nkpipe` command line: bad input gives one clear line and exit 2, changing nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from functions.cli import main
from functions.pipeline import PIPELINES, STAGES, TARGETS, parse_pipeline, parse_stages, parse_targets
from shared.errors import InputError


def test_contract_names():
    assert STAGES == ("extract", "transform", "profit", "kpi", "mirror")
    assert TARGETS == ("pos", "invoice-sales", "purchases", "inventory-moves", "stock-quants", "dimensions")
    assert set(TARGETS) | {"profit", "kpi", "intraday"} == set(PIPELINES)
    assert PIPELINES["intraday"] == (STAGES, ("pos", "invoice-sales", "purchases"))


def test_stage_and_target_parsing_keeps_canonical_order():
    assert parse_stages("profit,extract") == ("extract", "profit")
    assert parse_stages(None) == STAGES
    assert parse_targets("dimensions, pos") == ("pos", "dimensions")
    with pytest.raises(InputError, match="unknown stage 'load'"):
        parse_stages("extract,load")
    with pytest.raises(InputError, match="unknown target 'sales'"):
        parse_targets("sales")
    with pytest.raises(InputError, match="no stage given"):
        parse_stages(" , ")
    with pytest.raises(InputError, match="unknown pipeline"):
        parse_pipeline("everything")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--date", "2026-13-01"], "error: bad date '2026-13-01': expected YYYY-MM-DD"),
        (["run", "--date", "2026-11-05", "--to", "2026-11-01"], "error: end 2026-11-01 is before start 2026-11-05"),
        (["run", "--date", "2999-01-01"], "error: date 2999-01-01 is in the future"),
        (["run", "--date", "2026-11-01", "--stages", "load"], "error: unknown stage 'load'"),
        (["run", "--date", "2026-11-01", "--targets", "sales"], "error: unknown target 'sales'"),
        (["run", "--date", "2026-11-01", "--stages", "extract"], "error: ODOO_HOST is not set"),
        (["run", "--date", "2026-11-01", "--intraday"], "error: an intraday run is for today's business day only"),
        (["run", "--date", "today", "--to", "today", "--intraday", "--stages", "extract"], "error: ODOO_HOST is not set"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ODOO_HOST", raising=False)
    code = main([*argv, "--lake", str(tmp_path / "lake")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith(message)
    assert not (tmp_path / "lake").exists()


def test_bad_configuration_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BUSINESS_TZ", "Mars/Base")
    code = main(["run", "--date", "2026-11-01", "--stages", "profit"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == ["error: bad configuration: BUSINESS_TZ: unknown time zone 'Mars/Base' (got 'Mars/Base')"]


def test_installed_command_runs():
    result = subprocess.run(
        [sys.executable, "-m", "functions.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "run" in result.stdout


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["run"], "error: nkpipe run: the following arguments are required: --date"),
        (["frobnicate"], "error: nkpipe: argument COMMAND: invalid choice: 'frobnicate'"),
        (["purge", "--targets", "pos"], "error: nkpipe purge: the following arguments are required: --layers"),
        (["kpi", "drop", "--bogus"], "error: nkpipe: unrecognized arguments: --bogus"),
    ],
)
def test_usage_mistakes_are_one_line_too(argv, start, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2
    assert len(err) == 1 and err[0].startswith(start)


def test_a_failing_stage_is_one_line_when_stderr_is_not_a_terminal(tmp_path):
    from tests.fixtures.services import free_port

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "TIDB_", "SUPABASE_"))}
    # Supabase "down": nothing listens on that loopback port.
    env.update(SUPABASE_DB_URL=f"postgresql://u:p@127.0.0.1:{free_port()}/db", KPI_DUCKDB_PATH=str(tmp_path / "k.duckdb"))
    result = subprocess.run(
        [sys.executable, "-m", "functions.cli", "run", "--date", "2026-11-01", "--stages", "mirror",
         "--lake", str(tmp_path / "lake"), "--env-file", "/nonexistent"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1
    # The failure is one `error:` line, last; anything before it is a log entry (the notice that the
    # embedded KPI store is used is a WARNING by design), never a second report of the failure.
    assert lines[-1].startswith("error: "), result.stderr
    assert [line for line in lines if line.startswith("error:")] == [lines[-1]]
    for line in lines[:-1]:
        assert json.loads(line)["severity"] in ("INFO", "WARNING"), line
    assert "u:p@" not in result.stderr and ":p@" not in result.stdout


def test_a_failed_result_names_an_unexpected_error_by_its_type_only(tmp_path, monkeypatch):
    """results[].message (the rerun answer, the run summary) never copies an unexpected error's text."""
    from datetime import date

    from functions import pipeline
    from shared.config import load_settings
    from shared.errors import TerminalError
    from shared.lake import open_lake

    def profit_that_breaks(call):
        raise KeyError("postgresql://postgres:TypeOnly77@db/x row 'Budi Santoso'")

    monkeypatch.setitem(pipeline.STAGE_TABLE, "profit", pipeline.Stage("profit", profit_that_breaks))
    seen = []
    settings = load_settings({"DATA_LAKE_ROOT": str(tmp_path)}, env_file=None)
    with pytest.raises(KeyError):
        pipeline.run_days(settings, open_lake(str(tmp_path)), [date(2026, 11, 19)], ("profit",), progress=seen.append)
    assert [r.message for r in seen] == ["unexpected KeyError; see the log"]
    assert pipeline.error_message(TerminalError("odoo refused: access denied")) == "odoo refused: access denied"
