"""`nkpipe publish-sheet`: the exact Sheets API v4 requests, checked at the HTTP layer.

gspread 6 runs for real with AnonymousCredentials (or, for the CLI, a service-account key made here);
the `responses` library intercepts its requests session, so nothing leaves the machine. The run
records are in a real local lake and the KPI dates come from a real embedded KPI store.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from responses import matchers

from shared.config import load_settings
from shared.errors import ConfigError, TerminalError, TransientError
from shared.lake import open_lake
from shared.metadata import Metadata

SHEET_ID = "1NkPipeStatusSheetForTests"
GET_URL = f"https://sheets.googleapis.com/v4/spreadsheets/{SHEET_ID}"
BATCH_URL = f"https://sheets.googleapis.com/v4/spreadsheets/{SHEET_ID}:batchUpdate"
TOKEN_URL = "https://oauth2.googleapis.com/token"
NOW = datetime(2026, 11, 20, 23, 10, tzinfo=UTC)  # 2026-11-21 06:10 in Jakarta: yesterday is 2026-11-20

RED = {"red": 0.957, "green": 0.8, "blue": 0.8}
YELLOW = {"red": 1.0, "green": 0.949, "blue": 0.8}
GREEN = {"red": 0.851, "green": 0.918, "blue": 0.827}
GREY = {"red": 0.933, "green": 0.933, "blue": 0.933}
FIELDS = "userEnteredValue,userEnteredFormat"


def record(stage: str, dataset: str, day: str, status: str, **fields: Any) -> dict[str, Any]:
    base = {
        "stage": stage,
        "dataset": dataset,
        "date": day,
        "run_id": f"{day.replace('-', '')}T230000-{stage[:4]}{dataset[:4]}",
        "status": status,
        "rows": {},
        "calls": {},
        "started_at": f"{day}T23:00:00+00:00",
        "finished_at": f"{day}T23:00:12.500000+00:00",
        "duration_s": 12.5,
        "code_version": "0.1.0",
        "error": None,
        "extra": {},
    }
    return base | fields


RECORDS = [
    record("extract", "pos", "2026-11-19", "success", rows={"raw": 99}),  # older day: not shown
    record(
        "extract",
        "pos",
        "2026-11-20",
        "success",
        rows={"raw": 120},
        extra={"reconciliation": {"ok": True, "differences": [], "checks": []}},
    ),
    record(
        "extract",
        "purchases",
        "2026-11-20",
        "success",
        rows={"raw": 40},
        extra={
            "reconciliation": {
                "ok": False,
                "differences": ["purchases amount_total: lake 100 vs odoo 120 (difference -20)"],
                "checks": [],
            }
        },
    ),
    record(
        "transform",
        "pos",
        "2026-11-20",
        "failed",
        duration_s=0.4,
        finished_at="2026-11-20T23:01:00+00:00",
        error="SchemaError: clean/pos: missing column price_unit",
    ),
    record("kpi", "kpi", "2026-11-20", "success", rows={"inventory_kpi_daily": 5, "fleet_kpi_daily": 3}),
    record("mirror", "mirror", "2026-11-19", "skipped", duration_s=None, finished_at=None),
]


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    lake_root = tmp_path / "lake"
    environ = {
        "DATA_LAKE_ROOT": str(lake_root),
        "KPI_DUCKDB_PATH": str(tmp_path / "kpi.duckdb"),
        "SHEETS_SPREADSHEET_ID": SHEET_ID,
        "GOOGLE_CLOUD_PROJECT": "nkpipe-test",  # the Run ID cells link to Cloud Logging in this project
    }
    settings = load_settings(environ=environ, env_file=None)
    lake = open_lake(settings.data_lake_root)
    # Records in the lake's documented layout (metadata/latest/<stage>/<dataset>/<date>.json), so the
    # times in them are fixed.
    for rec in RECORDS:
        lake.write_json(f"metadata/latest/{rec['stage']}/{rec['dataset']}/{rec['date']}.json", rec)
    fill_kpi_store(settings)
    return settings


def fill_kpi_store(settings: Any) -> None:
    from functions.kpi.schema import migrate_store
    from functions.kpi.store import open_store

    with open_store(settings) as store:
        migrate_store(store)
        store.execute(
            "INSERT INTO inventory_kpi_daily VALUES "
            "('2026-11-19', 1, 11, 1, 1, 0, 0, 5, 2, 1, 0, '2026-11-19 23:00:00'), "
            "('2026-11-20', 1, 11, 1, 1, 0, 0, 5, 2, 1, 0, '2026-11-20 23:00:00')"
        )
        store.execute(
            "INSERT INTO fleet_kpi_daily VALUES (DATE '2026-11-18', 1, 101, 1, 1, 0, 1, 1, 30, 12, 4, '2026-11-18 23:00:00')"
        )


def gspread_client() -> Any:
    import gspread
    from google.auth.credentials import AnonymousCredentials

    return gspread.Client(auth=AnonymousCredentials())


def metadata_with(*sheets: dict[str, Any]) -> dict[str, Any]:
    return {"spreadsheetId": SHEET_ID, "properties": {"title": "KPI Harian"}, "sheets": list(sheets)}


def sheet(sheet_id: int, title: str, rows: int = 1000, columns: int = 26) -> dict[str, Any]:
    return {
        "properties": {
            "sheetId": sheet_id,
            "title": title,
            "index": 0,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": columns},
        }
    }


def text(value: str, **fmt: Any) -> dict[str, Any]:
    return {"userEnteredValue": {"stringValue": value}, **({"userEnteredFormat": fmt} if fmt else {})}


def number(value: float, pattern: str, **fmt: Any) -> dict[str, Any]:
    return {
        "userEnteredValue": {"numberValue": value},
        "userEnteredFormat": {"numberFormat": {"type": "NUMBER", "pattern": pattern}, **fmt},
    }


def run_link(run_id: str, **fmt: Any) -> dict[str, Any]:
    """The Run ID cell: a link to the run's log lines in Cloud Logging (the settings name the project)."""
    url = (
        "https://console.cloud.google.com/logs/query;query=jsonPayload.run_id%3D%22"
        f"{run_id}%22?project=nkpipe-test"
    )
    value = {"formulaValue": f'=HYPERLINK("{url}", "{run_id}")'}
    return {"userEnteredValue": value, **({"userEnteredFormat": fmt} if fmt else {})}


def blank(**fmt: Any) -> dict[str, Any]:
    return {"userEnteredFormat": fmt} if fmt else {}


def header(*names: str) -> list[dict[str, Any]]:
    return [text(n, textFormat={"bold": True}, backgroundColor=GREY) for n in names]


EXPECTED_ROWS = [
    [text("Status ETL nkpipe · diperbarui 2026-11-21 06:10:00 WIB", textFormat={"bold": True})],
    header(
        "Tahap",
        "Dataset",
        "Tanggal data",
        "Status",
        "Baris",
        "Rekonsiliasi",
        "Durasi (detik)",
        "Selesai (WIB)",
        "Kesalahan",
        "Run ID",
    ),
    [
        text("extract"),
        text("pos"),
        text("2026-11-20"),
        text("OK"),
        number(120, "#,##0"),
        text("OK"),
        number(12.5, "0.0"),
        text("2026-11-21 06:00:12"),
        blank(),
        run_link("20261120T230000-extrpos"),
    ],
    [
        text("extract", backgroundColor=YELLOW),
        text("purchases", backgroundColor=YELLOW),
        text("2026-11-20", backgroundColor=YELLOW),
        text("OK", backgroundColor=YELLOW),
        number(40, "#,##0", backgroundColor=YELLOW),
        text(
            "SELISIH: purchases amount_total: lake 100 vs odoo 120 (difference -20)", backgroundColor=YELLOW
        ),
        number(12.5, "0.0", backgroundColor=YELLOW),
        text("2026-11-21 06:00:12", backgroundColor=YELLOW),
        blank(backgroundColor=YELLOW),
        run_link("20261120T230000-extrpurc", backgroundColor=YELLOW),
    ],
    [
        text("transform", backgroundColor=RED),
        text("pos", backgroundColor=RED),
        text("2026-11-20", backgroundColor=RED),
        text("GAGAL", textFormat={"bold": True}, backgroundColor=RED),
        blank(numberFormat={"type": "NUMBER", "pattern": "#,##0"}, backgroundColor=RED),
        blank(backgroundColor=RED),
        number(0.4, "0.0", backgroundColor=RED),
        text("2026-11-21 06:01:00", backgroundColor=RED),
        text("SchemaError: clean/pos: missing column price_unit", backgroundColor=RED),
        run_link("20261120T230000-tranpos", backgroundColor=RED),
    ],
    [
        text("kpi"),
        text("kpi"),
        text("2026-11-20"),
        text("OK"),
        text("fleet_kpi_daily=3, inventory_kpi_daily=5", numberFormat={"type": "NUMBER", "pattern": "#,##0"}),
        blank(),
        number(12.5, "0.0"),
        text("2026-11-21 06:00:12"),
        blank(),
        run_link("20261120T230000-kpikpi"),
    ],
    [
        text("mirror"),
        text("mirror"),
        text("2026-11-19"),
        text("DILEWATI"),
        blank(numberFormat={"type": "NUMBER", "pattern": "#,##0"}),
        blank(),
        blank(numberFormat={"type": "NUMBER", "pattern": "0.0"}),
        text("2026-11-20 06:00:00"),
        blank(),
        run_link("20261119T230000-mirrmirr"),
    ],
    [],
    header("Tabel KPI", "Tanggal data terakhir", "Status"),
    [
        text("inventory_kpi_daily", backgroundColor=GREEN),
        text("2026-11-20", backgroundColor=GREEN),
        text("OK", backgroundColor=GREEN),
    ],
    [
        text("fleet_kpi_daily", backgroundColor=RED),
        text("2026-11-18", backgroundColor=RED),
        text("BASI (lebih lama dari 2026-11-20)", backgroundColor=RED),
    ],
    [
        text("sales_kpi_daily", backgroundColor=RED),
        blank(backgroundColor=RED),
        text("KOSONG", backgroundColor=RED),
    ],
    [
        text("sales_kpi_daily_by_product", backgroundColor=RED),
        blank(backgroundColor=RED),
        text("KOSONG", backgroundColor=RED),
    ],
    [
        text("sales_kpi_hourly", backgroundColor=RED),
        blank(backgroundColor=RED),
        text("KOSONG", backgroundColor=RED),
    ],
]


def tail_requests(sheet_id: int) -> list[dict[str, Any]]:
    return [
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": r} for r in EXPECTED_ROWS],
                "fields": FIELDS,
            }
        },
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 2}},
                "fields": "gridProperties.frozenRowCount",
            }
        },
        {
            "autoResizeDimensions": {
                "dimensions": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 10}
            }
        },
    ]


def publish(settings: Any, sheets_metadata: dict[str, Any], day: date | None = None) -> tuple[Any, list]:
    from functions.sheets.status_sheet import publish_status_sheet

    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.get(
            GET_URL, json=sheets_metadata, match=[matchers.query_param_matcher({"includeGridData": "false"})]
        )
        mock.post(BATCH_URL, json={"spreadsheetId": SHEET_ID, "replies": []})
        result = publish_status_sheet(
            settings, open_lake(settings.data_lake_root), day, gspread_client(), NOW
        )
        calls = list(mock.calls)
    return result, calls


def test_a_new_status_tab_is_added_and_written_in_one_batch_update(settings: Any) -> None:
    expected = {
        "requests": [
            {
                "addSheet": {
                    "properties": {
                        "sheetId": 8,
                        "title": "Status ETL",
                        "gridProperties": {"rowCount": 100, "columnCount": 26},
                    }
                }
            },
            *tail_requests(8),
        ]
    }

    result, calls = publish(settings, metadata_with(sheet(0, "Ringkasan"), sheet(7, "Status Data")))

    assert [(c.request.method, c.request.url.split("?")[0]) for c in calls] == [
        ("GET", GET_URL),
        ("POST", BATCH_URL),
    ]
    assert json.loads(calls[1].request.body) == expected
    assert result.status == "success"
    assert result.message == f"Status ETL written to spreadsheet {SHEET_ID}"


def test_an_existing_tab_is_cleared_grown_and_rewritten_in_place(settings: Any) -> None:
    expected = {
        "requests": [
            {"updateCells": {"range": {"sheetId": 42}, "fields": FIELDS}},
            {"appendDimension": {"sheetId": 42, "dimension": "ROWS", "length": 4}},
            {"appendDimension": {"sheetId": 42, "dimension": "COLUMNS", "length": 2}},
            *tail_requests(42),
        ]
    }

    _, calls = publish(
        settings, metadata_with(sheet(0, "Ringkasan"), sheet(42, "Status ETL", rows=10, columns=8))
    )

    assert json.loads(calls[1].request.body) == expected


def test_the_publish_is_recorded_as_a_run_and_is_not_listed_as_running(settings: Any) -> None:
    publish(settings, metadata_with(sheet(42, "Status ETL")))
    _, calls = publish(settings, metadata_with(sheet(42, "Status ETL")))

    written = json.loads(calls[1].request.body)["requests"][1]["updateCells"]["rows"]
    stages = [r["values"][0]["userEnteredValue"]["stringValue"] for r in written[2:8] if r["values"]]
    last = Metadata(open_lake(settings.data_lake_root)).last_run(
        "publish", "status_sheet", date(2026, 11, 21)
    )
    assert stages == ["extract", "extract", "transform", "kpi", "mirror", "publish"]
    assert written[7]["values"][3]["userEnteredValue"] == {"stringValue": "OK"}
    assert last.status == "success"
    assert last.rows == {"runs": 6, "kpi_tables": 5}


def test_with_a_date_only_that_day_is_shown(settings: Any) -> None:
    _, calls = publish(settings, metadata_with(sheet(42, "Status ETL")), day=date(2026, 11, 19))

    rows = json.loads(calls[1].request.body)["requests"][1]["updateCells"]["rows"]
    assert rows[0]["values"][0]["userEnteredValue"]["stringValue"].endswith(" · tanggal data 2026-11-19")
    shown = [
        (r["values"][0]["userEnteredValue"]["stringValue"], r["values"][2]["userEnteredValue"]["stringValue"])
        for r in rows[2:4]
    ]
    assert shown == [("extract", "2026-11-19"), ("mirror", "2026-11-19")]
    assert rows[4] == {"values": []}


def test_a_day_without_runs_says_so(settings: Any) -> None:
    _, calls = publish(settings, metadata_with(sheet(42, "Status ETL")), day=date(2026, 10, 1))

    rows = json.loads(calls[1].request.body)["requests"][1]["updateCells"]["rows"]
    assert rows[2] == {"values": [{"userEnteredValue": {"stringValue": "(belum ada run untuk 2026-10-01)"}}]}


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (403, TerminalError, "HTTP 403: Sheets API get spreadsheet: The caller does not have permission"),
        (503, TransientError, "HTTP 503: Sheets API get spreadsheet: The service is currently unavailable."),
    ],
)
def test_api_errors_map_to_terminal_or_transient_and_fail_the_run(
    settings: Any, status: int, kind: type, message: str
) -> None:
    from functions.sheets.status_sheet import publish_status_sheet

    error = {"error": {"code": status, "message": message.split(": ", 2)[2], "status": "X"}}
    with responses.RequestsMock() as mock:
        mock.get(GET_URL, json=error, status=status)
        with pytest.raises(kind, match=message.replace("(", r"\(").replace(".", r"\.")):
            publish_status_sheet(settings, open_lake(settings.data_lake_root), None, gspread_client(), NOW)
        assert len(mock.calls) == 1

    last = Metadata(open_lake(settings.data_lake_root)).last_run(
        "publish", "status_sheet", date(2026, 11, 21)
    )
    assert last.status == "failed"


def test_without_a_spreadsheet_id_nothing_is_sent(tmp_path: Path) -> None:
    from functions.sheets.status_sheet import publish_status_sheet

    settings = load_settings(environ={"DATA_LAKE_ROOT": str(tmp_path)}, env_file=None)

    with responses.RequestsMock() as mock:
        with pytest.raises(ConfigError, match="SHEETS_SPREADSHEET_ID is not set"):
            publish_status_sheet(settings, open_lake(str(tmp_path)), None, gspread_client(), NOW)
        assert len(mock.calls) == 0


def test_an_unreachable_kpi_store_is_shown_per_table_and_the_runs_still_publish(
    settings: Any, tmp_path: Path
) -> None:
    from tests.fixtures.services import free_port

    broken = load_settings(
        environ={
            "DATA_LAKE_ROOT": settings.data_lake_root,
            "SHEETS_SPREADSHEET_ID": SHEET_ID,
            "TIDB_HOST": "127.0.0.1",
            "TIDB_PORT": str(free_port()),
            "TIDB_USER": "nobody",
        },
        env_file=None,
    )

    _, calls = publish(broken, metadata_with(sheet(42, "Status ETL")))

    rows = json.loads(calls[1].request.body)["requests"][1]["updateCells"]["rows"]
    kpi = [r["values"] for r in rows[-5:]]
    assert [v[0]["userEnteredValue"]["stringValue"] for v in kpi] == [
        "inventory_kpi_daily",
        "fleet_kpi_daily",
        "sales_kpi_daily",
        "sales_kpi_daily_by_product",
        "sales_kpi_hourly",
    ]
    assert all(v[2]["userEnteredValue"]["stringValue"].startswith("GAGAL: ") for v in kpi)
    assert rows[2]["values"][1]["userEnteredValue"] == {"stringValue": "pos"}


def service_account_key(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "nkpipe-test",
                "private_key_id": "test-key",
                "private_key": pem,
                "client_email": "sheets-writer@nkpipe-test.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": TOKEN_URL,
            }
        )
    )


def test_cli_publishes_with_the_service_account(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from functions.cli import main

    key_file = tmp_path / "sa.json"
    service_account_key(key_file)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.setenv("SHEETS_SPREADSHEET_ID", SHEET_ID)
    monkeypatch.setenv("KPI_DUCKDB_PATH", settings.kpi_duckdb_path)

    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(
            TOKEN_URL, json={"access_token": "ya29.test-token", "expires_in": 3600, "token_type": "Bearer"}
        )
        mock.get(GET_URL, json=metadata_with(sheet(42, "Status ETL")))
        mock.post(BATCH_URL, json={"spreadsheetId": SHEET_ID, "replies": []})
        code = main(
            [
                "publish-sheet",
                "--date",
                "2026-11-20",
                "--lake",
                settings.data_lake_root,
                "--env-file",
                "/nonexistent",
            ]
        )
        calls = list(mock.calls)

    assert code == 0
    assert capsys.readouterr().out == f"Status ETL written to spreadsheet {SHEET_ID}\n"
    # google-auth may also look up the account's regional access boundary (iamcredentials
    # .../allowedLocations); that is the library's business, answered here by nothing.
    calls = [c for c in calls if "allowedLocations" not in c.request.url]
    assert [c.request.url.split("?")[0] for c in calls] == [TOKEN_URL, GET_URL, BATCH_URL]
    assert calls[2].request.headers["Authorization"] == "Bearer ya29.test-token"
    assert jwt_claims(calls[0].request.body)["scope"] == "https://www.googleapis.com/auth/spreadsheets"
    assert jwt_claims(calls[0].request.body)["iss"] == "sheets-writer@nkpipe-test.iam.gserviceaccount.com"


def jwt_claims(form_body: str | bytes) -> dict[str, Any]:
    """The claims of the signed JWT a service account sends to the token endpoint."""
    import base64
    from urllib.parse import parse_qs

    text = form_body.decode() if isinstance(form_body, bytes) else form_body
    assertion = parse_qs(text)["assertion"][0]
    payload = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_cli_rejects_a_bad_date_before_any_request(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    from functions.cli import main

    with responses.RequestsMock() as mock:
        code = main(
            ["publish-sheet", "--date", "2026-13-01", "--lake", str(tmp_path), "--env-file", "/nonexistent"]
        )
        assert len(mock.calls) == 0

    assert code == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_newest_run_per_stage_and_dataset_in_pipeline_order() -> None:
    from functions.sheets.status_sheet import latest_runs
    from shared.metadata import RunRecord

    records = [RunRecord.from_dict(r) for r in RECORDS] + [
        RunRecord.from_dict(
            record("extract", "pos", "2026-11-20", "failed", started_at="2026-11-20T22:00:00+00:00")
        )
    ]

    result = [(r.stage, r.dataset, r.date, r.status) for r in latest_runs(records)]

    assert result == [
        ("extract", "pos", "2026-11-20", "success"),
        ("extract", "purchases", "2026-11-20", "success"),
        ("transform", "pos", "2026-11-20", "failed"),
        ("kpi", "kpi", "2026-11-20", "success"),
        ("mirror", "mirror", "2026-11-19", "skipped"),
    ]


def test_publish_if_configured_is_a_no_op_without_a_spreadsheet(tmp_path: Path) -> None:
    from functions.sheets.status_sheet import publish_if_configured

    settings = load_settings(environ={"DATA_LAKE_ROOT": str(tmp_path)}, env_file=None)

    with responses.RequestsMock() as mock:
        result = publish_if_configured(settings, open_lake(str(tmp_path)))
        assert len(mock.calls) == 0

    assert result is None


def test_publish_if_configured_reports_a_failure_without_raising(settings: Any) -> None:
    from functions.sheets.status_sheet import publish_if_configured

    with responses.RequestsMock() as mock:
        mock.get(
            GET_URL, json={"error": {"code": 404, "message": "Requested entity was not found."}}, status=404
        )
        result = publish_if_configured(
            settings, open_lake(settings.data_lake_root), date(2026, 11, 20), gspread_client()
        )

    assert result.status == "failed"
    assert result.message == "HTTP 404: Sheets API get spreadsheet: Requested entity was not found."


def test_the_kpi_pipeline_publishes_the_status_tab_as_its_last_step(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.pipeline import run_days

    key_file = tmp_path / "sa.json"
    service_account_key(key_file)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(TOKEN_URL, json={"access_token": "ya29.test-token", "expires_in": 3600, "token_type": "Bearer"})
        mock.get(GET_URL, json=metadata_with(sheet(42, "Status ETL")))
        mock.post(BATCH_URL, json={"spreadsheetId": SHEET_ID, "replies": []})
        # The mirror is skipped (no Supabase settings); the sheet is still published after it.
        results = run_days(settings, open_lake(settings.data_lake_root), [date(2026, 11, 20)], ("mirror",))

    assert [(r.stage, r.status) for r in results][-1] == ("publish", "success")


def test_an_unverified_run_is_red_with_its_differences_and_a_plain_run_id_without_a_project() -> None:
    from zoneinfo import ZoneInfo

    from functions.sheets.status_sheet import logs_link, run_row
    from shared.metadata import RunRecord

    rec = RunRecord.from_dict({
        **RECORDS[0], "status": "unverified",
        "extra": {"reconciliation": {"ok": False, "differences": ["pos lines: lake 8 vs odoo 10 (difference -2)"]},
                  "differences": ["pos lines: lake 8 vs odoo 10 (difference -2)"]},
    })

    row = run_row(rec, ZoneInfo("Asia/Jakarta"), project=None)

    assert row[3] == text("BELUM TERVERIFIKASI", backgroundColor=RED)
    assert row[8] == text("pos lines: lake 8 vs odoo 10 (difference -2)", backgroundColor=RED)
    assert row[9] == text(rec.run_id, backgroundColor=RED)
    assert all(cell["userEnteredFormat"]["backgroundColor"] == RED for cell in row)
    assert logs_link("", "nkpipe-test") == {}
