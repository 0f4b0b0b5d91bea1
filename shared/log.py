"""Logging: JSON lines in the shape Cloud Logging reads when not on a terminal, readable lines on one.

`log_context(run_id=..., stage=..., dataset=..., date=...)` adds fields to every line logged inside it.
The odoorpc logger is held at WARNING: odoorpc 0.10.1 logs request bodies (with the API key) at DEBUG.
Every line, with its traceback, passes through `shared.redact.redact`.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from shared.redact import redact, redact_data

_CONTEXT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("nkpipe_log_context", default=None)
CONTEXT_FIELDS = ("run_id", "stage", "dataset", "date")
# Loggers that may print secrets or request bodies when set to DEBUG.
QUIET_LOGGERS = ("odoorpc", "urllib3", "google", "botocore", "httpx", "hpack")


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Attach fields (run_id, stage, dataset, date, …) to every record logged inside the block."""
    merged = {**(_CONTEXT.get() or {}), **{k: (str(v) if v is not None else None) for k, v in fields.items()}}
    token = _CONTEXT.set(merged)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def current_context() -> dict[str, Any]:
    return dict(_CONTEXT.get() or {})


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_CONTEXT.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: Cloud Logging maps `severity`, `message` and `time` itself."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # Redacted field by field, before encoding: a mask never breaks the JSON.
        return json.dumps(redact_data(json.loads(json.dumps(entry, default=str))))


class TextFormatter(logging.Formatter):
    """A short line for people at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        where = " ".join(
            str(getattr(record, key)) for key in ("stage", "dataset", "date") if getattr(record, key, None)
        )
        prefix = f"[{where}] " if where else ""
        line = f"{record.levelname.lower():7} {prefix}{record.getMessage()}"
        if record.exc_info and record.levelno >= logging.ERROR:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def configure_logging(json_lines: bool | None = None, level: str | int = "INFO", stream: Any = None) -> None:
    """Set up the root logger once: JSON when not on a terminal (or when asked), text otherwise."""
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not (hasattr(stream, "isatty") and stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_nkpipe", False):
            root.removeHandler(old)
    handler._nkpipe = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    quiet_noisy_loggers()


def quiet_noisy_loggers() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
