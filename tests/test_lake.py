"""The lake on every store it supports: a local folder, GCS (two emulators) and S3 (moto)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pyarrow as pa
import pytest

from shared import clock
from shared.errors import ConfigError, LockedError, NotFoundError, SchemaError
from shared.lake import Lake, TableSpec, open_lake
from shared.stores import GcsStore, LocalStore, S3Store

SPEC = TableSpec(
    "clean",
    "demo_orders",
    pa.schema(
        [
            pa.field("date", pa.date32(), nullable=False),
            ("order_id", pa.int64()),
            ("amount", pa.float64()),
            ("name", pa.string()),
            ("at", pa.timestamp("us", tz="UTC")),
        ]
    ),
)
DIM = TableSpec("star-schema", "dim_demo", pa.schema([("id", pa.int64()), ("name", pa.string())]), partitioned=False)
D1, D2, D3 = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)


def frame(day: date, ids: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "date": [day] * len(ids),
            "order_id": ids,
            "amount": [float(i) * 1.5 if i % 2 else None for i in ids],
            "name": [f"o{i}" if i % 3 else None for i in ids],
            "at": [datetime(2026, 11, 19, 17, 0, tzinfo=UTC)] * len(ids),
        }
    )


@pytest.fixture(params=["local", "gcs-fake", "gcs-basic", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path) -> Lake:
    kind = request.param
    if kind == "local":
        return open_lake(str(tmp_path / "lake"))
    if kind == "gcs-fake":
        bucket = request.getfixturevalue("gcs_bucket")
    elif kind == "gcs-basic":
        bucket = request.getfixturevalue("gcs_basic_bucket")
    else:
        bucket = request.getfixturevalue("s3_bucket")
    return open_lake(f"{bucket.root_url}/prefix/lake")


def test_open_lake_chooses_store_by_url(tmp_path, gcs_bucket, s3_bucket):
    assert isinstance(open_lake(str(tmp_path)).store, LocalStore)
    assert isinstance(open_lake(f"gs://{gcs_bucket.name}/p").store, GcsStore)
    assert isinstance(open_lake(f"s3://{s3_bucket.name}/p").store, S3Store)
    with pytest.raises(ConfigError, match="unsupported scheme"):
        open_lake("ftp://somewhere/lake")
    with pytest.raises(ConfigError, match="no bucket"):
        open_lake("gs:///lake")


def test_partition_round_trip_and_layout(lake: Lake):
    expected = frame(D2, [1, 2, 3])
    assert lake.write_partition(SPEC, D2, expected) == 3
    result = pl.from_arrow(lake.read_partition(SPEC, D2))
    assert result.equals(expected)
    assert lake.store.list("clean/") == ["clean/demo_orders/date=2026-11-19/part-0.parquet"]


def test_rewrite_replaces_never_appends(lake: Lake):
    lake.write_partition(SPEC, D2, frame(D2, [1, 2, 3]))
    lake.write_partition(SPEC, D2, frame(D2, [7]))
    result = pl.from_arrow(lake.read_partition(SPEC, D2))
    assert result["order_id"].to_list() == [7]
    assert lake.store.list("clean/") == ["clean/demo_orders/date=2026-11-19/part-0.parquet"]


def test_read_partitions_filters_and_orders_by_date(lake: Lake):
    for day, ids in ((D3, [30]), (D1, [10]), (D2, [20, 21])):
        lake.write_partition(SPEC, day, frame(day, ids))
    assert lake.list_dates(SPEC) == [D1, D2, D3]
    result = pl.from_arrow(lake.read_partitions(SPEC, start=D2))
    assert sorted(result["order_id"].to_list()) == [20, 21, 30]
    empty = lake.read_partitions(SPEC, start=date(2027, 1, 1))
    assert empty.num_rows == 0 and empty.schema == SPEC.schema


def test_missing_partition_and_delete(lake: Lake):
    assert lake.read_partition(SPEC, D1) is None
    lake.write_partition(SPEC, D1, frame(D1, [1]))
    assert lake.delete_partition(SPEC, D1) is True
    assert lake.delete_partition(SPEC, D1) is False
    assert lake.list_dates(SPEC) == []


def test_schema_is_checked_on_write_and_nothing_is_written(lake: Lake):
    with pytest.raises(SchemaError, match=r"missing columns \['amount'\]"):
        lake.write_partition(SPEC, D1, frame(D1, [1]).drop("amount"))
    with pytest.raises(SchemaError, match=r"unexpected columns \['extra'\]"):
        lake.write_partition(SPEC, D1, frame(D1, [1]).with_columns(extra=pl.lit(1)))
    with pytest.raises(SchemaError, match="column 'amount' is"):
        lake.write_partition(SPEC, D1, frame(D1, [1]).with_columns(amount=pl.lit("abc")))
    with pytest.raises(SchemaError, match="column 'date' has 1 null"):
        lake.write_partition(SPEC, D1, frame(D1, [1]).with_columns(date=pl.lit(None, dtype=pl.Date)))
    assert lake.list_dates(SPEC) == []


def test_safe_casts_are_accepted(lake: Lake):
    data = frame(D1, [1, 2]).with_columns(order_id=pl.col("order_id").cast(pl.Int32), name=pl.lit(None))
    lake.write_partition(SPEC, D1, data)
    result = lake.read_partition(SPEC, D1)
    assert result.schema == SPEC.schema
    assert result.column("name").null_count == 2


def test_dimension_tables(lake: Lake):
    lake.write_table(DIM, pl.DataFrame({"id": [1, 2], "name": ["a", None]}))
    assert lake.store.list("star-schema/") == ["star-schema/dim_demo.parquet"]
    assert pl.from_arrow(lake.read_table(DIM))["id"].to_list() == [1, 2]


def test_json_documents(lake: Lake):
    assert lake.read_json("metadata/x.json") is None
    lake.write_json("metadata/x.json", {"a": 1, "when": date(2026, 1, 1)})
    assert lake.read_json("metadata/x.json") == {"a": 1, "when": "2026-01-01"}


def test_lock_is_exclusive_and_released(lake: Lake, request: pytest.FixtureRequest):
    if "gcs-basic" in request.node.callspec.id:
        # gcp-storage-emulator ignores generation preconditions, so it cannot hold a lock;
        # the same case runs on fake-gcs-server, which honours them like GCS does.
        lake = open_lake(f"{request.getfixturevalue('gcs_bucket').root_url}/lock")
    with lake.lock("pos-2026-11-19", owner="run-a"):
        with pytest.raises(LockedError, match="already running: pos-2026-11-19"):
            with lake.lock("pos-2026-11-19", owner="run-b"):
                pass
    with lake.lock("pos-2026-11-19", owner="run-b"):
        pass
    assert lake.store.list("metadata/locks/") == []


def test_local_write_leaves_no_temp_file_visible_and_keeps_previous_copy(tmp_path):
    lake = open_lake(str(tmp_path))
    lake.write_partition(SPEC, D1, frame(D1, [1]))
    lake.write_partition(SPEC, D1, frame(D1, [2]))
    key = Lake.partition_key(SPEC, D1)
    versions = lake.store.versions(key)
    assert [v.current for v in versions] == [False, True]
    previous = lake.store.get(key, versions[0].version)
    from shared.lake import from_parquet_bytes

    assert from_parquet_bytes(previous).column("order_id").to_pylist() == [1]
    assert os.listdir(tmp_path / ".tmp") == []
    assert lake.store.list("") == [key]


def test_local_write_failure_keeps_old_partition(tmp_path, monkeypatch):
    lake = open_lake(str(tmp_path))
    lake.write_partition(SPEC, D1, frame(D1, [1]))

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        lake.write_partition(SPEC, D1, frame(D1, [2]))
    assert lake.read_partition(SPEC, D1).column("order_id").to_pylist() == [1]
    assert os.listdir(tmp_path / ".tmp") == []


def test_gcs_precondition_honoured_for_exclusive_create(gcs_bucket):
    lake = open_lake(f"{gcs_bucket.root_url}/p")
    assert lake.store.put_if_absent("metadata/locks/a.lock", b"1") is True
    assert lake.store.put_if_absent("metadata/locks/a.lock", b"2") is False
    assert lake.store.get("metadata/locks/a.lock") == b"1"


def test_local_keys_cannot_escape_root(tmp_path):
    store = LocalStore(tmp_path / "lake")
    with pytest.raises(ConfigError, match="escapes"):
        store.put("../outside", b"x")


def test_lock_of_a_dead_process_on_this_host_is_taken_over(tmp_path):
    import json
    import socket
    import subprocess
    import sys

    lake = open_lake(str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = {"owner": "killed-run", "host": socket.gethostname(), "pid": int(dead.stdout), "acquired_at": "x",
             "expires_at": "2999-01-01T00:00:00+00:00"}
    lake.store.put("metadata/locks/pos.lock", json.dumps(stale).encode())
    with lake.lock("pos", owner="new-run"):
        assert lake.read_json("metadata/locks/pos.lock")["owner"] == "new-run"
    live = {**stale, "pid": os.getppid()}  # another live process on this host
    lake.store.put("metadata/locks/pos.lock", json.dumps(live).encode())
    with pytest.raises(LockedError, match="already running: pos .*run killed-run"):
        with lake.lock("pos", owner="third-run"):
            pass


def test_lock_left_by_an_ended_run_of_this_same_process_is_taken_over(tmp_path):
    """A release that failed (the store was down) leaves a lock naming this live process, e.g. a
    long-lived function worker: once that run has ended, the next run here takes the lock over."""
    import json
    import socket

    lake = open_lake(str(tmp_path))
    left = {"owner": "ended-run", "host": socket.gethostname(), "pid": os.getpid(), "acquired_at": "x",
            "expires_at": "2999-01-01T00:00:00+00:00"}
    lake.store.put("metadata/locks/pos.lock", json.dumps(left).encode())
    with lake.lock("pos", owner="next-run"):
        assert lake.read_json("metadata/locks/pos.lock")["owner"] == "next-run"
        # while a run of this process holds it, another run of this process is refused
        with pytest.raises(LockedError, match="already running: pos .*run next-run"):
            with lake.lock("pos", owner="concurrent-run"):
                pass
    assert lake.store.list("metadata/locks/") == []


def test_readable_paths_are_files_polars_reads_on_every_store(lake: Lake):
    lake.write_partition(SPEC, D1, frame(D1, [1, 2]))
    lake.write_partition(SPEC, D2, frame(D2, [3]))
    keys = [Lake.partition_key(SPEC, D1), Lake.partition_key(SPEC, D2)]
    result = pl.read_parquet(lake.store.readable_paths(keys)).sort("order_id")
    expected = pl.concat([frame(D1, [1, 2]), frame(D2, [3])])
    assert result.equals(expected)
    lake.write_partition(SPEC, D1, frame(D1, [7]))
    assert pl.read_parquet(lake.store.readable_paths(keys[:1]))["order_id"].to_list() == [7]


def test_readable_paths_of_a_removed_remote_object_say_so(lake: Lake):
    if isinstance(lake.store, LocalStore):
        assert lake.store.readable_paths(["clean/x/part-0.parquet"]) == [str(lake.store.root / "clean/x/part-0.parquet")]
        return
    with pytest.raises(NotFoundError, match="removed while it was being read"):
        lake.store.readable_paths(["clean/x/part-0.parquet"])


def test_stamps_change_when_a_partition_is_replaced(lake: Lake):
    lake.write_partition(SPEC, D1, frame(D1, [1]))
    lake.write_partition(SPEC, D2, frame(D2, [2]))
    before = lake.store.stamps(SPEC.prefix)
    assert sorted(before) == [Lake.partition_key(SPEC, D1), Lake.partition_key(SPEC, D2)]
    lake.write_partition(SPEC, D1, frame(D1, [3]))
    after = lake.store.stamps(SPEC.prefix)
    assert after[Lake.partition_key(SPEC, D2)] == before[Lake.partition_key(SPEC, D2)]
    assert after[Lake.partition_key(SPEC, D1)] != before[Lake.partition_key(SPEC, D1)]


def test_stale_temp_parts_of_killed_runs_are_swept(tmp_path):
    lake = open_lake(str(tmp_path))
    temp = tmp_path / ".tmp"
    temp.mkdir()
    old, fresh = temp / "killed.part", temp / "in-flight.part"
    for path in (old, fresh):
        path.write_bytes(b"half")
    os.utime(old, (0, 0))
    lake.write_partition(SPEC, D1, frame(D1, [1]))
    assert sorted(p.name for p in temp.iterdir()) == ["in-flight.part"]


def test_a_lock_is_re_entrant_for_its_owner_in_this_process_only(tmp_path):
    lake = open_lake(str(tmp_path))
    key = "metadata/locks/kpi.kpi.2026-11-20.lock"
    with lake.lock("kpi.kpi.2026-11-20", owner="run-a"):
        # the intraday refresh holds it for the whole run; its kpi stage takes it again
        with lake.lock("kpi.kpi.2026-11-20", owner="run-a"):
            assert lake.store.exists(key)
        assert lake.store.exists(key), "the inner release must not free the outer hold"
        with pytest.raises(LockedError, match="already running: kpi.kpi.2026-11-20"):
            with lake.lock("kpi.kpi.2026-11-20", owner="run-b"):
                pass
    assert not lake.store.exists(key)
    with lake.lock("kpi.kpi.2026-11-20", owner="run-b"):  # free again for anyone
        assert lake.store.exists(key)


def test_temp_parts_age_by_the_clock_stamp_in_their_name(tmp_path):
    # The clock a year ahead of the files' mtimes (a drill, or faketime): a part named by the clock a
    # second ago is being written and stays; one named two days back by the clock is swept.
    lake = open_lake(str(tmp_path))
    temp = tmp_path / ".tmp"
    temp.mkdir()
    moved = datetime(2027, 11, 21, 23, 0, tzinfo=UTC)
    in_flight = temp / "20271121T225959000000Z-live.part"
    killed = temp / "20271119T230000000000Z-dead.part"
    for path in (in_flight, killed):
        path.write_bytes(b"half")
    with clock.frozen(moved):
        lake.write_partition(SPEC, D1, frame(D1, [1]))
    assert sorted(p.name for p in temp.iterdir()) == [in_flight.name]


def test_kept_copies_are_pruned_by_the_clock_not_by_mtime(tmp_path):
    lake = open_lake(str(tmp_path), keep_versions_days=1)
    start = datetime(2027, 6, 15, 3, 0, tzinfo=UTC)
    with clock.frozen(start):
        lake.write_partition(SPEC, D1, frame(D1, [1]))
        lake.write_partition(SPEC, D1, frame(D1, [2]))  # keeps a copy of [1], stamped 2027-06-15
    with clock.frozen(start + timedelta(hours=1)):
        lake.write_partition(SPEC, D1, frame(D1, [3]))  # an hour on: the first copy is still kept
    kept = [v.version for v in lake.partition_versions(SPEC, D1) if not v.current]
    assert len(kept) == 2 and all(v.startswith("20270615T") for v in kept)
    with clock.frozen(start + timedelta(days=2)):
        lake.write_partition(SPEC, D1, frame(D1, [4]))  # two days on: only the newest copy is left
    kept = [v.version for v in lake.partition_versions(SPEC, D1) if not v.current]
    assert len(kept) == 1 and kept[0].startswith("20270617T")
