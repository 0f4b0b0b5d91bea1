"""The one run-record path: lock, record, work, close; the pipeline's run_id on every record and log line."""

from __future__ import annotations

import io
import json
import logging
from datetime import date

import pytest

from functions.pipeline import run_days
from functions.runs import DatasetRun, Outcome, lock_name, run_recorded
from shared.errors import LockedError, OdooError
from shared.lake import open_lake
from shared.log import configure_logging
from shared.metadata import Metadata
from shared.odoo_sim import OdooSimulator, SimConfig
from tests.odoo_helpers import sim_settings

D = date(2026, 11, 20)


def test_success_records_rows_calls_flags_and_moves_the_watermark(tmp_path):
    lake = open_lake(str(tmp_path))
    calls = {"x.search_read": 0}

    def work(attempt):
        attempt.count_calls(lambda: dict(calls))
        calls["x.search_read"] = 3
        return Outcome(rows={"fact_x": 2}, message="fine", extra={"note": "n"}, flags=("unverified",))

    [result] = run_recorded(lake, "transform", D, [DatasetRun("x", work)], run_id="run-1")
    record = Metadata(lake).last_run("transform", "x", D)
    assert (result.status, result.rows, result.message, result.run_id) == ("success", {"fact_x": 2}, "fine", "run-1")
    assert (record.status, record.run_id, record.calls) == ("success", "run-1", {"x.search_read": 3})
    assert record.extra == {"note": "n", "flags": ["unverified"]}
    assert Metadata(lake).get_watermark("transform", "x") == D


def test_a_skip_is_recorded_with_its_reason_and_leaves_the_watermark(tmp_path):
    lake = open_lake(str(tmp_path))
    [result] = run_recorded(lake, "transform", D, [DatasetRun("x", lambda _: Outcome.skipped("no raw"))])
    record = Metadata(lake).last_run("transform", "x", D)
    assert (result.status, result.message, record.extra) == ("skipped", "no raw", {"reason": "no raw"})
    assert Metadata(lake).get_watermark("transform", "x") is None


def test_a_failure_is_recorded_with_the_calls_made_and_raised(tmp_path):
    lake = open_lake(str(tmp_path))

    def work(attempt):
        attempt.count_calls(lambda: {"total": 2})
        raise OdooError("odoo said no")

    runs = [DatasetRun("a", lambda _: Outcome(rows={"t": 1})), DatasetRun("b", work), DatasetRun("c", work)]
    with pytest.raises(OdooError, match="odoo said no"):
        run_recorded(lake, "extract", D, runs, run_id="run-2")
    metadata = Metadata(lake)
    failed = metadata.last_run("extract", "b", D)
    assert (failed.status, failed.calls, failed.error) == ("failed", {"total": 2}, "OdooError: odoo said no")
    assert metadata.last_run("extract", "a", D).status == "success"
    assert metadata.last_run("extract", "c", D) is None  # never started
    assert (metadata.get_watermark("extract", "a"), metadata.get_watermark("extract", "b")) == (D, None)
    assert lake.store.list("metadata/locks/") == []


def test_a_held_lock_stops_the_run_before_any_record(tmp_path):
    lake = open_lake(str(tmp_path))
    runs = [DatasetRun(name, lambda _: Outcome()) for name in ("a", "b")]
    with lake.lock(lock_name("extract", "b", D), "another-run"):
        with pytest.raises(LockedError, match="already running: extract.b.2026-11-20"):
            run_recorded(lake, "extract", D, runs)
    assert Metadata(lake).runs() == []


def test_one_run_id_across_the_log_lines_and_run_records_of_one_run(tmp_path):
    config = SimConfig(seed=8, lines_per_day=12, days=2, end_day=D)
    lines = io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging(json_lines=True, stream=lines)
    try:
        with OdooSimulator(config).start() as sim:
            settings = sim_settings(sim, str(tmp_path / "lake"), kpi_duckdb_path=str(tmp_path / "kpi.duckdb"))
            lake = open_lake(settings.data_lake_root)
            results = run_days(settings, lake, [D], ["extract", "transform", "profit"], ["pos", "purchases"])
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    logged = [json.loads(line) for line in lines.getvalue().splitlines()]
    stage_lines = [entry for entry in logged if entry.get("stage")]
    records = Metadata(lake).runs()
    assert {(r.stage, r.dataset) for r in records} == {
        ("extract", "pos"), ("extract", "purchases"), ("transform", "pos"), ("transform", "purchases"),
        ("profit", "profit"),
    }
    assert len(stage_lines) >= len(records)
    run_ids = {r.run_id for r in records} | {r.run_id for r in results} | {e["run_id"] for e in stage_lines}
    assert len(run_ids) == 1, run_ids
