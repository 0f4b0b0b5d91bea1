"""The Odoo client the extractors use: one interface over JSON-RPC (odoorpc) and JSON-2 (Odoo 19+).

What every implementation gives:
- login with the API key through the RPC services only (never /web/session/authenticate);
- fields checked against `fields_get` before they are asked for (`pick_fields`);
- keyset pagination by id (`id > last`, order `id`, limit), never offset;
- children read by lists of parent ids, chunks run on a bounded thread pool;
- transient failures (HTTP 429/5xx, timeouts, dropped connections) retried with capped exponential
  backoff and jitter; access errors and bad fields fail at once with one clear line;
- a Counter of calls per (model, method), retries included: these are the calls Odoo really served.

The API key never leaves this module: it is scrubbed from every error message, and the odoorpc logger
is held at WARNING (odoorpc 0.10.1 logs the key in clear text at DEBUG).
"""

from __future__ import annotations

import collections
import http.client
import json
import logging
import random
import socket
import threading
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.errors import ConfigError, OdooError, TransientError, error_for_http_status

if TYPE_CHECKING:
    from shared.config import Settings

# Held at WARNING whatever the root logger says: odoorpc 0.10.1 logs the API key at DEBUG.
logging.getLogger("odoorpc").setLevel(logging.WARNING)

log = logging.getLogger("nkpipe.odoo")

BACKOFF_BASE_S = 0.25
BACKOFF_CAP_S = 10.0
FIELD_ATTRIBUTES = ["type", "string", "relation", "selection", "required", "store"]


class OdooSchemaError(OdooError):
    """A model or field the pipeline needs does not exist in this Odoo database."""


class OdooAccessDenied(OdooError):
    """Odoo refused the login or the API key."""


@dataclass(frozen=True)
class ChildrenRequest:
    """One `read_children` for `read_children_many`."""

    model: str
    parent_field: str
    parent_ids: tuple[int, ...]
    fields: tuple[str, ...]
    domain: tuple = ()


class OdooClient(Protocol):
    server_version: str
    major_version: int
    calls: collections.Counter
    uid: int
    login: str
    batch_size: int
    companies_checked: bool  # functions.extract.companies has checked the user's companies

    def execute(self, model: str, method: str, ids: list | None = None, **kwargs: Any) -> Any: ...
    def map_concurrently(self, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]: ...

    def has_model(self, model: str) -> bool: ...
    def fields(self, model: str) -> dict[str, dict]: ...
    def pick_fields(
        self,
        model: str,
        required: Iterable[str],
        optional: Iterable[str] = (),
        alternatives: Mapping[str, Sequence[str]] | None = None,
    ) -> list[str]: ...
    def search_read_all(
        self, model: str, domain: list, fields: list[str], *, context: dict | None = None,
        batch_size: int | None = None,
    ) -> list[dict]: ...
    def read_children(
        self, model: str, parent_field: str, parent_ids: Iterable[int], fields: list[str], *,
        domain: list | None = None, context: dict | None = None, batch_size: int | None = None,
    ) -> list[dict]: ...
    def read_children_many(
        self, requests: Sequence[ChildrenRequest], *, context: dict | None = None, batch_size: int | None = None,
    ) -> list[list[dict]]: ...
    def prefetch_fields(self, models: Iterable[str]) -> None: ...
    def search_ids(self, model: str, domain: list, *, context: dict | None = None) -> list[int]: ...
    def search_count(self, model: str, domain: list, *, context: dict | None = None) -> int: ...
    def read_group(
        self, model: str, domain: list, fields: list[str], groupby: list[str], *,
        context: dict | None = None,
    ) -> list[dict]: ...
    def close(self) -> None: ...


def major_of(version: str) -> int:
    """'17.0' -> 17, 'saas~17.2' -> 17, '19.0+e' -> 19."""
    text = version.split("~")[-1]
    digits = ""
    for char in text:
        if char.isdigit():
            digits += char
        elif digits:
            break
    if not digits:
        raise OdooError(f"cannot read the Odoo server version {version!r}")
    return int(digits)


def chunked(values: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _backoff_delay(attempt: int) -> float:
    """Capped exponential backoff with 'equal jitter': half fixed, half random."""
    delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2**attempt))
    return delay / 2 + random.uniform(0, delay / 2)


_worker = threading.local()


def _mark_worker() -> None:
    _worker.active = True


class _Fault(Exception):
    """Internal: one failed attempt, already classified."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


_TRANSIENT_SERVER_ERRORS = ("SerializationFailure", "TransactionRollbackError", "OperationalError")


class BaseClient(ABC):
    """Everything that does not depend on the wire protocol; subclasses implement `_call_once`."""

    def __init__(
        self,
        *,
        server_version: str,
        db: str,
        login: str,
        api_key: str,
        batch_size: int = 1000,
        concurrency: int = 4,
        max_retries: int = 5,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.server_version = server_version
        self.major_version = major_of(server_version)
        self.db = db
        self.login = login
        self.uid = 0
        self._key = api_key
        self.batch_size = batch_size
        self.companies_checked = False
        self.concurrency = max(1, concurrency)
        self.max_retries = max(0, max_retries)
        self.calls: collections.Counter = collections.Counter()
        self._calls_lock = threading.Lock()
        self._fields_cache: dict[str, dict[str, dict]] = {}
        self._model_cache: dict[str, bool] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._on_close = on_close
        # ODOO_COMPANY_ID: every call carries allowed_company_ids, so Odoo's multi-company record rules
        # show that company only (without it Odoo uses every company of the user: odoo/api.py
        # Environment.companies)
        self.company_ids: list[int] | None = None

    # -- protocol-specific -------------------------------------------------------------------------

    @abstractmethod
    def _call_once(self, model: str, method: str, ids: list | None, kwargs: dict) -> Any:
        """One HTTP call. Raise _Fault(TransientError) to be retried, _Fault(other) to stop."""

    # -- the one place calls are made, counted and retried -----------------------------------------

    def scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def execute(self, model: str, method: str, ids: list | None = None, **kwargs: Any) -> Any:
        if self.company_ids and model != "common":
            kwargs["context"] = {**(kwargs.get("context") or {}), "allowed_company_ids": list(self.company_ids)}
        attempt = 0
        while True:
            with self._calls_lock:
                self.calls[(model, method)] += 1
            try:
                return self._call_once(model, method, ids, kwargs)
            except _Fault as fault:
                error = fault.error
                if not isinstance(error, TransientError) or attempt >= self.max_retries:
                    if isinstance(error, TransientError) and self.max_retries:
                        raise TransientError(
                            f"{model}.{method} failed after {attempt + 1} attempts: {self.scrub(str(error))}"
                        ) from None
                    raise type(error)(self.scrub(str(error))) from None
                delay = _backoff_delay(attempt)
                log.warning(
                    "odoo %s.%s transient failure (%s), retry %d/%d in %.2fs",
                    model, method, self.scrub(str(error)), attempt + 1, self.max_retries, delay,
                )
                time.sleep(delay)
                attempt += 1

    # -- schema ------------------------------------------------------------------------------------

    def has_model(self, model: str) -> bool:
        if model not in self._model_cache:
            self._model_cache[model] = bool(self.search_count("ir.model", [("model", "=", model)]))
        return self._model_cache[model]

    def fields(self, model: str) -> dict[str, dict]:
        if model not in self._fields_cache:
            self._fields_cache[model] = self._fields_get(model)
        return self._fields_cache[model]

    def pick_fields(
        self,
        model: str,
        required: Iterable[str],
        optional: Iterable[str] = (),
        alternatives: Mapping[str, Sequence[str]] | None = None,
    ) -> list[str]:
        """Field names to ask for; every missing required field is named in one OdooSchemaError.

        `alternatives` maps a wanted name to candidate names (first present wins), e.g.
        {"quantity": ["quantity", "qty_done"]} for stock.move.line on 17 vs 16.
        """
        alternatives = dict(alternatives or {})
        available = self.fields(model)
        required = list(required)
        for name in alternatives:
            if name not in required and name not in optional:
                required.append(name)
        picked: list[str] = []
        missing: list[str] = []

        def resolve(name: str) -> str | None:
            for candidate in alternatives.get(name, [name]):
                if candidate == "id" or candidate in available:
                    return candidate
            return None

        for name in required:
            found = resolve(name)
            if found is None:
                candidates = alternatives.get(name, [name])
                missing.append("field " + " or ".join(repr(c) for c in candidates))
            elif found not in picked:
                picked.append(found)
        for name in optional:
            found = resolve(name)
            if found is not None and found not in picked:
                picked.append(found)
        if missing:
            raise OdooSchemaError(f"{model} missing: {', '.join(missing)}")
        return picked

    # -- reading -----------------------------------------------------------------------------------

    def search_read_all(
        self,
        model: str,
        domain: list,
        fields: list[str],
        *,
        context: dict | None = None,
        batch_size: int | None = None,
    ) -> list[dict]:
        """Every matching record, paged by id: `id > last`, order `id`, limit `batch_size`."""
        size = batch_size or self.batch_size
        wanted = list(fields) if "id" in fields else ["id", *fields]
        records: list[dict] = []
        last_id = 0
        while True:
            page = self.execute(
                model,
                "search_read",
                domain=[("id", ">", last_id), *domain],
                fields=wanted,
                order="id",
                limit=size,
                context=dict(context or {}),
            )
            records.extend(page)
            if len(page) < size:
                return records
            last_id = page[-1]["id"]

    def read_children(
        self,
        model: str,
        parent_field: str,
        parent_ids: Iterable[int],
        fields: list[str],
        *,
        domain: list | None = None,
        context: dict | None = None,
        batch_size: int | None = None,
    ) -> list[dict]:
        """Children of many parents: `(parent_field, 'in', chunk)` per chunk, chunks run concurrently."""
        request = ChildrenRequest(model, parent_field, tuple(parent_ids), tuple(fields), tuple(domain or ()))
        return self.read_children_many([request], context=context, batch_size=batch_size)[0]

    def read_children_many(
        self,
        requests: Sequence[ChildrenRequest],
        *,
        context: dict | None = None,
        batch_size: int | None = None,
    ) -> list[list[dict]]:
        """Several `read_children` at once: every chunk of every request shares one bounded pool, so
        e.g. the lines and the payments of the same orders are read side by side."""
        size = batch_size or self.batch_size
        jobs: list[tuple[int, ChildrenRequest, Sequence[int]]] = []
        for index, request in enumerate(requests):
            ids = sorted(set(request.parent_ids))
            for chunk in chunked(ids, self.parent_chunk_size(len(ids), size)):
                jobs.append((index, request, chunk))

        def read_chunk(job: tuple[int, ChildrenRequest, Sequence[int]]) -> list[dict]:
            _, request, chunk = job
            return self.search_read_all(
                request.model, [(request.parent_field, "in", list(chunk)), *request.domain], list(request.fields),
                context=context, batch_size=size,
            )

        results: list[list[dict]] = [[] for _ in requests]
        for (index, _, _), part in zip(jobs, self.map_concurrently(read_chunk, jobs), strict=True):
            results[index].extend(part)
        for records in results:
            records.sort(key=lambda r: r["id"])
        return results

    def parent_chunk_size(self, n_parents: int, batch_size: int) -> int:
        """Parent ids per chunk: at most `batch_size`, but small enough that a day of a few batches
        still keeps every worker busy (never below batch_size / concurrency, so small days stay one call)."""
        spread = -(-n_parents // self.concurrency)
        floor = -(-batch_size // self.concurrency)
        return max(1, min(batch_size, max(spread, floor)))

    def prefetch_fields(self, models: Iterable[str]) -> None:
        """`fields_get` of several models side by side (each is cached afterwards)."""
        missing = [model for model in dict.fromkeys(models) if model not in self._fields_cache]
        for model, fields in zip(missing, self.map_concurrently(self._fields_get, missing), strict=True):
            self._fields_cache[model] = fields

    def _fields_get(self, model: str) -> dict[str, dict]:
        return self.execute(model, "fields_get", attributes=FIELD_ATTRIBUTES)

    def map_concurrently(self, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """`func` over `items` on at most `concurrency` threads; results in input order. Called from a
        worker thread it runs inline, so nested use can never wait on its own pool."""
        if len(items) <= 1 or self.concurrency == 1 or getattr(_worker, "active", False):
            return [func(item) for item in items]
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.concurrency, thread_name_prefix="odoo", initializer=_mark_worker
                )
        return list(self._pool.map(func, items))

    def search_ids(self, model: str, domain: list, *, context: dict | None = None) -> list[int]:
        return list(self.execute(model, "search", domain=list(domain), order="id", context=dict(context or {})))

    def search_count(self, model: str, domain: list, *, context: dict | None = None) -> int:
        return int(self.execute(model, "search_count", domain=list(domain), context=dict(context or {})))

    def read_group(
        self,
        model: str,
        domain: list,
        fields: list[str],
        groupby: list[str],
        *,
        context: dict | None = None,
    ) -> list[dict]:
        """Server-side aggregates. Each group has `__count` and one key per aggregated field name
        (`"amount_total:sum"` comes back as `amount_total`), whichever Odoo version answered."""
        ctx = dict(context or {})
        if self.major_version >= 19:
            aggregates = ["__count", *[f if ":" in f else f"{f}:sum" for f in fields]]
            groups = self.execute(
                model, "formatted_read_group", domain=list(domain), groupby=list(groupby),
                aggregates=aggregates, context=ctx,
            )
        else:
            groups = self.execute(
                model, "read_group", domain=list(domain), fields=list(fields), groupby=list(groupby),
                lazy=False, context=ctx,
            )
        return [_normalise_group(group, fields) for group in groups]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _normalise_group(group: dict, fields: list[str]) -> dict:
    result = dict(group)
    for spec in fields:
        name = spec.split(":")[0]
        for key in (spec, name, f"{name}:sum"):
            if key in group:
                result[name] = group[key]
                break
    if "__count" not in result:
        counts = [v for k, v in group.items() if k.endswith("_count") and isinstance(v, int)]
        result["__count"] = counts[0] if counts else 0
    return result


# -- classifying failures -----------------------------------------------------------------------------

_NETWORK_ERRORS = (
    TimeoutError,
    socket.timeout,
    ConnectionError,  # reset, refused, aborted, broken pipe
    http.client.HTTPException,  # RemoteDisconnected, IncompleteRead, BadStatusLine
    json.JSONDecodeError,  # a truncated or non-JSON body (proxy error page)
)


def classify_network_error(exc: BaseException, where: str) -> Exception | None:
    """TransientError for what a retry can fix, None if `exc` is not a network failure."""
    if isinstance(exc, urllib.error.HTTPError):
        return error_for_http_status(exc.code, f"{where}: {exc.reason}")
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, _NETWORK_ERRORS) or isinstance(reason, OSError):
            return TransientError(f"{where}: connection failed ({reason})")
        return TransientError(f"{where}: {reason}")
    if isinstance(exc, _NETWORK_ERRORS):
        kind = "timed out" if isinstance(exc, TimeoutError | socket.timeout) else type(exc).__name__
        return TransientError(f"{where}: {kind} {exc}".rstrip())
    return None


def classify_server_error(name: str, message: str, model: str, method: str) -> Exception:
    """An Odoo error object (`data.name`, `data.message`) turned into one clear error."""
    where = f"{model}.{method}"
    if name.endswith("AccessDenied") or name.endswith("AccessError"):
        return OdooAccessDenied(f"Odoo denied access on {where}: {message}")
    unknown_model = name.endswith(("KeyError", "NotFound")) or any(
        text in message for text in ("doesn't exist", "does not exist")
    )
    if unknown_model and model:
        return OdooSchemaError(f"{model} missing: the model does not exist in this database ({message})")
    if name.endswith("ValueError") and "field" in message.lower():
        return OdooSchemaError(f"{model} missing: {message}")
    if any(token in name for token in _TRANSIENT_SERVER_ERRORS):
        return TransientError(f"{where}: {name}: {message}")
    return OdooError(f"{where}: {name}: {message}")


# -- JSON-RPC through odoorpc --------------------------------------------------------------------------


class JsonRpcClient(BaseClient):
    """`/jsonrpc` `object.execute_kw` through odoorpc (>= 0.10 logs in through `common.login`).

    One odoorpc connection is shared by the worker threads: odoorpc opens a fresh HTTP connection per
    call through urllib (no keep-alive, cookie jar behind a lock), so there is no per-call state to race
    on, and the workers need no extra logins.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        protocol: str,
        timeout: float,
        server_version: str,
        db: str,
        login: str,
        api_key: str,
        **options: Any,
    ) -> None:
        super().__init__(server_version=server_version, db=db, login=login, api_key=api_key, **options)
        import odoorpc

        self._odoorpc_error = odoorpc.error.RPCError
        try:
            self._odoo = odoorpc.ODOO(
                host, protocol=protocol, port=port, timeout=timeout, version=server_version
            )
        except Exception as exc:  # odoorpc wraps little; classify what it raises
            raise self._wrap(exc, "connect") from None
        self._login()

    def _wrap(self, exc: BaseException, where: str) -> Exception:
        error = classify_network_error(exc, where)
        if error is None:
            error = OdooError(f"{where}: {type(exc).__name__}: {exc}")
        return type(error)(self.scrub(str(error)))

    def _login(self) -> None:
        attempt = 0
        while True:
            with self._calls_lock:
                self.calls[("common", "login")] += 1
                self.calls[("res.users", "context_get")] += 1
            try:
                self._odoo.login(self.db, self.login, self._key)
                break
            except self._odoorpc_error as exc:
                info = exc.info if isinstance(exc.info, dict) else {}
                name = (info.get("data") or {}).get("name", "")
                if not info or name.endswith("AccessDenied"):
                    raise OdooAccessDenied(
                        f"Odoo refused the login of {self.login!r} on database {self.db!r}: "
                        "check ODOO_DB, ODOO_USERNAME and ODOO_API_KEY"
                    ) from None
                message = self.scrub(str((info.get("data") or {}).get("message", exc)))
                if "does not exist" in message:
                    raise OdooError(f"Odoo has no database {self.db!r} ({message}): check ODOO_DB") from None
                raise classify_server_error(name, message, "common", "login") from None
            except Exception as exc:
                error = self._wrap(exc, "login")
                if not isinstance(error, TransientError) or attempt >= self.max_retries:
                    raise error from None
                time.sleep(_backoff_delay(attempt))
                attempt += 1
        self.uid = int(self._odoo.env.uid)

    def _call_once(self, model: str, method: str, ids: list | None, kwargs: dict) -> Any:
        args: list = []
        kw = dict(kwargs)
        if ids is not None:
            args.append(list(ids))
        elif "domain" in kw:
            # positional domain works on every version for search/search_read/search_count/read_group
            args.append(kw.pop("domain"))
        if kw.get("context") == {}:
            kw.pop("context")
        try:
            return self._odoo.execute_kw(model, method, args, kw)
        except self._odoorpc_error as exc:
            info = exc.info if isinstance(exc.info, dict) else {}
            data = info.get("data") or {}
            raise _Fault(
                classify_server_error(
                    data.get("name", ""), self.scrub(str(data.get("message", exc))), model, method
                )
            ) from None
        except Exception as exc:
            error = classify_network_error(exc, f"{model}.{method}")
            if error is None:
                raise
            raise _Fault(error) from None


# -- JSON-2 (Odoo 19+) ---------------------------------------------------------------------------------


class Json2Client(BaseClient):
    """`POST /json/2/<model>/<method>` with `Authorization: bearer <key>`, named arguments, bare JSON
    results and errors as HTTP statuses (Odoo 19; `/jsonrpc` is deprecated there)."""

    def __init__(self, *, base_url: str, timeout: float, server_version: str, db: str, login: str,
                 api_key: str, **options: Any) -> None:
        super().__init__(server_version=server_version, db=db, login=login, api_key=api_key, **options)
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        try:
            context = self.execute("res.users", "context_get")
        except OdooSchemaError as exc:
            if self.major_version < 19:
                raise OdooError(
                    f"Odoo {server_version} at {self._base_url} does not serve the JSON-2 API (Odoo 19+): "
                    "set ODOO_API=jsonrpc or auto"
                ) from None
            raise OdooError(f"Odoo answered 404 for database {db!r} ({exc}): check ODOO_DB") from None
        uid = context.get("uid") if isinstance(context, dict) else None
        if not uid:
            found = self.execute("res.users", "search", domain=[("login", "=", login)], limit=1)
            uid = found[0] if found else 0
        self.uid = int(uid)

    def _call_once(self, model: str, method: str, ids: list | None, kwargs: dict) -> Any:
        body = dict(kwargs)
        if ids is not None:
            body["ids"] = list(ids)
        request = urllib.request.Request(
            f"{self._base_url}/json/2/{model}/{method}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {self._key}",
                "X-Odoo-Database": self.db,
            },
        )
        where = f"{model}.{method}"
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise _Fault(self._http_error(exc, model, method)) from None
        except Exception as exc:
            error = classify_network_error(exc, where)
            if error is None:
                raise
            raise _Fault(error) from None

    def _http_error(self, exc: urllib.error.HTTPError, model: str, method: str) -> Exception:
        try:
            payload = json.loads(exc.read() or b"{}")
        except (ValueError, OSError):
            payload = {}
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            payload = payload["error"].get("data", payload["error"])
        name = str(payload.get("name", "")) if isinstance(payload, dict) else ""
        message = str(payload.get("message", exc.reason)) if isinstance(payload, dict) else str(exc.reason)
        if exc.code == 401 or name.endswith("AccessDenied"):
            return OdooAccessDenied(
                f"Odoo refused the API key of {self.login!r} on database {self.db!r} ({model}.{method}): "
                "check ODOO_DB, ODOO_USERNAME and ODOO_API_KEY"
            )
        if name and (exc.code < 500 or name.endswith(("KeyError", "ValueError"))):
            return classify_server_error(name, message, model, method)
        if exc.code == 404:
            return OdooSchemaError(f"{model} missing: /json/2/{model}/{method} answered 404 ({message})")
        return error_for_http_status(exc.code, f"{model}.{method}: {message}")


# -- connecting ----------------------------------------------------------------------------------------


def split_host(host: str, port: int, protocol: str) -> tuple[str, int, str]:
    """ODOO_HOST may be a bare host or a URL (`https://example.odoo.com`): the URL's scheme and port win."""
    if "://" not in host:
        return host, port, protocol
    from urllib.parse import urlsplit

    parts = urlsplit(host)
    secure = parts.scheme == "https"
    return parts.hostname or host, parts.port or (443 if secure else port), "jsonrpc+ssl" if secure else "jsonrpc"


def _base_url(host: str, port: int, protocol: str) -> str:
    scheme = "https" if protocol.endswith("ssl") else "http"
    return f"{scheme}://{host}:{port}"


def fetch_server_version(base_url: str, timeout: float, max_retries: int = 3) -> str:
    """`server_version` from `/web/webclient/version_info` (a JSON-RPC POST, no login needed)."""
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}).encode()
    attempt = 0
    while True:
        request = urllib.request.Request(
            f"{base_url}/web/webclient/version_info", data=body, method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = json.loads(response.read())
            break
        except Exception as exc:
            error = classify_network_error(exc, f"version_info at {base_url}")
            if error is None:
                raise
            if not isinstance(error, TransientError) or attempt >= max_retries:
                raise error from None
            time.sleep(_backoff_delay(attempt))
            attempt += 1
    result = payload.get("result") if isinstance(payload, dict) else None
    if not isinstance(result, dict) or "server_version" not in result:
        raise OdooError(f"{base_url} does not look like Odoo: no server_version in version_info")
    return str(result["server_version"])


def connect(settings: Settings, **options: Any) -> BaseClient:
    """A logged-in client for the configured Odoo, or for the built-in simulator (ODOO_HOST=simulator).

    The API is JSON-2 on Odoo >= 19 and JSON-RPC below, unless `settings.odoo_api` forces one.
    """
    from shared.config import require_odoo

    require_odoo(settings)
    on_close = None
    if settings.odoo_host == "simulator":
        try:
            from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN, OdooSimulator, SimConfig
        except ModuleNotFoundError as exc:  # the deployed functions leave the demo out
            raise ConfigError(
                "ODOO_HOST=simulator: the Odoo simulator is not part of this deployment (nkpipe demo and tests only)"
            ) from exc

        simulator = OdooSimulator(SimConfig()).start()
        host, port, protocol = "127.0.0.1", simulator.port, "jsonrpc"
        db, login, key = DEMO_DB, DEMO_LOGIN, DEMO_API_KEY
        on_close = simulator.stop
    else:
        # require_odoo has refused settings without these
        assert settings.odoo_host and settings.odoo_db and settings.odoo_username and settings.odoo_api_key
        host, port, protocol = split_host(settings.odoo_host, settings.odoo_port, settings.odoo_protocol)
        db, login, key = settings.odoo_db, settings.odoo_username, settings.odoo_api_key.reveal()
    try:
        base_url = _base_url(host, port, protocol)
        version = fetch_server_version(base_url, settings.odoo_timeout, settings.odoo_max_retries)
        api = settings.odoo_api
        if api == "auto":
            api = "json2" if major_of(version) >= 19 else "jsonrpc"
        common = dict(
            server_version=version, db=db, login=login, api_key=key,
            batch_size=options.pop("batch_size", settings.odoo_batch_size),
            concurrency=options.pop("concurrency", settings.odoo_concurrency),
            max_retries=settings.odoo_max_retries, on_close=on_close,
        )
        if api == "json2":
            client: BaseClient = Json2Client(base_url=base_url, timeout=settings.odoo_timeout, **common)
        else:
            client = JsonRpcClient(
                host=host, port=port, protocol=protocol, timeout=settings.odoo_timeout, **common
            )
    except BaseException:
        if on_close is not None:
            on_close()
        raise
    company_id = getattr(settings, "odoo_company_id", None)
    if company_id:
        client.company_ids = [int(company_id)]
    log.info("connected to Odoo %s at %s as %s (%s)", version, base_url, login, api)
    return client
