"""main.py over real HTTP: each entry point runs under `functions-framework --target=...` on loopback.

The functions get a local lake in tmp, the built-in Odoo simulator (ODOO_HOST=simulator) and, for
range reruns and catch-up, a Cloud Tasks stand-in that speaks the Cloud Tasks REST wire format: the
functions use the real google-cloud-tasks client (REST transport, anonymous credentials) against it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from shared import clock
from shared.config import ENV_NAMES
from shared.dates import today, yesterday
from shared.lake import open_lake
from shared.metadata import Metadata
from tests.fixtures.services import free_port

REPO = Path(__file__).resolve().parents[1]
QUEUE = "projects/nk-test/locations/asia-southeast2/queues/nkpipe-rerun"
INVOKER = "nkpipe-invoker@nk-test.iam.gserviceaccount.com"
TZ = "Asia/Jakarta"
MAX_RANGE_DAYS = 31
HTTP_TIMEOUT = 180


# ---------------------------------------------------------------- Cloud Tasks stand-in


class TasksStandIn:
    """`POST /v2/{queue}/tasks` as Cloud Tasks answers it: the task back, or 409 ALREADY_EXISTS."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.fail_with: tuple[int, str] | None = None  # (HTTP status, gRPC status name) for every call
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                match = re.fullmatch(r"/v2/(projects/[^/]+/locations/[^/]+/queues/[^/]+)/tasks", path)
                if not match:
                    self._answer(
                        404, {"error": {"code": 404, "message": f"no route {path}", "status": "NOT_FOUND"}}
                    )
                    return
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                task = dict(request.get("task", {}))
                if standin.fail_with:
                    code, status = standin.fail_with
                    self._answer(
                        code, {"error": {"code": code, "message": f"injected {status}", "status": status}}
                    )
                    return
                with standin.lock:
                    standin.requests.append({"parent": match.group(1), "task": task})
                    name = task.get("name") or f"{match.group(1)}/tasks/{len(standin.tasks) + 1}"
                    if name in standin.tasks:
                        self._answer(
                            409,
                            {
                                "error": {
                                    "code": 409,
                                    "message": "Requested entity already exists",
                                    "status": "ALREADY_EXISTS",
                                }
                            },
                        )
                        return
                    task["name"] = name
                    standin.tasks[name] = task
                self._answer(200, task)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TasksStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def clear(self) -> None:
        with self.lock:
            self.tasks.clear()
            self.requests.clear()
            self.fail_with = None


# ---------------------------------------------------------------- functions-framework servers


def _wait_for_port(port: int, process: subprocess.Popen, log_path: Path, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"functions-framework exited with {process.returncode}: {log_path.read_text()[-3000:]}"
            )
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"functions-framework did not listen on {port}: {log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (SIGTERM waits)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    """The test environment without any nkpipe setting of the developer's shell, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES and not k.startswith("NKPIPE_")}
    env.update(clock.env_for())  # the function shares the suite's clock
    env.update(extra)
    return env


class Functions:
    """A set of functions-framework processes, one per entry point, sharing one environment."""

    def __init__(self, workdir: Path, env: dict[str, str], entries: tuple[str, ...]) -> None:
        self.workdir = workdir
        self.env = env
        self.entries = entries
        self.urls: dict[str, str] = {}
        self.processes: list[subprocess.Popen] = []

    def start(self) -> Functions:
        pending = []
        for entry in self.entries:
            port = free_port()
            log_path = self.workdir / f"{entry}.log"
            with open(log_path, "wb") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "functions_framework", "--target", entry, "--source", str(REPO / "main.py"),
                     "--host", "127.0.0.1", "--port", str(port)],
                    cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                )  # fmt: skip
            self.processes.append(process)
            self.urls[entry] = f"http://127.0.0.1:{port}/"
            pending.append((port, process, log_path))
        for port, process, log_path in pending:
            _wait_for_port(port, process, log_path)
        return self

    def stop(self) -> None:
        for process in self.processes:  # signal them all first: each takes ~1 s to exit
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            _stop(process)

    def log(self, entry: str) -> str:
        return (self.workdir / f"{entry}.log").read_text()


@pytest.fixture(scope="module")
def tasks_standin() -> Iterator[TasksStandIn]:
    with TasksStandIn() as standin:
        yield standin


@pytest.fixture(scope="module")
def lake_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("http-lake")


@pytest.fixture(scope="module")
def functions_up(tmp_path_factory, tasks_standin: TasksStandIn, lake_dir: Path) -> Iterator[Functions]:
    """All four entry points on the simulator and a local lake, with a Cloud Tasks queue configured."""
    workdir = tmp_path_factory.mktemp("functions")
    rerun_port_hint = "http://127.0.0.1:1/rerun"  # where tasks would be delivered; the stand-in only records
    env = _clean_env(
        {
            "ODOO_HOST": "simulator",
            "DATA_LAKE_ROOT": str(lake_dir),
            "KPI_DUCKDB_PATH": str(workdir / "kpi.duckdb"),
            "BUSINESS_TZ": TZ,
            "MAX_RANGE_DAYS": str(MAX_RANGE_DAYS),
            "NKPIPE_TASKS_QUEUE": QUEUE,
            "NKPIPE_TASKS_ENDPOINT": tasks_standin.url,
            "NKPIPE_TASKS_SERVICE_ACCOUNT": INVOKER,
            "NKPIPE_RERUN_URL": rerun_port_hint,
            "NKPIPE_CATCH_UP_URL": "http://127.0.0.1:1/catch_up",
        }
    )
    functions = Functions(workdir, env, ("scheduled_pipeline", "rerun", "health", "catch_up")).start()
    try:
        yield functions
    finally:
        functions.stop()


@pytest.fixture(scope="module")
def broken_functions(tmp_path_factory) -> Iterator[dict[str, Functions]]:
    """scheduled_pipeline twice more: with no Odoo configured (terminal) and with Odoo down (transient)."""
    base = tmp_path_factory.mktemp("broken")
    closed_port = free_port()  # nothing listens there: connection refused
    configs = {
        "unconfigured": {"DATA_LAKE_ROOT": str(base / "lake-a")},
        # as inside Cloud Run (K_SERVICE set) with a local lake and no TiDB/Supabase: must refuse
        "cloud_misconfigured": {
            "K_SERVICE": "nkpipe-scheduled-pipeline",
            "ODOO_HOST": "simulator",
            "DATA_LAKE_ROOT": str(base / "lake-c"),
        },
        "odoo_down": {
            "DATA_LAKE_ROOT": str(base / "lake-b"),
            "ODOO_HOST": "127.0.0.1",
            "ODOO_PORT": str(closed_port),
            "ODOO_PROTOCOL": "jsonrpc",
            "ODOO_DB": "nk",
            "ODOO_USERNAME": "etl",
            "ODOO_API_KEY": "not-a-real-key",
            "ODOO_MAX_RETRIES": "0",
            "ODOO_TIMEOUT": "2",
        },
    }
    started = {}
    try:
        for name, extra in configs.items():
            workdir = base / name
            workdir.mkdir()
            started[name] = Functions(workdir, _clean_env(extra), ("scheduled_pipeline",)).start()
        yield started
    finally:
        for functions in started.values():
            functions.stop()


def post(url: str, payload: object = None, *, data: bytes | None = None, params: dict | None = None):
    if data is None and payload is not None:
        data = json.dumps(payload).encode()
    return requests.post(
        url, data=data, params=params, headers={"Content-Type": "application/json"}, timeout=HTTP_TIMEOUT
    )


def day_before_yesterday() -> date:
    return yesterday(TZ) - timedelta(days=1)


# ---------------------------------------------------------------- scheduled_pipeline


def test_scheduled_pipeline_runs_pos_for_a_date_and_writes_the_star_schema(functions_up, lake_dir):
    day = day_before_yesterday()

    response = post(functions_up.urls["scheduled_pipeline"], {"pipeline": "pos", "date": day.isoformat()})

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "done"
    assert result["pipeline"] == "pos"
    assert result["days"] == [day.isoformat()]
    assert result["stages"] == ["extract", "transform"]
    ran = {(r["stage"], r["dataset"], r["status"]) for r in result["results"]}
    assert ("extract", "pos", "success") in ran and ("transform", "pos", "success") in ran
    assert result["rows"] > 0
    assert result["duration_s"] >= 0
    assert (lake_dir / "star-schema" / "fact_sales" / f"date={day.isoformat()}" / "part-0.parquet").is_file()


def test_scheduled_pipeline_defaults_to_yesterday_in_business_time(functions_up):
    response = requests.get(
        functions_up.urls["scheduled_pipeline"], params={"pipeline": "invoice-sales"}, timeout=HTTP_TIMEOUT
    )

    assert response.status_code == 200, response.text
    assert response.json()["days"] == [yesterday(TZ).isoformat()]


def test_scheduled_intraday_pipeline_refreshes_today_provisionally(functions_up, lake_dir):
    today = yesterday(TZ) + timedelta(days=1)

    response = post(functions_up.urls["scheduled_pipeline"], {"pipeline": "intraday"})

    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["pipeline"], result["intraday"], result["days"]) == ("intraday", True, [today.isoformat()])
    assert {(r["stage"], r["dataset"]) for r in result["results"]} >= {("extract", "pos"), ("kpi", "kpi")}
    assert all(r["provisional"] and r["as_of"] for r in result["results"])
    assert not (lake_dir / "metadata" / "watermarks" / "extract" / "pos.json").is_file() or (
        json.loads((lake_dir / "metadata" / "watermarks" / "extract" / "pos.json").read_text())["date"] < today.isoformat()
    )
    assert json.loads((lake_dir / "metadata" / "intraday" / "last.json").read_text())["date"] == today.isoformat()


def test_intraday_pipeline_is_for_today_only(functions_up):
    day = day_before_yesterday().isoformat()
    for url, body in (
        (functions_up.urls["scheduled_pipeline"], {"pipeline": "intraday", "date": day}),
        (functions_up.urls["rerun"], {"pipeline": "intraday", "date": day}),
        (functions_up.urls["rerun"], {"pipeline": "intraday", "start": day, "end": day}),
    ):
        response = post(url, body)
        assert response.status_code == 400, response.text
        assert "intraday" in response.json()["error"] and "today" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "'pipeline' is required"),
        (b'{"pipeline": "pos"', "not valid JSON"),
        (b'["pos"]', "must be a JSON object"),
        (b'{"pipeline": "sales"}', "unknown pipeline 'sales'"),
        (b'{"pipeline": "pos", "date": "2026-13-01"}', "bad date"),
        (b'{"pipeline": "pos", "date": "2999-01-01"}', "in the future"),
        (b'{"pipeline": "pos", "date": 20261101}', "'date' must be a string"),
        (b'{"pipeline": "pos", "day": "2026-11-01"}', "unknown field(s) 'day'"),
    ],
)
def test_scheduled_pipeline_rejects_bad_input_with_400(functions_up, body, message):
    response = post(functions_up.urls["scheduled_pipeline"], data=body)

    assert response.status_code == 400, response.text
    result = response.json()
    assert result["status"] == "error" and result["retry"] is False
    assert message in result["error"]


def test_scheduled_pipeline_answers_405_to_other_methods(functions_up):
    response = requests.put(functions_up.urls["scheduled_pipeline"], data=b"{}", timeout=HTTP_TIMEOUT)

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST, GET"
    assert "not allowed" in response.json()["error"]


def test_terminal_error_is_a_4xx_with_a_clear_json_error(broken_functions):
    url = broken_functions["unconfigured"].urls["scheduled_pipeline"]

    response = post(url, {"pipeline": "pos", "date": day_before_yesterday().isoformat()})

    assert 400 <= response.status_code < 500, response.text
    result = response.json()
    assert result["kind"] == "terminal" and result["retry"] is False
    assert "ODOO_HOST is not set" in result["error"]
    assert result["pipeline"] == "pos"


def test_a_cloud_function_never_falls_back_to_local_defaults(broken_functions):
    url = broken_functions["cloud_misconfigured"].urls["scheduled_pipeline"]

    response = post(url, {"pipeline": "pos", "date": day_before_yesterday().isoformat()})

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert "missing in the cloud runtime" in error and "DATA_LAKE_ROOT" in error and "TIDB_HOST" in error
    assert not (broken_functions["cloud_misconfigured"].workdir.parent / "lake-c").exists()


def test_transient_error_is_a_5xx_so_the_scheduler_retries(broken_functions):
    url = broken_functions["odoo_down"].urls["scheduled_pipeline"]

    response = post(url, {"pipeline": "purchases", "date": day_before_yesterday().isoformat()})

    assert response.status_code == 503, response.text
    result = response.json()
    assert result["kind"] == "transient" and result["retry"] is True
    assert "connection" in result["error"].lower()
    log = broken_functions["odoo_down"].log("scheduled_pipeline")
    assert '"event": "pipeline_failed"' in log and '"severity": "ERROR"' in log
    assert "not-a-real-key" not in log + response.text


# ---------------------------------------------------------------- rerun


def test_rerun_of_one_date_runs_inline(functions_up, lake_dir):
    day = day_before_yesterday()

    response = post(
        functions_up.urls["rerun"],
        {"date": day.isoformat(), "stages": ["extract", "transform"], "targets": "purchases"},
    )

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "done"
    assert result["days"] == [day.isoformat()]
    assert result["targets"] == ["purchases"]
    assert {(r["stage"], r["dataset"]) for r in result["results"]} == {
        ("extract", "purchases"),
        ("transform", "purchases"),
    }


def test_rerun_of_a_range_queues_one_named_task_per_day(functions_up, tasks_standin):
    tasks_standin.clear()
    end = day_before_yesterday()
    start = end - timedelta(days=2)
    body = {"start": start.isoformat(), "end": end.isoformat(), "pipeline": "pos"}

    response = post(functions_up.urls["rerun"], body)

    assert response.status_code == 202, response.text
    result = response.json()
    days = [(start + timedelta(days=i)) for i in range(3)]
    expected_names = [f"rerun-pos-{d:%Y%m%d}" for d in days]
    assert result["status"] == "queued"
    assert [t["task"] for t in result["tasks"]] == expected_names
    assert {t["state"] for t in result["tasks"]} == {"created"}
    assert [r["parent"] for r in tasks_standin.requests] == [QUEUE] * 3
    sent = [r["task"] for r in tasks_standin.requests]
    assert [t["name"] for t in sent] == [f"{QUEUE}/tasks/{name}" for name in expected_names]
    for task, day in zip(sent, days, strict=True):
        http = task["httpRequest"]
        assert http["url"] == "http://127.0.0.1:1/rerun"
        assert http["httpMethod"] in ("POST", 1)  # enum as name or number, as the client encodes it
        assert json.loads(base64.b64decode(http["body"])) == {"date": day.isoformat(), "pipeline": "pos"}
        assert http["oidcToken"]["serviceAccountEmail"] == INVOKER
        assert task["dispatchDeadline"] == "1800s"


def test_rerun_of_the_same_range_twice_does_not_double_the_work(functions_up, tasks_standin):
    tasks_standin.clear()
    end = day_before_yesterday()
    body = {"start": (end - timedelta(days=1)).isoformat(), "end": end.isoformat(), "stages": "profit,kpi"}

    first = post(functions_up.urls["rerun"], body)
    second = post(functions_up.urls["rerun"], body)

    assert first.status_code == 202 and second.status_code == 202, second.text
    assert [t["state"] for t in first.json()["tasks"]] == ["created", "created"]
    assert [t["state"] for t in second.json()["tasks"]] == ["duplicate", "duplicate"]
    assert len(tasks_standin.tasks) == 2
    assert all(name.split("/")[-1].startswith("rerun-profit_kpi--") for name in tasks_standin.tasks)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"{}", "'date' or 'start' is required"),
        (b'{"date": "21-11-2026"}', "bad date"),
        (b'{"start": "2026-11-10", "end": "2026-11-01"}', "before start"),
        (b'{"date": "2999-01-01"}', "in the future"),
        (b'{"start": "2026-01-01", "end": "2026-03-01"}', f"over the limit of {MAX_RANGE_DAYS} days"),
        (b'{"date": "2026-11-01", "stages": ["extract", "load"]}', "unknown stage 'load'"),
        (b'{"date": "2026-11-01", "targets": ["pos", "sales"]}', "unknown target 'sales'"),
        (b'{"date": "2026-11-01", "start": "2026-11-01"}', "not both"),
        (b'{"end": "2026-11-01"}', "'date' or 'start' is required"),
        (b'{"date": "2026-11-01", "pipeline": "pos", "stages": "kpi"}', "not both"),
        (b'{"date": "2026-11-01", "stages": 5}', "list of names"),
        (b'{"date": "2026-11-01", "request_id": "a/b"}', "request_id"),
    ],
)
def test_rerun_rejects_bad_input_with_400_never_500(functions_up, tasks_standin, body, message):
    tasks_standin.clear()

    response = post(functions_up.urls["rerun"], data=body)

    assert response.status_code == 400, response.text
    assert message in response.json()["error"]
    assert tasks_standin.requests == []


@pytest.mark.parametrize(
    ("failure", "status", "kind"),
    [((503, "UNAVAILABLE"), 503, "transient"), ((403, "PERMISSION_DENIED"), 422, "terminal")],
)
def test_rerun_maps_queue_failures_to_retry_or_not(functions_up, tasks_standin, failure, status, kind):
    tasks_standin.clear()
    tasks_standin.fail_with = failure
    end = day_before_yesterday()
    body = {"start": (end - timedelta(days=1)).isoformat(), "end": end.isoformat(), "pipeline": "kpi"}

    response = post(functions_up.urls["rerun"], body)
    tasks_standin.fail_with = None

    assert response.status_code == status, response.text
    assert response.json()["kind"] == kind
    assert f"injected {failure[1]}" in response.json()["error"]
    assert tasks_standin.tasks == {}


def test_rerun_answers_405_to_get(functions_up):
    response = requests.get(functions_up.urls["rerun"], params={"date": "2026-11-01"}, timeout=HTTP_TIMEOUT)

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


# ---------------------------------------------------------------- health and catch-up


def _record_day(lake_dir: Path, day: date, failing: tuple[str, str] | None = None) -> None:
    """Run records for every (stage, dataset) of a day, as the stages leave them."""
    from functions.pipeline import TARGETS

    metadata = Metadata(open_lake(str(lake_dir)))
    pairs = [(stage, t) for t in TARGETS for stage in ("extract", "transform")]
    pairs += [("profit", "profit"), ("kpi", "kpi"), ("mirror", "mirror")]
    for stage, dataset in pairs:
        record = metadata.start(stage, dataset, day)
        if (stage, dataset) == failing:
            metadata.fail(record, "simulated failure")
        else:
            metadata.finish(record, rows={dataset: 1})


def test_health_is_503_while_behind_and_200_once_every_dataset_is_fresh(functions_up, lake_dir):
    behind = requests.get(functions_up.urls["health"], timeout=HTTP_TIMEOUT)
    assert behind.status_code == 503, behind.text
    assert behind.json()["status"] == "behind"
    assert behind.json()["expected_day"] == yesterday(TZ).isoformat()

    _record_day(lake_dir, yesterday(TZ), failing=("kpi", "kpi"))
    still_behind = requests.get(functions_up.urls["health"], timeout=HTTP_TIMEOUT).json()
    assert still_behind["kpi_tables"]["inventory_kpi_daily"]["status"] != "fresh"
    assert still_behind["datasets"]["pos"]["status"] == "fresh"
    assert still_behind["kpi_tables"]["inventory_kpi_daily"]["last_error"]["message"].endswith(
        "simulated failure"
    )

    _record_day(lake_dir, yesterday(TZ))
    fresh = requests.get(functions_up.urls["health"], timeout=HTTP_TIMEOUT)
    assert fresh.status_code == 200, fresh.text
    result = fresh.json()
    assert result["status"] == "fresh"
    assert set(result["datasets"]) >= {"pos", "invoice-sales", "purchases", "profit"}
    assert result["datasets"]["pos"]["last_processed"] == yesterday(TZ).isoformat()
    assert "catch_up" not in result


def test_health_with_catch_up_queues_one_catch_up_task_per_day_when_behind(tmp_path_factory, tasks_standin):
    tasks_standin.clear()
    workdir = tmp_path_factory.mktemp("health-behind")
    env = _clean_env(
        {
            "ODOO_HOST": "simulator",
            "DATA_LAKE_ROOT": str(workdir / "lake"),
            "NKPIPE_TASKS_QUEUE": QUEUE,
            "NKPIPE_TASKS_ENDPOINT": tasks_standin.url,
            "NKPIPE_TASKS_SERVICE_ACCOUNT": INVOKER,
            "NKPIPE_CATCH_UP_URL": "http://127.0.0.1:1/catch_up",
        }
    )
    functions = Functions(workdir, env, ("health",)).start()
    try:
        first = requests.get(functions.urls["health"], params={"catch_up": "1"}, timeout=HTTP_TIMEOUT)
        second = requests.post(functions.urls["health"], json={"catch_up": True}, timeout=HTTP_TIMEOUT)
    finally:
        functions.stop()

    assert first.status_code == 503, first.text
    assert first.json()["catch_up"] == {"state": "created", "task": f"catch-up-{today(TZ):%Y%m%d}"}
    assert second.json()["catch_up"]["state"] == "duplicate"
    (task,) = tasks_standin.tasks.values()
    assert task["httpRequest"]["url"] == "http://127.0.0.1:1/catch_up"


def test_catch_up_runs_inline_and_reports_what_it_did(functions_up):
    response = post(functions_up.urls["catch_up"], {})

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "done"
    assert "new_days" in result and "changes" in result
    assert isinstance(result["results"], list)


# ---------------------------------------------------------------- hardening (issue 16)


def _id_token(email: str) -> str:
    """An ID token as Cloud Run forwards it after checking it (the signature is not read here)."""
    import base64

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part({'email': email, 'aud': 'x'})}.c2ln"


@pytest.fixture(scope="module")
def hardened_functions(tmp_path_factory, tasks_standin: TasksStandIn) -> Iterator[Functions]:
    """rerun and health with a queue but no NKPIPE_RERUN_URL, and catch-up reserved to one operator."""
    workdir = tmp_path_factory.mktemp("hardened")
    env = _clean_env(
        {
            "ODOO_HOST": "simulator",
            "DATA_LAKE_ROOT": str(workdir / "lake"),
            "BUSINESS_TZ": TZ,
            "NKPIPE_TASKS_QUEUE": QUEUE,
            "NKPIPE_TASKS_ENDPOINT": tasks_standin.url,
            "NKPIPE_TASKS_SERVICE_ACCOUNT": INVOKER,
            "NKPIPE_CATCH_UP_URL": "http://127.0.0.1:1/catch_up",
            "NKPIPE_CATCH_UP_CALLERS": "ops@nk.example",
        }
    )
    functions = Functions(workdir, env, ("rerun", "health")).start()
    try:
        yield functions
    finally:
        functions.stop()


def test_range_rerun_never_takes_the_task_url_from_the_host_header(hardened_functions, tasks_standin):
    tasks_standin.clear()
    response = requests.post(
        hardened_functions.urls["rerun"], json={"start": "2026-11-01", "end": "2026-11-02"},
        headers={"Host": "attacker.example"}, timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 422, response.text
    assert "NKPIPE_RERUN_URL is not set" in response.json()["error"]
    assert tasks_standin.requests == []


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"date": ' + b"[" * 500 + b"]" * 500 + b"}",
     b'{"date": "2026-11-01", "pad": "' + b"x" * 20_000 + b'"}'],
    ids=["nested-100k", "nested-500-in-a-field", "20-kB"],
)
def test_deep_or_large_json_bodies_are_400_never_500(hardened_functions, tasks_standin, body):
    tasks_standin.clear()
    response = post(hardened_functions.urls["rerun"], data=body)
    assert response.status_code == 400, response.text
    assert response.json()["retry"] is False
    assert "too deep" in response.json()["error"] or "too large" in response.json()["error"]


def test_health_is_open_to_monitors_but_catch_up_only_to_operators(hardened_functions, tasks_standin):
    tasks_standin.clear()
    url = hardened_functions.urls["health"]
    monitor = {"Authorization": f"Bearer {_id_token('monitor@nk.example')}"}
    operator = {"Authorization": f"Bearer {_id_token('OPS@nk.example')}"}

    read = requests.get(url, headers=monitor, timeout=HTTP_TIMEOUT)
    refused = requests.get(url, params={"catch_up": "1"}, headers=monitor, timeout=HTTP_TIMEOUT)
    anonymous = requests.get(url, params={"catch_up": "1"}, timeout=HTTP_TIMEOUT)
    assert read.status_code == 503 and "catch_up" not in read.json()  # behind: an empty lake
    assert (refused.status_code, anonymous.status_code) == (403, 403), refused.text
    assert "operators only" in refused.json()["error"]
    assert tasks_standin.requests == []

    allowed = requests.get(url, params={"catch_up": "1"}, headers=operator, timeout=HTTP_TIMEOUT)
    assert allowed.status_code == 503 and allowed.json()["catch_up"]["state"] == "created"
