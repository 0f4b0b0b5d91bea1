"""HTTP plumbing shared by the entry points: method check, JSON answers, error -> status mapping.

TransientError -> 503 (Cloud Scheduler / Cloud Tasks retry it), InputError -> 400, LockedError -> 409,
NotFoundError -> 404, ForbiddenError -> 403, any other TerminalError -> 422 (retrying cannot help), anything unexpected ->
500. Every failure is logged once at ERROR with event="pipeline_failed", which the alert counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from shared.errors import (
    ForbiddenError,
    InputError,
    LockedError,
    NkpipeError,
    NotFoundError,
    TerminalError,
    TransientError,
)
from shared.log import get_logger

log = get_logger("nkpipe.cloud")

Answer = tuple[dict[str, Any], int]


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def json_response(payload: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> tuple:
    from shared.redact import redact_data

    body = json.dumps(redact_data(json.loads(json.dumps(payload, default=_default))), sort_keys=False)
    return body, status, {"Content-Type": "application/json", **(headers or {})}


# First match wins: the specific terminal errors come before TerminalError itself.
_STATUS_BY_ERROR: tuple[tuple[type[BaseException], int], ...] = (
    (TransientError, 503),
    (InputError, 400),
    (LockedError, 409),
    (NotFoundError, 404),
    (ForbiddenError, 403),
    (TerminalError, 422),
)


def status_for(exc: BaseException) -> int:
    return next((status for kind, status in _STATUS_BY_ERROR if isinstance(exc, kind)), 500)


def error_payload(exc: BaseException, entry: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    kind = (
        "transient"
        if isinstance(exc, TransientError)
        else "terminal"
        if isinstance(exc, NkpipeError)
        else "internal"
    )
    # Our own errors carry one clear line without secrets; an unexpected one shows its type only
    # in the answer (its text may quote data) and its traceback in the log.
    message = (
        str(exc)
        if isinstance(exc, NkpipeError)
        else f"internal error ({type(exc).__name__}); see the function's log"
    )
    return {
        "status": "error",
        "entry": entry,
        "error": message,
        "kind": kind,
        "retry": isinstance(exc, TransientError) or kind == "internal",
        **(extra or {}),
    }


def failure(exc: BaseException, entry: str, extra: dict[str, Any] | None = None) -> Answer:
    """Log a failed request once and build its JSON answer and status."""
    status = status_for(exc)
    payload = error_payload(exc, entry, extra)
    fields = {
        "event": "request_rejected" if isinstance(exc, InputError) else "pipeline_failed",
        "entry": entry,
        "http_status": status,
        "error": payload["error"],
    }
    if isinstance(exc, InputError):
        log.warning("%s: bad request: %s", entry, exc, extra={"fields": fields})
    elif isinstance(exc, NkpipeError):
        log.error("%s failed: %s", entry, exc, extra={"fields": fields})
    else:
        log.error("%s failed unexpectedly", entry, exc_info=exc, extra={"fields": fields})
    return payload, status


def handle(request: Any, entry: str, methods: Iterable[str], handler: Callable[[Any], Answer]) -> tuple:
    """Run `handler(request)` and turn its answer or its error into a JSON response."""
    allowed = tuple(methods)
    if request.method not in allowed:
        return json_response(
            {
                "status": "error",
                "entry": entry,
                "error": f"method {request.method} not allowed: use {', '.join(allowed)}",
                "kind": "terminal",
                "retry": False,
            },
            405,
            {"Allow": ", ".join(allowed)},
        )
    try:
        payload, status = handler(request)
    except Exception as exc:  # noqa: BLE001 - every error becomes a JSON answer with the right status
        payload, status = failure(exc, entry)
    return json_response(payload, status)
