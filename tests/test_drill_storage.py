"""Drill 4: the object store (a private fake-gcs-server, on disk) killed while a stage writes its partitions.

The profit stage runs on a lake in a bucket; the emulator process is killed (SIGKILL) right as the
stage sends the N-th of its partition uploads, so N-1 partitions are written and the rest are not.
The run stops with a clear transient error; after the emulator is started again on the same data,
every object in the bucket is a whole file, no record says success and the watermark did not move;
the rerun then succeeds and gives the undisturbed run's partitions.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from functions.pipeline import run_days
from shared.errors import NkpipeError
from shared.lake import open_lake
from tests.fixtures.drills import DrillWorld, assert_only_whole_files_visible, differences, lake_files
from tests.fixtures.services import fake_gcs_server_binary, free_port, gcs_client

BUCKET = "drill-lake"
PROFIT_TABLES = {
    "fact_product_cost_events",
    "fact_product_cost_latest_daily",
    "fact_sales_lines_profit",
    "agg_profit_daily",
    "agg_profit_daily_by_product",
}


class PrivateGcs:
    """A fake-gcs-server of this test only, keeping its objects on disk so a restart finds them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateGcs:
        argv = [
            str(fake_gcs_server_binary()), "-scheme", "http", "-backend", "filesystem",
            "-filesystem-root", str(self.root / "data"), "-host", "127.0.0.1", "-port", str(self.port),
            "-external-url", self.url, "-public-host", f"127.0.0.1:{self.port}", "-log-level", "error",
        ]  # fmt: skip
        with open(self.root / "emulator.log", "ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.root / "emulator.log").read_text()[-2000:]
            try:
                with opener.open(f"{self.url}/storage/v1/b", timeout=2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private fake-gcs-server did not start")

    def kill(self) -> None:
        """SIGKILL, by pid: only the process this test started."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def private_gcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateGcs]:
    gcs = PrivateGcs(tmp_path / "gcs")
    gcs.root.mkdir()
    gcs.start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.url)
    monkeypatch.setenv("NKPIPE_GCS_RETRY_TIMEOUT_S", "2")
    try:
        yield gcs
    finally:
        gcs.kill()


def upload_state(gcs: PrivateGcs, local_lake: Path) -> None:
    """The bucket gets the files of a local lake (the state before the stage)."""
    client = gcs_client(gcs.url)
    bucket = client.create_bucket(BUCKET)
    for rel in lake_files(local_lake):
        bucket.blob(rel).upload_from_filename(str(local_lake / rel))


def download_lake(gcs: PrivateGcs, into: Path) -> Path:
    client = gcs_client(gcs.url)
    for blob in client.list_blobs(BUCKET):
        target = into / blob.name
        target.parent.mkdir(parents=True, exist_ok=True)
        blob.download_to_filename(str(target))
    return into


PARTITION_UPLOAD = re.compile(rb'"name":\s*"star-schema/[a-z_]+/date=[0-9-]+/part-0\.parquet"')


def kill_at_partition_upload(monkeypatch: pytest.MonkeyPatch, gcs: PrivateGcs, nth: int) -> dict[str, int]:
    """Kill the emulator as the `nth` partition upload is about to go out; count requests after that."""
    real_send = requests.Session.send
    seen = {"uploads": 0, "after_kill": 0}

    def send(self, request, **kwargs):  # noqa: ANN001, ANN202 — requests' own signature
        body = request.body if isinstance(request.body, bytes) else b""
        if gcs.process is not None and gcs.process.poll() is not None:
            seen["after_kill"] += 1
        elif request.method == "POST" and "/upload/" in request.url and PARTITION_UPLOAD.search(body):
            seen["uploads"] += 1
            if seen["uploads"] == nth:
                gcs.kill()
                seen["after_kill"] += 1
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return seen


@pytest.mark.parametrize("seed", [1, 2])
def test_storage_killed_mid_write_leaves_no_partial_partition_and_the_rerun_repairs(
    drill_world: DrillWorld, private_gcs: PrivateGcs, tmp_path, monkeypatch, seed
):
    world = drill_world
    day = world.day
    upload_state(private_gcs, world.snapshots["transform"] / "lake")
    case = world.copy_state("transform", tmp_path / "case")
    settings = world.settings(case, data_lake_root=f"gs://{BUCKET}")
    lake = open_lake(settings.data_lake_root)
    nth = random.Random(f"drill-storage-{seed}").randint(1, 5)  # profit writes five partitions
    seen = kill_at_partition_upload(monkeypatch, private_gcs, nth)

    with pytest.raises(NkpipeError) as info:
        run_days(settings, lake, [day], ["profit"])
    assert seen["uploads"] == nth
    assert type(info.value).__name__ == "TransientError", info.value
    assert "\n" not in str(info.value) and "gs " in str(info.value), info.value
    # Each call to the dead store retries only within the configured bound, then gives up; with the
    # client's default (120 s a call) the stage kept calling for minutes.
    assert seen["after_kill"] <= 30, f"{seen['after_kill']} requests to a dead object store"

    monkeypatch.undo()  # the real transport again, and the emulator back on the same data
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", private_gcs.url)
    monkeypatch.setenv("NKPIPE_GCS_RETRY_TIMEOUT_S", "2")
    private_gcs.start()
    seen_lake = download_lake(private_gcs, tmp_path / f"after-kill-{seed}")
    assert_only_whole_files_visible(seen_lake)
    expected = world.snapshots["profit"] / "lake"
    for rel in lake_files(seen_lake):
        if rel.split("/", 1)[0] in ("raw", "clean", "star-schema"):
            assert not differences(seen_lake, expected, [rel]), f"{rel} is not a whole, correct partition"
    written = [r for r in lake_files(seen_lake) if r.split("/")[1] in PROFIT_TABLES]
    assert len(written) == nth - 1, written  # the partitions before the kill, and no other
    profit_records = sorted((seen_lake / "metadata" / "latest" / "profit").rglob("*.json"))
    assert all('"success"' not in p.read_text() for p in profit_records)
    assert not (seen_lake / "metadata" / "watermarks" / "profit").exists()

    results = run_days(settings, open_lake(settings.data_lake_root), [day], ["profit"])
    assert [r.status for r in results] == ["success"]
    final = download_lake(private_gcs, tmp_path / f"final-{seed}")
    assert differences(final, expected) == []
