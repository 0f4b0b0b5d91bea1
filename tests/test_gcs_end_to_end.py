"""The whole pipeline on DATA_LAKE_ROOT=gs://bucket/prefix, against fake-gcs-server on 127.0.0.1.

The cloud side runs as the `rerun` Cloud Function under functions-framework with the real
google-cloud-storage client; its star schema must equal the one the same day produces on a local
folder. A second test cuts uploads midway (a loopback proxy in front of the emulator drops the
connection after half the body) and checks that no partial or mixed partition is left behind.
"""

from __future__ import annotations

import http.client
import json
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
from urllib.parse import quote, urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

from functions.pipeline import STAGES, run_days
from shared import clock
from shared.config import ENV_NAMES, load_settings
from shared.dates import yesterday
from shared.errors import TransientError
from shared.lake import open_lake
from shared.metadata import Metadata
from tests.fixtures.services import free_port

REPO = Path(__file__).resolve().parents[1]
TZ = "Asia/Jakarta"
PREFIX = "nk/lake"


def business_day(days_before_yesterday: int) -> date:
    return yesterday(TZ) - timedelta(days=days_before_yesterday)


def local_settings(root: str, kpi_path: Path):
    return load_settings(
        environ={
            "ODOO_HOST": "simulator",
            "DATA_LAKE_ROOT": root,
            "KPI_DUCKDB_PATH": str(kpi_path),
            "BUSINESS_TZ": TZ,
        },
        env_file=None,
    )


def sorted_table(data: bytes) -> pa.Table:
    """A parquet file as a table with its rows in a canonical order (row order is not part of the contract)."""
    table = pq.read_table(pa.BufferReader(data))
    keys = [
        (name, "ascending")
        for name in table.column_names
        if not pa.types.is_nested(table.schema.field(name).type)
    ]
    return table.sort_by(keys) if keys else table


def local_star_schema(root: Path) -> dict[str, bytes]:
    base = root / "star-schema"
    return {str(path.relative_to(base)): path.read_bytes() for path in sorted(base.rglob("*.parquet"))}


def gcs_star_schema(bucket) -> dict[str, bytes]:
    base = f"{PREFIX}/star-schema/"
    return {
        blob.name[len(base) :]: blob.download_as_bytes()
        for blob in bucket.client.list_blobs(bucket.name, prefix=base)
        if blob.name.endswith(".parquet")
    }


# ---------------------------------------------------------------- the rerun function on a gs:// lake


def _wait_for_port(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"functions-framework exited: {log_path.read_text()[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"functions-framework did not start: {log_path.read_text()[-3000:]}")


@pytest.fixture
def rerun_function_on_gcs(gcs_bucket, tmp_path: Path) -> Iterator[str]:
    """URL of the `rerun` entry point with DATA_LAKE_ROOT=gs://<bucket>/nk/lake on the emulator."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES and not k.startswith("NKPIPE_")}
    env.update(clock.env_for())  # the function shares the suite's clock
    env.update(
        {
            "ODOO_HOST": "simulator",
            "DATA_LAKE_ROOT": f"gs://{gcs_bucket.name}/{PREFIX}",
            "STORAGE_EMULATOR_HOST": gcs_bucket.endpoint,
            "KPI_DUCKDB_PATH": str(tmp_path / "gcs-kpi.duckdb"),
            "BUSINESS_TZ": TZ,
        }
    )
    workdir = tmp_path / "function"
    workdir.mkdir()
    port = free_port()
    log_path = tmp_path / "rerun.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "functions_framework", "--target", "rerun", "--source", str(REPO / "main.py"),
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        _wait_for_port(port, process, log_path)
        yield f"http://127.0.0.1:{port}/"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (SIGTERM waits)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    # Nothing of the lake may land on the function's local disk.
    assert not (workdir / "data-lake").exists()


def test_whole_pipeline_on_gcs_equals_the_local_folder_for_the_same_day(
    rerun_function_on_gcs, gcs_bucket, tmp_path
):
    day = business_day(2)

    response = requests.post(rerun_function_on_gcs, json={"date": day.isoformat()}, timeout=300)
    local_root = tmp_path / "local-lake"
    run_days(
        local_settings(str(local_root), tmp_path / "local-kpi.duckdb"), open_lake(str(local_root)), [day]
    )

    assert response.status_code == 200, response.text
    assert response.json()["stages"] == list(STAGES)
    expected = local_star_schema(local_root)
    result = gcs_star_schema(gcs_bucket)
    assert sorted(result) == sorted(expected)
    assert f"fact_sales/date={day.isoformat()}/part-0.parquet" in result
    assert any(key.startswith("dim_") for key in result)
    for key in expected:
        assert sorted_table(result[key]).equals(sorted_table(expected[key])), key
    # Run records live in the bucket too, under the same prefix.
    gcs_lake_metadata = Metadata(open_lake(f"gs://{gcs_bucket.name}/{PREFIX}"))
    assert gcs_lake_metadata.last_success("transform", "pos", day) is not None


# ---------------------------------------------------------------- a write cut midway


class CuttingProxy:
    """A loopback HTTP proxy in front of the GCS emulator that cuts one upload halfway through.

    When armed with an object name, the next upload of that object gets only the first half of its body
    forwarded before both connections are dropped, as when a function dies mid-upload. Right after the
    cut the proxy asks the emulator what the object looks like now (`seen_after_cut`); later attempts
    (the client's own retries) pass through.
    """

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}

    def __init__(self, upstream: str, bucket: str) -> None:
        self.upstream = urlsplit(upstream)
        self.bucket = bucket
        self.armed: str | None = None
        self.seen_after_cut: list[tuple[str, dict | None]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in CuttingProxy.HOP_BY_HOP}
                armed = proxy.armed
                if armed and self.path.startswith("/upload/") and f'"{armed}"'.encode() in body:
                    proxy.armed = None
                    proxy.cut_midway(self.command, self.path, headers, body)
                    proxy.seen_after_cut.append((armed, proxy.object_state(armed)))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, reason, answer_headers, payload = proxy.forward(
                    self.command, self.path, headers, body
                )
                self.send_response(status, reason)
                for key, value in answer_headers:
                    if key.lower() not in CuttingProxy.HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _relay  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def forward(self, method: str, path: str, headers: dict, body: bytes) -> tuple:
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            answer = conn.getresponse()
            return answer.status, answer.reason, answer.getheaders(), answer.read()
        finally:
            conn.close()

    def cut_midway(self, method: str, path: str, headers: dict, body: bytes) -> None:
        with socket.create_connection((self.upstream.hostname, self.upstream.port)) as upstream:
            head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            upstream.sendall(head.encode() + b"\r\n" + body[: len(body) // 2])
        time.sleep(0.2)  # let the emulator notice the dropped upload before we look

    def object_state(self, name: str) -> dict | None:
        """generation and size of the object as the emulator has it now (None: no object)."""
        path = f"/storage/v1/b/{self.bucket}/o/{quote(name, safe='')}"
        status, _reason, _headers, payload = self.forward("GET", path, {}, b"")
        if status == 404:
            return None
        meta = json.loads(payload)
        return {"generation": int(meta["generation"]), "size": int(meta["size"])}

    def __enter__(self) -> CuttingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_pos(root: str, kpi_path: Path, day: date) -> str:
    """extract + transform pos for a day; "done", or "failed" when the write error reached the caller."""
    try:
        run_days(local_settings(root, kpi_path), open_lake(root), [day], ("extract", "transform"), ("pos",))
    except TransientError as exc:
        assert "fact_sales" in str(exc)
        return "failed"
    return "done"


def test_a_write_cut_midway_leaves_no_partial_partition(gcs_bucket, tmp_path, monkeypatch):
    kept_day, new_day = business_day(4), business_day(3)
    root = f"gs://{gcs_bucket.name}/{PREFIX}"
    kept_name = f"{PREFIX}/star-schema/fact_sales/date={kept_day.isoformat()}/part-0.parquet"
    new_name = f"{PREFIX}/star-schema/fact_sales/date={new_day.isoformat()}/part-0.parquet"
    bucket = gcs_bucket.client.bucket(gcs_bucket.name)
    with CuttingProxy(gcs_bucket.endpoint, gcs_bucket.name) as proxy:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
        assert run_pos(root, tmp_path / "kpi.duckdb", kept_day) == "done"
        before = bucket.get_blob(kept_name)
        before_table = sorted_table(before.download_as_bytes())

        proxy.armed = kept_name
        rerun_outcome = run_pos(root, tmp_path / "kpi.duckdb", kept_day)
        proxy.armed = new_name
        new_outcome = run_pos(root, tmp_path / "kpi.duckdb", new_day)

    # Right after each cut, the emulator still had the previous partition untouched, or nothing at all.
    assert proxy.seen_after_cut == [
        (kept_name, {"generation": before.generation, "size": before.size}),
        (new_name, None),
    ]
    # Afterwards each partition is either the old file or a whole new one, never a part of one.
    after = bucket.get_blob(kept_name)
    assert sorted_table(after.download_as_bytes()).equals(before_table)
    assert (after.generation == before.generation) == (rerun_outcome == "failed")
    new_blob = bucket.get_blob(new_name)
    if new_outcome == "failed":
        assert new_blob is None
        failed = Metadata(open_lake(root)).last_run("transform", "pos", new_day)
        assert failed is not None and failed.status == "failed"
    else:
        assert sorted_table(new_blob.download_as_bytes()).num_rows > 0


def test_sorted_table_ignores_row_order_but_not_values():
    table = pa.table({"a": [2, 1, None], "b": ["x", "y", "z"]})
    shuffled = pa.table({"a": [1, None, 2], "b": ["y", "z", "x"]})
    changed = pa.table({"a": [1, None, 2], "b": ["y", "z", "w"]})

    def as_bytes(t: pa.Table) -> bytes:
        sink = pa.BufferOutputStream()
        pq.write_table(t, sink)
        return sink.getvalue().to_pybytes()

    assert sorted_table(as_bytes(table)).equals(sorted_table(as_bytes(shuffled)))
    assert not sorted_table(as_bytes(table)).equals(sorted_table(as_bytes(changed)))
