from __future__ import annotations

from datetime import date

import pytest

from shared.lake import open_lake
from shared.metadata import FAILED, RUNNING, SUCCESS, Metadata
from tests.fixtures.runs import track

D1, D2 = date(2026, 11, 19), date(2026, 11, 20)


@pytest.fixture
def meta(tmp_path) -> Metadata:
    return Metadata(open_lake(str(tmp_path)))


def test_track_records_success_with_rows_and_calls(meta):
    with track(meta, "extract", "pos", D1) as rec:
        assert meta.last_run("extract", "pos", D1).status == RUNNING
        rec.rows["fact_sales"] = 12
        rec.calls["pos.order.search_read"] = 2
    result = meta.last_run("extract", "pos", D1)
    assert (result.status, result.rows, result.calls) == (SUCCESS, {"fact_sales": 12}, {"pos.order.search_read": 2})
    assert result.finished_at and result.code_version and result.duration_s is not None


def test_track_records_failure_and_reraises(meta):
    with pytest.raises(RuntimeError, match="boom"):
        with track(meta, "extract", "pos", D1):
            raise RuntimeError("boom")
    result = meta.last_run("extract", "pos", D1)
    assert result.status == FAILED and result.error == "RuntimeError: boom"


def test_history_keeps_every_attempt_and_last_success(meta):
    with track(meta, "extract", "pos", D1) as rec:
        rec.rows["x"] = 1
    with pytest.raises(ValueError):
        with track(meta, "extract", "pos", D1):
            raise ValueError("second")
    assert [r.status for r in meta.history("extract", "pos", D1)] == [SUCCESS, FAILED]
    assert meta.last_success("extract", "pos", D1).rows == {"x": 1}
    assert meta.last_run("extract", "pos", D1).status == FAILED


def test_runs_lists_latest_per_stage_dataset_day(meta):
    for stage, dataset, day in (("extract", "pos", D1), ("extract", "pos", D2), ("profit", "profit", D1)):
        with track(meta, stage, dataset, day):
            pass
    assert [(r.stage, r.dataset, r.date) for r in meta.runs()] == [
        ("extract", "pos", "2026-11-19"),
        ("extract", "pos", "2026-11-20"),
        ("profit", "profit", "2026-11-19"),
    ]
    assert len(meta.runs("extract", "pos")) == 2


def test_watermark_moves_only_forward_unless_forced(meta):
    assert meta.get_watermark("extract", "pos") is None
    assert meta.set_watermark("extract", "pos", D2) is True
    assert meta.set_watermark("extract", "pos", D1) is False
    assert meta.get_watermark("extract", "pos") == D2
    assert meta.set_watermark("extract", "pos", D1, by="ops:alice", force=True) is True
    assert meta.get_watermark("extract", "pos") == D1
    assert meta.watermarks() == {("extract", "pos"): D1}
    doc = meta.lake.read_json("metadata/watermarks/extract/pos.json")
    assert doc["by"] == "ops:alice" and doc["previous"] == "2026-11-20"


def test_records_made_inside_provisional_are_marked_and_move_no_watermark(meta):
    from datetime import UTC, datetime

    from shared.metadata import StageResult, provisional, provisional_as_of

    as_of = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    meta.set_watermark("extract", "pos", D1)
    with track(meta, "extract", "pos", D1):
        pass
    assert provisional_as_of() is None
    with provisional(as_of):
        assert provisional_as_of() == as_of
        with track(meta, "extract", "pos", D2) as rec:
            pass
        assert meta.set_watermark("extract", "pos", D2) is False
    assert provisional_as_of() is None
    stored = meta.last_run("extract", "pos", D2)
    assert (stored.status, stored.provisional, stored.as_of) == (SUCCESS, True, as_of.isoformat())
    result = StageResult.from_record(rec)
    assert (result.provisional, result.as_of) == (True, as_of.isoformat())
    assert meta.get_watermark("extract", "pos") == D1
    # the final record of D1 is its last success; a provisional one of D2 never is
    assert meta.last_success("extract", "pos", D1).provisional is False
    assert meta.last_success("extract", "pos", D2) is None
    # a reset (force) is an operator's act and still works
    with provisional(as_of):
        assert meta.set_watermark("extract", "pos", D2, force=True) is True


def test_the_last_intraday_refresh_is_kept(meta):
    from datetime import UTC, datetime

    assert meta.last_intraday() is None
    as_of = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    meta.record_intraday(D2, as_of, "run-1", {"fact_sales": 12})
    last = meta.last_intraday()
    assert (last["date"], last["as_of"], last["run_id"], last["rows"]) == (D2.isoformat(), as_of.isoformat(), "run-1", {"fact_sales": 12})
