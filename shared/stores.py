"""Object stores behind the lake: a local folder, Google Cloud Storage and S3, chosen by the root URL.

Each store offers the same small set of operations on keys (paths relative to the root, with `/`).
Every `put` replaces an object in one step: a local write goes to a temp file outside the lake's
data folders and is renamed into place; a GCS or S3 object becomes visible only when its upload
completes. Readers therefore see the old object or the new one, never a mix.
"""

from __future__ import annotations

import builtins
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from shared import clock
from shared.errors import ConfigError, NkpipeError, NotFoundError, TransientError

# How long one object-store call keeps retrying a transient failure (google-cloud-storage's own
# default is 120 s a call: with a dead store a failing run then hung for minutes, see docs/drills.md).
GCS_RETRY_TIMEOUT_S = 30.0
GCS_RETRY_TIMEOUT_ENV = "NKPIPE_GCS_RETRY_TIMEOUT_S"

# Folders under a local root that hold the writer's own files; never listed as data.
LOCAL_TEMP_DIR = ".tmp"
LOCAL_VERSIONS_DIR = ".versions"

# How many objects a remote store fetches at once for `readable_paths` (one request each).
FETCH_THREADS = 8


@dataclass(frozen=True)
class ObjectVersion:
    """One stored generation of an object (GCS generation, or a kept local copy)."""

    key: str
    version: str
    updated: datetime
    size: int
    current: bool


class ObjectStore(Protocol):
    url: str

    def get(self, key: str, version: str | None = None) -> bytes | None: ...
    def put(self, key: str, data: bytes) -> None: ...
    def put_if_absent(self, key: str, data: bytes) -> bool: ...
    def delete(self, key: str) -> bool: ...
    def list(self, prefix: str) -> list[str]: ...
    def exists(self, key: str) -> bool: ...
    def versions(self, key: str) -> builtins.list[ObjectVersion]: ...
    def stamps(self, prefix: str) -> dict[str, str]: ...
    def readable_paths(self, keys: builtins.list[str]) -> builtins.list[str]: ...


class _FileCopies:
    """Remote objects copied to local files, so DuckDB and polars read every store the same way.

    One file per key in a temp folder the store owns (removed with the store or at exit); a key
    fetched again replaces its copy in one step, as a local lake replaces a partition in place.
    """

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def paths(self, get: Callable[[str], bytes | None], keys: builtins.list[str]) -> builtins.list[str]:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="nkpipe-objects-")
        base = Path(self._folder.name)

        def fetch(key: str) -> str:
            data = get(key)
            if data is None:
                raise NotFoundError(f"{key}: removed while it was being read; run the command again")
            path = base / key
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
            part.write_bytes(data)
            os.replace(part, path)
            return str(path)

        if len(keys) <= 1:
            return [fetch(key) for key in keys]
        with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
            return list(pool.map(fetch, keys))


def _as_transient(exc: BaseException, what: str) -> NkpipeError:
    return TransientError(f"{what}: {type(exc).__name__}: {exc}")


def _clock_stamp(moment: datetime) -> str:
    """`20261121T230000123456Z`: the clock time at the start of a local temp part or kept copy name."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _written_at(entry: os.DirEntry[str] | Path) -> float:
    """POSIX time a temp part or kept copy was made: from its name's clock stamp, else its mtime."""
    try:
        return datetime.strptime(entry.name[:22], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return entry.stat().st_mtime


class LocalStore:
    """A folder on disk. Replaced objects are kept under `.versions/` for `nkpipe restore`."""

    def __init__(self, root: str | os.PathLike[str], keep_versions_days: float = 7) -> None:
        self.root = Path(root).expanduser().resolve()
        self.url = str(self.root)
        # 0 keeps no copies; copies older than this are pruned whenever that object is replaced.
        self.keep_versions_days = keep_versions_days

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents and path != self.root:
            raise ConfigError(f"key {key!r} escapes the lake root")
        return path

    def get(self, key: str, version: str | None = None) -> bytes | None:
        path = self._version_path(key, version) if version else self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp_dir = self.root / LOCAL_TEMP_DIR
        temp_dir.mkdir(parents=True, exist_ok=True)
        self._sweep_stale_temp(temp_dir)
        temp = temp_dir / f"{_clock_stamp(clock.now())}-{uuid.uuid4().hex}.part"
        try:
            with open(temp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if self._versioned(key) and target.exists():
                self._keep_copy(key, target)
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)

    @staticmethod
    def _sweep_stale_temp(temp_dir: Path, older_than_s: float = 86400) -> None:
        """Temp parts of killed runs: never seen by readers, removed once they are a day old (no live
        write takes that long). Their age comes from the clock stamp in their name, so a moved clock
        (tests, drills) never sweeps a part being written; a part without one goes by its mtime."""
        cutoff = clock.timestamp() - older_than_s
        with os.scandir(temp_dir) as entries:
            for entry in entries:
                try:
                    if entry.name.endswith(".part") and _written_at(entry) < cutoff:
                        os.unlink(entry.path)
                except FileNotFoundError:
                    pass

    def put_if_absent(self, key: str, data: bytes) -> bool:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return True

    def delete(self, key: str) -> bool:
        path = self._path(key)
        if not path.exists():
            return False
        if self._versioned(key):
            self._keep_copy(key, path)
        path.unlink()
        self._prune_empty_dirs(path.parent)
        return True

    def list(self, prefix: str) -> list[str]:
        base = self._path(prefix) if prefix else self.root
        start = base if base.is_dir() else base.parent
        if not start.exists():
            return []
        keys = []
        for path in start.rglob("*"):
            if not path.is_file():
                continue
            rel = path.relative_to(self.root).as_posix()
            if rel.startswith((LOCAL_TEMP_DIR + "/", LOCAL_VERSIONS_DIR + "/")):
                continue
            if rel.startswith(prefix):
                keys.append(rel)
        return sorted(keys)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def stamps(self, prefix: str) -> dict[str, str]:
        """key -> a stamp that changes whenever the object is replaced (every put renames a new inode)."""
        found = {}
        for key in self.list(prefix):
            st = self._path(key).stat()
            found[key] = f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"
        return found

    def readable_paths(self, keys: builtins.list[str]) -> builtins.list[str]:
        """The objects' files, read in place (the local fast path lives here and nowhere else)."""
        return [str(self._path(key)) for key in keys]

    def _versioned(self, key: str) -> bool:
        # Data files only: metadata and locks change too often to be worth a copy.
        return self.keep_versions_days > 0 and not key.startswith("metadata/")

    # Kept copies: .versions/<key>/<UTC timestamp>-<id>; the newest is the "previous" generation.
    def _keep_copy(self, key: str, path: Path) -> None:
        folder = self.root / LOCAL_VERSIONS_DIR / key
        folder.mkdir(parents=True, exist_ok=True)
        now = clock.now()
        shutil.copy2(path, folder / f"{_clock_stamp(now)}-{uuid.uuid4().hex[:6]}")
        # by the clock stamp of the replacement (its name), not by mtime: the clock may be moved
        cutoff = now.timestamp() - self.keep_versions_days * 86400
        for old in folder.iterdir():
            if _written_at(old) < cutoff:
                old.unlink(missing_ok=True)

    def _version_path(self, key: str, version: str) -> Path:
        if version == "current":
            return self._path(key)
        path = (self.root / LOCAL_VERSIONS_DIR / key / version).resolve()
        if (self.root / LOCAL_VERSIONS_DIR) not in path.parents:
            raise ConfigError(f"bad version {version!r}")
        return path

    def versions(self, key: str) -> builtins.list[ObjectVersion]:
        found = []
        folder = self.root / LOCAL_VERSIONS_DIR / key
        if folder.is_dir():
            for path in folder.iterdir():
                stat = path.stat()
                found.append(
                    ObjectVersion(key, path.name, datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size, False)
                )
        current = self._path(key)
        if current.is_file():
            stat = current.stat()
            found.append(
                ObjectVersion(key, "current", datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size, True)
            )
        return sorted(found, key=lambda v: (v.current, v.version))

    def _prune_empty_dirs(self, folder: Path) -> None:
        while folder != self.root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


class _BucketKeys:
    """What the GCS and S3 stores share: keys under a prefix of a bucket, and fetched local copies."""

    prefix: str
    url: str
    _copies: _FileCopies

    def _under(self, scheme: str, bucket: str, prefix: str) -> None:
        self.prefix = prefix.strip("/")
        self.url = f"{scheme}://{bucket}" + (f"/{self.prefix}" if self.prefix else "")
        self._copies = _FileCopies()

    if TYPE_CHECKING:  # each store defines it

        def get(self, key: str, version: str | None = None) -> bytes | None: ...

    def readable_paths(self, keys: builtins.list[str]) -> builtins.list[str]:
        """Local copies of the objects (fetched in parallel) for DuckDB and polars to read."""
        return self._copies.paths(self.get, keys)

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key


class GcsStore(_BucketKeys):
    """A bucket (and optional prefix) on Google Cloud Storage, through google-cloud-storage.

    With STORAGE_EMULATOR_HOST set (tests, local emulators) the client uses anonymous credentials
    and never looks for a metadata server.
    """

    def __init__(
        self, bucket: str, prefix: str = "", client: Any = None, retry_timeout_s: float | None = None
    ) -> None:
        from google.cloud import storage
        from google.cloud.storage.retry import DEFAULT_RETRY

        if retry_timeout_s is None:
            retry_timeout_s = float(os.environ.get(GCS_RETRY_TIMEOUT_ENV) or GCS_RETRY_TIMEOUT_S)
        self.retry = DEFAULT_RETRY.with_timeout(retry_timeout_s)
        if client is None:
            if os.environ.get("STORAGE_EMULATOR_HOST"):
                from google.auth.credentials import AnonymousCredentials

                client = storage.Client(
                    project=os.environ.get("GOOGLE_CLOUD_PROJECT", "nkpipe-local"),
                    credentials=AnonymousCredentials(),
                )
            else:
                client = storage.Client()
        self.client = client
        self.bucket = client.bucket(bucket)
        self._under("gs", bucket, prefix)

    def _call(self, what: str, fn):  # noqa: ANN001, ANN202 — tiny wrapper mapping client errors
        from google.api_core import exceptions as gexc

        try:
            return fn()
        except gexc.NotFound:
            raise
        except gexc.PreconditionFailed:
            raise
        except (gexc.TooManyRequests, gexc.ServerError, gexc.RetryError) as exc:
            raise _as_transient(exc, what) from exc
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise _as_transient(exc, what) from exc
        except Exception as exc:  # requests' ConnectionError and friends
            if type(exc).__module__.startswith(("requests", "urllib3")):
                raise _as_transient(exc, what) from exc
            raise

    def get(self, key: str, version: str | None = None) -> bytes | None:
        from google.api_core import exceptions as gexc

        generation = None if version in (None, "current") else int(version)
        blob = self.bucket.blob(self._name(key), generation=generation)
        try:
            return self._call(f"read gs {key}", lambda: blob.download_as_bytes(retry=self.retry))
        except gexc.NotFound:
            return None

    def put(self, key: str, data: bytes) -> None:
        blob = self.bucket.blob(self._name(key))
        self._call(f"write gs {key}", lambda: blob.upload_from_string(data, content_type="application/octet-stream", retry=self.retry))

    def put_if_absent(self, key: str, data: bytes) -> bool:
        from google.api_core import exceptions as gexc

        blob = self.bucket.blob(self._name(key))
        try:
            self._call(f"create gs {key}", lambda: blob.upload_from_string(data, if_generation_match=0, retry=self.retry))
        except gexc.PreconditionFailed:
            return False
        return True

    def delete(self, key: str) -> bool:
        from google.api_core import exceptions as gexc

        try:
            self._call(f"delete gs {key}", lambda: self.bucket.blob(self._name(key)).delete(retry=self.retry))
        except gexc.NotFound:
            return False
        return True

    def list(self, prefix: str) -> list[str]:
        full = self._name(prefix)
        cut = len(self.prefix) + 1 if self.prefix else 0
        blobs = self._call(
            f"list gs {prefix}", lambda: list(self.client.list_blobs(self.bucket, prefix=full, retry=self.retry))
        )
        return sorted(b.name[cut:] for b in blobs)

    def exists(self, key: str) -> bool:
        return bool(self._call(f"stat gs {key}", lambda: self.bucket.blob(self._name(key)).exists(retry=self.retry)))

    def stamps(self, prefix: str) -> dict[str, str]:
        """key -> generation:size, from one listing."""
        cut = len(self.prefix) + 1 if self.prefix else 0
        blobs = self._call(
            f"list gs {prefix}",
            lambda: list(self.client.list_blobs(self.bucket, prefix=self._name(prefix), retry=self.retry)),
        )
        return {b.name[cut:]: f"{b.generation}:{b.size}" for b in blobs}

    def versions(self, key: str) -> builtins.list[ObjectVersion]:
        name = self._name(key)
        blobs = self._call(
            f"list versions gs {key}",
            # "true", not True: the client would send "True", which fake-gcs-server ignores; GCS takes both.
            lambda: list(self.client.list_blobs(self.bucket, prefix=name, versions="true", retry=self.retry)),
        )
        found = [
            ObjectVersion(
                key,
                str(b.generation),
                b.updated or clock.now(),
                b.size or 0,
                b.time_deleted is None,
            )
            for b in blobs
            if b.name == name
        ]
        return sorted(found, key=lambda v: int(v.version))


class S3Store(_BucketKeys):
    """A bucket (and optional prefix) on S3 or an S3-compatible endpoint (AWS_ENDPOINT_URL), via boto3.

    Each write is one PutObject, so an object is replaced whole or not at all.
    """

    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        if client is None:
            try:
                import boto3
            except ImportError:
                raise ConfigError("s3:// lakes need boto3: pip install 'nkpipe[s3]'") from None
            client = boto3.client(
                "s3",
                endpoint_url=os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None,
            )
        self.client = client
        self.bucket = bucket
        self._under("s3", bucket, prefix)

    def _call(self, what: str, fn):  # noqa: ANN001, ANN202
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn()
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if status == 429 or status >= 500:
                raise _as_transient(exc, what) from exc
            raise
        except BotoCoreError as exc:
            raise _as_transient(exc, what) from exc

    @staticmethod
    def _missing(exc: Exception) -> bool:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
        return code in {"NoSuchKey", "404", "NotFound"}

    def get(self, key: str, version: str | None = None) -> bytes | None:
        from botocore.exceptions import ClientError

        kwargs = {"Bucket": self.bucket, "Key": self._name(key)}
        if version not in (None, "current"):
            kwargs["VersionId"] = version
        try:
            body = self._call(f"read s3 {key}", lambda: self.client.get_object(**kwargs))
        except ClientError as exc:
            if self._missing(exc):
                return None
            raise
        return body["Body"].read()

    def put(self, key: str, data: bytes) -> None:
        self._call(
            f"write s3 {key}",
            lambda: self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data),
        )

    def put_if_absent(self, key: str, data: bytes) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._call(
                f"create s3 {key}",
                lambda: self.client.put_object(
                    Bucket=self.bucket, Key=self._name(key), Body=data, IfNoneMatch="*"
                ),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"PreconditionFailed", "ConditionalRequestConflict"}:
                return False
            raise
        return True

    def delete(self, key: str) -> bool:
        if not self.exists(key):
            return False
        self._call(
            f"delete s3 {key}",
            lambda: self.client.delete_object(Bucket=self.bucket, Key=self._name(key)),
        )
        return True

    def _objects(self, prefix: str) -> builtins.list[dict]:
        paginator = self.client.get_paginator("list_objects_v2")
        pages = self._call(
            f"list s3 {prefix}", lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=self._name(prefix)))
        )
        return [obj for page in pages for obj in page.get("Contents", [])]

    def list(self, prefix: str) -> list[str]:
        cut = len(self.prefix) + 1 if self.prefix else 0
        return sorted(obj["Key"][cut:] for obj in self._objects(prefix))

    def stamps(self, prefix: str) -> dict[str, str]:
        """key -> ETag:LastModified:Size, from one listing."""
        cut = len(self.prefix) + 1 if self.prefix else 0
        return {
            obj["Key"][cut:]: f"{obj.get('ETag')}:{obj.get('LastModified')}:{obj.get('Size')}"
            for obj in self._objects(prefix)
        }

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._call(f"stat s3 {key}", lambda: self.client.head_object(Bucket=self.bucket, Key=self._name(key)))
        except ClientError as exc:
            if self._missing(exc):
                return False
            raise
        return True

    def versions(self, key: str) -> builtins.list[ObjectVersion]:
        name = self._name(key)
        page = self._call(
            f"list versions s3 {key}",
            lambda: self.client.list_object_versions(Bucket=self.bucket, Prefix=name),
        )
        found = [
            ObjectVersion(key, v["VersionId"], v["LastModified"], v.get("Size", 0), bool(v.get("IsLatest")))
            for v in page.get("Versions", [])
            if v["Key"] == name and v.get("VersionId") not in (None, "null")
        ]
        return sorted(found, key=lambda v: (v.current, v.updated))


def open_store(root: str, keep_versions_days: float = 7) -> ObjectStore:
    """Choose the store by the root URL: gs://bucket/prefix, s3://bucket/prefix, or a local path."""
    root = str(root).strip()
    if not root:
        raise ConfigError("DATA_LAKE_ROOT is empty")
    for scheme, cls in (("gs://", GcsStore), ("s3://", S3Store)):
        if root.startswith(scheme):
            bucket, _, prefix = root[len(scheme) :].partition("/")
            if not bucket:
                raise ConfigError(f"DATA_LAKE_ROOT {root!r} has no bucket name")
            return cls(bucket, prefix)
    if "://" in root and not root.startswith("file://"):
        raise ConfigError(f"DATA_LAKE_ROOT {root!r}: unsupported scheme (use a path, gs:// or s3://)")
    return LocalStore(root.removeprefix("file://"), keep_versions_days)

