"""The lake: partitioned Parquet tables with one declared schema each, on any object store.

Layout (contract): `<root>/<layer>/<dataset>/date=YYYY-MM-DD/part-0.parquet`, dimension tables
`<root>/star-schema/dim_<name>.parquet`, metadata under `<root>/metadata/`.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from shared import clock
from shared.errors import LockedError, SchemaError
from shared.stores import ObjectStore, ObjectVersion, open_store

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

LAYERS = ("raw", "clean", "star-schema")
# (lake url, lock key, owner) of every lock this process is taking or holding. A lock object naming
# this very process with no entry here was left by a run whose release failed (the store was down
# for a moment): it is stale although the process — a long-lived function worker — is alive.
_ACTIVE_LOCKS: set[tuple[str, str, str]] = set()
_ACTIVE_LOCKS_GUARD = threading.Lock()
# The locks this process holds, with how many times their owner has taken them (re-entrance).
_HELD_LOCKS: dict[tuple[str, str, str], int] = {}
PARTITION_FILE = "part-0.parquet"
_DATE_DIR = re.compile(r"date=(\d{4}-\d{2}-\d{2})/" + re.escape(PARTITION_FILE) + "$")


@dataclass(frozen=True)
class TableSpec:
    """One lake table: its layer, name and the Arrow schema every write is checked against."""

    layer: str
    name: str
    schema: pa.Schema
    partitioned: bool = True

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"unknown layer {self.layer!r}")

    @property
    def prefix(self) -> str:
        return f"{self.layer}/{self.name}/"

    def __str__(self) -> str:
        return f"{self.layer}/{self.name}"


def to_arrow(data: Any) -> pa.Table:
    """Accept a pyarrow Table or a polars DataFrame."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if hasattr(data, "to_arrow"):
        return data.to_arrow()
    raise TypeError(f"expected a pyarrow Table or polars DataFrame, got {type(data).__name__}")


def conform(data: Any, schema: pa.Schema, where: str) -> pa.Table:
    """Check `data` against `schema`: same columns, safe casts only, no nulls in non-null fields."""
    import pyarrow as pa

    table = to_arrow(data)
    have = table.column_names
    missing = [n for n in schema.names if n not in have]
    extra = [n for n in have if n not in set(schema.names)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing columns {missing}")
        if extra:
            parts.append(f"unexpected columns {extra}")
        raise SchemaError(f"{where}: " + ", ".join(parts))
    table = table.select(schema.names)
    columns = []
    for field in schema:
        column = table.column(field.name)
        if column.type != field.type:
            try:
                column = column.cast(field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise SchemaError(
                    f"{where}: column {field.name!r} is {column.type}, cannot be stored as {field.type}: {exc}"
                ) from None
        if not field.nullable and column.null_count:
            raise SchemaError(f"{where}: column {field.name!r} has {column.null_count} null(s) but is required")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def as_frame(table: pa.Table) -> pl.DataFrame:
    """A pyarrow Table as a polars DataFrame (a Table always converts to a frame, never a Series)."""
    import polars as pl

    return cast(pl.DataFrame, pl.from_arrow(table))


def to_parquet_bytes(table: pa.Table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    # Dictionaries pay off for strings only; on ids and amounts they cost time (≈3x on a 50k-row write).
    strings = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    pq.write_table(table, buf, compression="zstd", use_dictionary=strings)
    return buf.getvalue()


def from_parquet_bytes(data: bytes) -> pa.Table:
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data))


class Lake:
    """Read and write lake tables on one object store."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    @property
    def url(self) -> str:
        return self.store.url

    def __repr__(self) -> str:
        return f"Lake({self.url!r})"

    # keys
    @staticmethod
    def partition_key(spec: TableSpec, day: date) -> str:
        if not spec.partitioned:
            raise ValueError(f"{spec} is not partitioned")
        return f"{spec.layer}/{spec.name}/date={day.isoformat()}/{PARTITION_FILE}"

    @staticmethod
    def table_key(spec: TableSpec) -> str:
        if spec.partitioned:
            raise ValueError(f"{spec} is partitioned: use partition_key")
        return f"{spec.layer}/{spec.name}.parquet"

    # partitioned tables
    def write_partition(self, spec: TableSpec, day: date, data: Any) -> int:
        """Replace one partition atomically; returns the number of rows written."""
        table = conform(data, spec.schema, f"{spec} date={day}")
        self.store.put(self.partition_key(spec, day), to_parquet_bytes(table))
        return table.num_rows

    def read_partition(self, spec: TableSpec, day: date) -> pa.Table | None:
        data = self.store.get(self.partition_key(spec, day))
        return None if data is None else from_parquet_bytes(data)

    def read_partitions(self, spec: TableSpec, start: date | None = None, end: date | None = None) -> pa.Table:
        """All partitions with start <= date <= end, concatenated (an empty table when none)."""
        import pyarrow as pa

        tables = []
        for day in self.list_dates(spec):
            if (start is not None and day < start) or (end is not None and day > end):
                continue
            table = self.read_partition(spec, day)
            if table is not None:
                tables.append(table.select(spec.schema.names).cast(spec.schema))
        if not tables:
            return spec.schema.empty_table()
        return pa.concat_tables(tables)

    def list_dates(self, spec: TableSpec) -> list[date]:
        dates = []
        for key in self.store.list(spec.prefix):
            match = _DATE_DIR.search(key[len(spec.prefix) :])
            if match:
                dates.append(date.fromisoformat(match.group(1)))
        return sorted(set(dates))

    def has_partition(self, spec: TableSpec, day: date) -> bool:
        return self.store.exists(self.partition_key(spec, day))

    def delete_partition(self, spec: TableSpec, day: date) -> bool:
        return self.store.delete(self.partition_key(spec, day))

    def partition_versions(self, spec: TableSpec, day: date) -> list[ObjectVersion]:
        return self.store.versions(self.partition_key(spec, day))

    # single-file tables (dimensions)
    def write_table(self, spec: TableSpec, data: Any) -> int:
        table = conform(data, spec.schema, str(spec))
        self.store.put(self.table_key(spec), to_parquet_bytes(table))
        return table.num_rows

    def read_table(self, spec: TableSpec) -> pa.Table | None:
        data = self.store.get(self.table_key(spec))
        return None if data is None else from_parquet_bytes(data)

    # JSON documents (metadata)
    def read_json(self, key: str) -> Any | None:
        data = self.store.get(key)
        return None if data is None else json.loads(data)

    def write_json(self, key: str, obj: Any) -> None:
        self.store.put(key, json.dumps(obj, indent=1, sort_keys=True, default=str).encode())

    @contextmanager
    def lock(self, name: str, owner: str, ttl: timedelta = timedelta(hours=1)) -> Iterator[None]:
        """An exclusive lock object under metadata/locks/, created only if absent (a GCS generation
        precondition, O_EXCL locally). A lock left by a dead run is taken over: one past its expiry,
        or one whose process on this same host no longer exists (a killed CLI run).

        Raises LockedError when another live run holds it.
        """
        key = f"metadata/locks/{name}.lock"
        now = clock.now()
        body = json.dumps(
            {
                "owner": owner,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "acquired_at": now.isoformat(),
                "expires_at": (now + ttl).isoformat(),
            }
        ).encode()
        active = (self.url, key, owner)
        with _ACTIVE_LOCKS_GUARD:
            if active in _HELD_LOCKS:
                # Re-entrant for its owner in this process: the intraday refresh holds every lock of
                # its stages for the whole run, and each stage takes its own again.
                _HELD_LOCKS[active] += 1
                nested = True
            else:
                nested = False
                _ACTIVE_LOCKS.add(active)
        if nested:
            try:
                yield
            finally:
                with _ACTIVE_LOCKS_GUARD:
                    _HELD_LOCKS[active] -= 1
            return
        try:
            if not self.store.put_if_absent(key, body):
                held = self.read_json(key) or {}
                if not _lock_is_stale(held, now, self.url, key):
                    raise LockedError(
                        f"already running: {name} (since {held.get('acquired_at', '?')}, "
                        f"run {held.get('owner', '?')}); wait for it to finish, then rerun"
                    )
                self.store.delete(key)
                if not self.store.put_if_absent(key, body):
                    raise LockedError(f"already running: {name} (lock taken by another run just now)")
            with _ACTIVE_LOCKS_GUARD:
                _HELD_LOCKS[active] = 1
            try:
                yield
            finally:
                with _ACTIVE_LOCKS_GUARD:
                    _HELD_LOCKS.pop(active, None)
                held = self.read_json(key) or {}
                if held.get("owner") == owner:
                    self.store.delete(key)
        finally:
            with _ACTIVE_LOCKS_GUARD:
                _ACTIVE_LOCKS.discard(active)


def _lock_is_stale(held: dict, now: datetime, url: str, key: str) -> bool:
    expires = held.get("expires_at")
    if expires and datetime.fromisoformat(expires) < now:
        return True
    if held.get("host") == socket.gethostname() and isinstance(held.get("pid"), int):
        if held["pid"] == os.getpid():
            with _ACTIVE_LOCKS_GUARD:
                return (url, key, held.get("owner")) not in _ACTIVE_LOCKS
        try:
            os.kill(held["pid"], 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return False


def open_lake(root: str, keep_versions_days: float = 7) -> Lake:
    """Open the lake at a local path, gs://bucket/prefix or s3://bucket/prefix.

    `keep_versions_days`: how long a local lake keeps replaced copies for `nkpipe restore` (a bucket
    keeps noncurrent generations by its own lifecycle rule instead).
    """
    return Lake(open_store(root, keep_versions_days))
