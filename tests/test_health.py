"""Freshness from run records: last processed day, last success, last error, fresh/behind/never."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from functions.cli import main
from functions.health import freshness
from shared.config import Settings
from shared.lake import open_lake
from shared.metadata import Metadata

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta: the nightly run's day is 2026-03-09
EXPECTED = date(2026, 3, 9)


def record(metadata: Metadata, stage: str, dataset: str, day: date, error: str | None = None) -> None:
    rec = metadata.start(stage, dataset, day)
    if error:
        metadata.fail(rec, error)
    else:
        metadata.finish(rec, rows={"x": 1})


def processed(metadata: Metadata, target: str, day: date) -> None:
    record(metadata, "extract", target, day)
    record(metadata, "transform", target, day)


def test_fresh_behind_and_never(tmp_path):
    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    processed(metadata, "pos", date(2026, 3, 8))
    processed(metadata, "pos", EXPECTED)
    processed(metadata, "purchases", date(2026, 3, 6))
    record(metadata, "extract", "inventory-moves", EXPECTED)  # transform never ran: not processed
    record(metadata, "kpi", "kpi", EXPECTED)
    report = freshness(Settings(data_lake_root=str(tmp_path)), lake, now=NOW)
    datasets = report["datasets"]
    assert report["expected_day"] == "2026-03-09"
    assert (datasets["pos"]["last_processed"], datasets["pos"]["status"]) == ("2026-03-09", "fresh")
    assert (datasets["purchases"]["status"], datasets["purchases"]["days_behind"]) == ("behind", 3)
    assert datasets["inventory-moves"]["status"] == "never"
    assert datasets["inventory-moves"]["last_success"] is not None
    assert datasets["dimensions"]["last_processed"] is None
    assert report["kpi_tables"]["sales_kpi_daily"]["status"] == "fresh"
    assert report["kpi_tables"]["inventory_kpi_daily"]["mirror"] is None
    assert report["ok"] is False


def test_last_error_and_whether_a_later_run_resolved_it(tmp_path):
    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    processed(metadata, "pos", date(2026, 3, 8))
    record(metadata, "extract", "pos", EXPECTED, error="OdooError: HTTP 502")
    record(metadata, "extract", "invoice-sales", date(2026, 3, 8), error="TransientError: timeout")
    processed(metadata, "invoice-sales", date(2026, 3, 8))
    report = freshness(Settings(data_lake_root=str(tmp_path)), lake, now=NOW)
    pos_error = report["datasets"]["pos"]["last_error"]
    assert (pos_error["date"], pos_error["stage"], pos_error["resolved"]) == ("2026-03-09", "extract", False)
    assert "502" in pos_error["message"]
    assert report["datasets"]["pos"]["status"] == "behind"
    assert report["datasets"]["invoice-sales"]["last_error"]["resolved"] is True


def test_nkpipe_health_prints_each_dataset(tmp_path, capsys):
    lake = open_lake(str(tmp_path))
    processed(Metadata(lake), "pos", date(2026, 3, 8))
    code = main(["health", "--lake", str(tmp_path), "--env-file", "/nonexistent"])
    out = capsys.readouterr().out
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()[3:]}
    assert "2026-03-08" in lines["pos"]
    assert "never" in lines["stock-quants"]
    assert set(lines) >= {"pos", "invoice-sales", "purchases", "inventory-moves", "stock-quants", "dimensions",
                          "profit", "inventory_kpi_daily", "fleet_kpi_daily", "sales_kpi_daily"}
    strict = main(["health", "--strict", "--lake", str(tmp_path), "--env-file", "/nonexistent"])
    assert strict == 1


def test_a_skipped_mirror_is_never_shown_as_mirrored(tmp_path):
    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    record(metadata, "kpi", "kpi", EXPECTED)
    skipped = metadata.start("mirror", "mirror", EXPECTED)
    metadata.finish(skipped, status="skipped")
    report = freshness(Settings(data_lake_root=str(tmp_path)), lake, now=NOW)
    assert report["kpi_tables"]["sales_kpi_daily"]["mirror"] == "not configured"
    record(metadata, "mirror", "mirror", date(2026, 3, 8))
    report = freshness(Settings(data_lake_root=str(tmp_path)), lake, now=NOW)
    assert report["kpi_tables"]["sales_kpi_daily"]["mirror"] == "2026-03-08"


# ---------------------------------------------------------------- one report for CLI and HTTP (#17)


def _http_health(lake_root: str, monkeypatch) -> tuple[dict, int]:
    from flask import Request
    from werkzeug.test import EnvironBuilder

    from functions.cloud.handlers import health

    monkeypatch.setenv("DATA_LAKE_ROOT", lake_root)
    monkeypatch.setenv("BUSINESS_TZ", "Asia/Jakarta")
    request = Request(EnvironBuilder(method="GET", path="/").get_environ())
    return health(request)


def test_health_json_has_the_fields_of_the_http_health(tmp_path, capsys, monkeypatch):
    from shared import clock

    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    with clock.frozen(NOW):
        processed(metadata, "pos", EXPECTED)
        monkeypatch.chdir(tmp_path)  # no stray .env
        code = main(["health", "--json", "--lake", str(tmp_path), "--env-file", "/nonexistent"])
        printed = json.loads(capsys.readouterr().out)
        answer, status = _http_health(str(tmp_path), monkeypatch)
    assert (code, status) == (0, 503)
    assert printed == json.loads(json.dumps(answer))
    assert printed["status"] == "behind"
    assert printed["timezone"] == "Asia/Jakarta"


def test_times_are_in_the_business_zone_with_the_zone_named(tmp_path, capsys):
    from shared import clock

    lake = open_lake(str(tmp_path))
    with clock.frozen(datetime(2026, 3, 10, 0, 26, 2, tzinfo=UTC)):
        processed(Metadata(lake), "pos", EXPECTED)
    with clock.frozen(NOW):
        report = freshness(Settings(data_lake_root=str(tmp_path)), lake)
        assert main(["health", "--lake", str(tmp_path), "--env-file", "/nonexistent"]) == 0
    assert report["datasets"]["pos"]["last_success"] == "2026-03-10T07:26:02+07:00"
    assert report["checked_at"] == "2026-03-10T10:00:00+07:00"
    pos_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("pos "))
    assert "2026-03-10 07:26:02 WIB" in pos_line


def test_a_day_after_a_moved_back_watermark_is_not_processed_as_catch_up_counts_it(tmp_path):
    from functions.recovery import reset_watermarks
    from shared import clock

    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    with clock.frozen(NOW):
        for day in (date(2026, 3, 8), EXPECTED):
            processed(metadata, "pos", day)
            metadata.set_watermark("extract", "pos", day)
    with clock.frozen(datetime(2026, 3, 10, 3, 30, tzinfo=UTC)):
        reset_watermarks(lake, EXPECTED, ["pos"])
        report = freshness(Settings(data_lake_root=str(tmp_path)), lake)
    expected = ("2026-03-08", "behind")
    result = (report["datasets"]["pos"]["last_processed"], report["datasets"]["pos"]["status"])
    assert result == expected


def test_an_unverified_day_is_processed_but_listed_and_makes_the_report_not_ok(tmp_path):
    from functions.health import health_rows
    from shared import clock
    from shared.metadata import UNVERIFIED

    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    settings = Settings(data_lake_root=str(tmp_path), catchup_lookback_days=7)
    for target in ("pos", "invoice-sales"):
        processed(metadata, target, EXPECTED)
    rec = metadata.start("transform", "pos", EXPECTED)
    metadata.finish(rec, status=UNVERIFIED, extra={"differences": ["fact_sales lines: lake 9 vs odoo 10 (difference -1)"]})
    old = metadata.start("extract", "invoice-sales", date(2026, 2, 1))  # before the lookback: not listed
    metadata.finish(old, status=UNVERIFIED, extra={"differences": ["old"]})

    report = freshness(settings, lake, now=NOW)

    assert report["datasets"]["pos"]["status"] == "fresh"  # the data is there
    assert report["unverified_days"] == [
        {"date": "2026-03-09", "differences": ["transform pos: fact_sales lines: lake 9 vs odoo 10 (difference -1)"]}
    ]
    assert report["ok"] is False
    day_rows = [row for row in health_rows(report) if row["kind"] == "day"]
    assert [(row["name"], row["status"]) for row in day_rows] == [("2026-03-09", "unverified")]
    with clock.frozen(NOW):
        assert main(["health", "--strict", "--lake", str(tmp_path), "--env-file", "/nonexistent"]) == 1
