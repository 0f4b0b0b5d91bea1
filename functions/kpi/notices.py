"""Notices a user must see at the CLI's default level (WARNING), said once per run in one line.

A run is the pipeline's run_id (one `nkpipe run` over many days and stages); a call outside a run
(no run_id in the log context) is a run of its own and always says it.
"""

from __future__ import annotations

from shared.log import current_context, get_logger

log = get_logger("functions.kpi")

_said: set[tuple[str, str]] = set()
_MAX_REMEMBERED = 1000  # a long-lived process (a warm Cloud Function) must not grow without bound


def warn_once(kind: str, message: str, *args: object) -> None:
    """Log `message % args` at WARNING unless the same kind of notice was said in this run."""
    run_id = current_context().get("run_id")
    if run_id is not None:
        if (kind, run_id) in _said:
            return
        if len(_said) >= _MAX_REMEMBERED:
            _said.clear()
        _said.add((kind, run_id))
    log.warning(message, *args)
