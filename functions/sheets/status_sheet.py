"""The `Status ETL` tab: per (stage, dataset) the last run (status, rows, reconciliation, duration) and
per KPI table the last data_date, written to the spreadsheet SHEETS_SPREADSHEET_ID by a service account
in one Sheets API batchUpdate.

Building the rows and the request body is pure (records in, Sheets API v4 JSON out); the I/O is the
KPI store read, one metadata GET and one batchUpdate POST through gspread's HTTP client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from functions.runs import Attempt, DatasetRun, Outcome, run_recorded
from shared import clock, dates
from shared.config import Settings
from shared.errors import ConfigError, NkpipeError, TransientError, error_for_http_status
from shared.lake import Lake
from shared.log import get_logger
from shared.metadata import FAILED, RUNNING, SKIPPED, SUCCESS, UNVERIFIED, Metadata, RunRecord, StageResult
from shared.redact import redact

log = get_logger(__name__)

STATUS_TAB = "Status ETL"
SHEETS_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
STAGE_ORDER = ("extract", "transform", "profit", "kpi", "mirror", "publish")
FROZEN_ROWS = 2
RUN_HEADERS = (
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
)
KPI_HEADERS = ("Tabel KPI", "Tanggal data terakhir", "Status")
STATUS_LABELS = {
    SUCCESS: "OK", FAILED: "GAGAL", SKIPPED: "DILEWATI", RUNNING: "BERJALAN", UNVERIFIED: "BELUM TERVERIFIKASI",
}
# Cloud Logging's query page for one run_id (every log line of a run carries it as jsonPayload.run_id)
LOGS_QUERY_URL = "https://console.cloud.google.com/logs/query;query={query}?project={project}"

RED = {"red": 0.957, "green": 0.8, "blue": 0.8}
YELLOW = {"red": 1.0, "green": 0.949, "blue": 0.8}
GREEN = {"red": 0.851, "green": 0.918, "blue": 0.827}
GREY = {"red": 0.933, "green": 0.933, "blue": 0.933}
CELL_FIELDS = "userEnteredValue,userEnteredFormat"
# One table name per KPI table, from our own constants (never input): safe to place in the SQL text.
LAST_DATA_DATE_SQL = "SELECT MAX(data_date) FROM {table}"


@dataclass(frozen=True)
class KpiDate:
    """The newest data_date of one KPI table, or why it is unknown."""

    table: str
    last: date | None = None
    error: str = ""


# ---------------------------------------------------------------- pure: rows


def cell(
    value: Any = None,
    *,
    number_format: str | None = None,
    bold: bool = False,
    background: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """One Sheets API CellData."""
    data: dict[str, Any] = {}
    if isinstance(value, bool):
        data["userEnteredValue"] = {"boolValue": value}
    elif isinstance(value, (int, float)):
        data["userEnteredValue"] = {"numberValue": value}
    elif value is not None and value != "":
        data["userEnteredValue"] = {"stringValue": redact(str(value))}
    fmt: dict[str, Any] = {}
    if number_format:
        fmt["numberFormat"] = {"type": "NUMBER", "pattern": number_format}
    if bold:
        fmt["textFormat"] = {"bold": True}
    if background:
        fmt["backgroundColor"] = dict(background)
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


def latest_runs(records: Iterable[RunRecord], day: date | None = None) -> list[RunRecord]:
    """The newest record per (stage, dataset) (of `day` when given), in pipeline order."""
    newest: dict[tuple[str, str], RunRecord] = {}
    for rec in records:
        if day is not None and rec.date != day.isoformat():
            continue
        key = (rec.stage, rec.dataset)
        if key not in newest or (rec.date, rec.started_at) > (newest[key].date, newest[key].started_at):
            newest[key] = rec

    def order(rec: RunRecord) -> tuple[int, str, str]:
        rank = STAGE_ORDER.index(rec.stage) if rec.stage in STAGE_ORDER else len(STAGE_ORDER)
        return rank, rec.stage, rec.dataset

    return sorted(newest.values(), key=order)


def rows_text(rows: Mapping[str, int]) -> int | str:
    """One count as a number; several (per layer or table) as 'name=count' text."""
    if len(rows) == 1:
        return next(iter(rows.values()))
    return ", ".join(f"{name}={count}" for name, count in sorted(rows.items()))


def reconciliation_text(extra: Mapping[str, Any]) -> tuple[str, bool]:
    """('' , True) when not reconciled; ('OK', True); or the differences and False."""
    result = extra.get("reconciliation")
    if not result:
        return "", True
    if result.get("ok"):
        return "OK", True
    return "SELISIH: " + "; ".join(result.get("differences") or ["(no detail)"]), False


def local_time(text: str | None, tz: ZoneInfo) -> str:
    if not text:
        return ""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def logs_link(run_id: str, project: str | None) -> dict[str, Any]:
    """The Run ID cell: a link to the run's log lines in Cloud Logging when the project is known."""
    if not project or not run_id:
        return {"userEnteredValue": {"stringValue": run_id}} if run_id else {}
    from urllib.parse import quote

    url = LOGS_QUERY_URL.format(query=quote(f'jsonPayload.run_id="{run_id}"', safe=""), project=quote(project))
    return {"userEnteredValue": {"formulaValue": f'=HYPERLINK("{url}", "{run_id}")'}}


def run_row(rec: RunRecord, tz: ZoneInfo, project: str | None = None) -> list[dict[str, Any]]:
    reconciliation, reconciled = reconciliation_text(rec.extra)
    warnings = list(rec.extra.get("warnings") or [])
    if rec.status in (FAILED, UNVERIFIED):
        colour = RED
    elif not reconciled or rec.status == RUNNING or warnings:
        colour = YELLOW
    else:
        colour = None
    return [
        cell(rec.stage, background=colour),
        cell(rec.dataset, background=colour),
        cell(rec.date, background=colour),
        cell(STATUS_LABELS.get(rec.status, rec.status), bold=rec.status == FAILED, background=colour),
        cell(rows_text(rec.rows), number_format="#,##0", background=colour),
        cell(reconciliation, background=colour),
        cell(rec.duration_s, number_format="0.0", background=colour),
        cell(local_time(rec.finished_at or rec.started_at, tz), background=colour),
        cell(rec.error or "; ".join([*(rec.extra.get("differences") or []),
                                     *(["PERINGATAN: " + "; ".join(warnings)] if warnings else [])]),
             background=colour),
        {**logs_link(rec.run_id, project), **cell(None, background=colour)},
    ]


def kpi_row(kpi: KpiDate, yesterday: date) -> list[dict[str, Any]]:
    if kpi.error:
        return [
            cell(kpi.table, background=RED),
            cell(None, background=RED),
            cell("GAGAL: " + kpi.error, background=RED),
        ]
    if kpi.last is None:
        return [cell(kpi.table, background=RED), cell(None, background=RED), cell("KOSONG", background=RED)]
    colour = RED if kpi.last < yesterday else GREEN
    label = f"BASI (lebih lama dari {yesterday.isoformat()})" if kpi.last < yesterday else "OK"
    return [
        cell(kpi.table, background=colour),
        cell(kpi.last.isoformat(), background=colour),
        cell(label, background=colour),
    ]


def status_rows(
    records: Iterable[RunRecord],
    kpi_dates: Sequence[KpiDate],
    now: datetime,
    tz: ZoneInfo,
    day: date | None = None,
    project: str | None = None,
) -> list[list[dict[str, Any]]]:
    """Every row of the tab: a title, the run table, a blank row, the KPI table."""
    title = f"Status ETL nkpipe · diperbarui {now.astimezone(tz):%Y-%m-%d %H:%M:%S} WIB"
    if day is not None:
        title += f" · tanggal data {day.isoformat()}"
    yesterday = now.astimezone(tz).date() - timedelta(days=1)
    runs = latest_runs(records, day)
    rows: list[list[dict[str, Any]]] = [[cell(title, bold=True)]]
    rows.append([cell(h, bold=True, background=GREY) for h in RUN_HEADERS])
    rows.extend(run_row(rec, tz, project) for rec in runs)
    if not runs:
        rows.append([cell("(belum ada run" + (f" untuk {day.isoformat()})" if day else ")"))])
    rows.append([])
    rows.append([cell(h, bold=True, background=GREY) for h in KPI_HEADERS])
    rows.extend(kpi_row(kpi, yesterday) for kpi in kpi_dates)
    return rows


# ---------------------------------------------------------------- pure: the batchUpdate body


def find_sheet(metadata: Mapping[str, Any], title: str) -> Mapping[str, Any] | None:
    for sheet in metadata.get("sheets", []):
        if sheet.get("properties", {}).get("title") == title:
            return sheet["properties"]
    return None


def batch_update_body(
    metadata: Mapping[str, Any], rows: Sequence[Sequence[dict[str, Any]]], title: str = STATUS_TAB
) -> dict[str, Any]:
    """One batchUpdate: add the tab if missing, clear it, grow it if needed, write, freeze, resize."""
    width = max(len(r) for r in rows)
    existing = find_sheet(metadata, title)
    requests: list[dict[str, Any]] = []
    if existing is None:
        ids = [s.get("properties", {}).get("sheetId", 0) for s in metadata.get("sheets", [])]
        sheet_id = max(ids, default=0) + 1
        requests.append(
            {
                "addSheet": {
                    "properties": {
                        "sheetId": sheet_id,
                        "title": title,
                        "gridProperties": {"rowCount": max(len(rows), 100), "columnCount": max(width, 26)},
                    }
                }
            }
        )
    else:
        sheet_id = existing["sheetId"]
        grid = existing.get("gridProperties", {})
        requests.append({"updateCells": {"range": {"sheetId": sheet_id}, "fields": CELL_FIELDS}})
        if grid.get("rowCount", 0) < len(rows):
            requests.append(
                {
                    "appendDimension": {
                        "sheetId": sheet_id,
                        "dimension": "ROWS",
                        "length": len(rows) - grid.get("rowCount", 0),
                    }
                }
            )
        if grid.get("columnCount", 0) < width:
            requests.append(
                {
                    "appendDimension": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "length": width - grid.get("columnCount", 0),
                    }
                }
            )
    requests.append(
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": list(r)} for r in rows],
                "fields": CELL_FIELDS,
            }
        }
    )
    requests.append(
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": FROZEN_ROWS}},
                "fields": "gridProperties.frozenRowCount",
            }
        }
    )
    requests.append(
        {
            "autoResizeDimensions": {
                "dimensions": {
                    "sheetId": sheet_id,
                    "dimension": "COLUMNS",
                    "startIndex": 0,
                    "endIndex": width,
                }
            }
        }
    )
    return {"requests": requests}


# ---------------------------------------------------------------- I/O


def kpi_last_dates(settings: Settings) -> list[KpiDate]:
    """MAX(data_date) of every KPI table in TiDB or the embedded store (not those a day may leave empty,
    like inventory_stockout_daily); a read error is reported per table (the sheet says it) rather than
    stopping the publish."""
    from functions.kpi.store import open_store
    from functions.kpi.tables import KPI_TABLES

    names = [t.name for t in KPI_TABLES if not t.may_skip_days]
    try:
        with open_store(settings) as store:
            found = []
            for name in names:
                if not store.table_exists(name):
                    found.append(KpiDate(name))
                    continue
                value = store.query(LAST_DATA_DATE_SQL.format(table=name), what=f"last data_date of {name}")[
                    0
                ][0]
                found.append(
                    KpiDate(name, date.fromisoformat(str(value)[:10]) if value is not None else None)
                )
            return found
    except NkpipeError as exc:
        log.warning("KPI store unreadable for the status sheet: %s", exc)
        return [KpiDate(name, error=str(exc)) for name in names]


def open_sheets_client(settings: Settings) -> Any:
    """A gspread client on the service account: GOOGLE_APPLICATION_CREDENTIALS locally, the
    function's own service account in Cloud Functions."""
    import google.auth
    import google.auth.exceptions
    import gspread

    try:
        credentials, _ = google.auth.default(scopes=list(SHEETS_SCOPES))
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise ConfigError(
            "no Google service account for Sheets: set GOOGLE_APPLICATION_CREDENTIALS to its key file"
        ) from exc
    return gspread.Client(auth=credentials)


def _api_call(what: str, call: Any) -> Any:
    import gspread.exceptions
    import requests

    try:
        return call()
    except gspread.exceptions.APIError as exc:
        status = exc.response.status_code
        message = exc.error.get("message", "") if isinstance(exc.error, dict) else str(exc)
        raise error_for_http_status(status, f"Sheets API {what}: {message}") from exc
    except requests.exceptions.RequestException as exc:
        raise TransientError(f"Sheets API {what}: {type(exc).__name__}: {exc}") from exc


def publish_status_sheet(
    settings: Settings,
    lake: Lake,
    day: date | None = None,
    client: Any = None,
    now: datetime | None = None,
    run_id: str | None = None,
) -> StageResult:
    """Write the `Status ETL` tab; recorded as stage 'publish', dataset 'status_sheet'."""
    if not settings.sheets_spreadsheet_id:
        raise ConfigError("SHEETS_SPREADSHEET_ID is not set: the spreadsheet to publish the ETL status to")
    now = now or clock.now()
    tz = ZoneInfo(settings.business_tz)
    records = Metadata(lake).runs()  # read before this run starts, so it does not list itself as running
    kpi_dates = kpi_last_dates(settings)
    rows = status_rows(records, kpi_dates, now, tz, day, settings.gcp_project)
    spreadsheet_id = settings.sheets_spreadsheet_id

    def publish(_attempt: Attempt) -> Outcome:
        sheets = client or open_sheets_client(settings)
        sheet_metadata = _api_call(
            "get spreadsheet", lambda: sheets.http_client.fetch_sheet_metadata(spreadsheet_id)
        )
        body = batch_update_body(sheet_metadata, rows)
        _api_call("batchUpdate", lambda: sheets.http_client.batch_update(spreadsheet_id, body))
        return Outcome(
            rows={"runs": len(latest_runs(records, day)), "kpi_tables": len(kpi_dates)},
            calls={"sheets_api": 2},
            message=f"{STATUS_TAB} written to spreadsheet {spreadsheet_id}",
            advance_watermark=False,
        )

    run = DatasetRun("status_sheet", publish)
    [result] = run_recorded(lake, "publish", day or now.astimezone(tz).date(), [run], run_id, lock=False)
    return result


def publish_if_configured(
    settings: Settings, lake: Lake, day: date | None = None, client: Any = None, run_id: str | None = None
) -> StageResult | None:
    """The last step of the scheduled kpi pipeline: publish when SHEETS_SPREADSHEET_ID is set (None
    otherwise). A failure is logged and returned as a failed result, never raised: the KPI data are
    already written and must not be reported as failed because the status sheet was not."""
    if not settings.sheets_spreadsheet_id:
        log.info("SHEETS_SPREADSHEET_ID not set: Status ETL sheet not published")
        return None
    try:
        return publish_status_sheet(settings, lake, day, client, run_id=run_id)
    except NkpipeError as exc:
        log.warning("Status ETL sheet not published: %s", exc)
        today = dates.today(settings.business_tz)
        return StageResult("publish", "status_sheet", day or today, status=FAILED, message=str(exc))
