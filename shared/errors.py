"""The one error hierarchy of nkpipe.

Transient errors are worth retrying (the platform retries a Cloud Function that raises one, the CLI
exits 1); terminal errors carry one clear line for a person and are never retried.
"""

from __future__ import annotations


class NkpipeError(Exception):
    """Root of every error nkpipe raises on purpose. Its message is redacted when it is made (a
    driver's text copied into it may quote a connection string)."""

    transient = False

    def __init__(self, *args: object) -> None:
        from shared.redact import redact

        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))


class TransientError(NkpipeError):
    """A retry may succeed: HTTP 429/5xx, timeouts, dropped connections, a database that is down."""

    transient = True


class TerminalError(NkpipeError):
    """A retry cannot help: bad input, bad configuration, access denied, an unknown field."""


class ConfigError(TerminalError):
    """A missing or malformed setting."""


class InputError(TerminalError):
    """Bad input from a person or a request: a bad date, a bad range, an unknown stage."""


class SchemaError(TerminalError):
    """Data that does not match the declared schema of the table it is written to."""


class OdooError(TerminalError):
    """Odoo refused a call for a reason a retry will not fix (access denied, unknown field or model)."""


class LockedError(TerminalError):
    """Another run holds the lock for the same work."""


class ForbiddenError(TerminalError):
    """The caller may call this entry, but not ask it for this (e.g. a monitor starting a catch-up)."""


class NotFoundError(TerminalError):
    """Something asked for does not exist (a partition, a run, a generation)."""


def error_for_http_status(status: int, message: str) -> NkpipeError:
    """Map an HTTP status to the error kind: 429 and 5xx are transient, other failures terminal."""
    if status == 429 or status >= 500:
        return TransientError(f"HTTP {status}: {message}")
    return TerminalError(f"HTTP {status}: {message}")
