"""Turn an HTTP request into validated work: which stages and targets, for which business days.

Every way a request can be wrong raises InputError with one line, which the entry point answers
with 400: a bad request must never reach a stage, nor become a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.errors import InputError

SCHEDULED_KEYS = frozenset({"pipeline", "date"})
RERUN_KEYS = frozenset({"date", "start", "end", "pipeline", "stages", "targets", "request_id"})
HEALTH_KEYS = frozenset({"catch_up"})
CATCH_UP_KEYS: frozenset[str] = frozenset()
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# A request is a handful of fields: anything bigger or deeper is refused before json.loads (whose
# recursion on a body nested 100k deep raised RecursionError, a 500 that the platform retried).
MAX_BODY_BYTES = 16 * 1024
MAX_JSON_DEPTH = 8


@dataclass(frozen=True)
class Work:
    """Stages (and targets) to run for a list of business days."""

    days: tuple[date, ...]
    stages: tuple[str, ...]
    targets: tuple[str, ...]
    pipeline: str | None = None
    request_id: str | None = None

    @property
    def intraday(self) -> bool:
        """The provisional refresh of today (pipeline `intraday`)."""
        from functions.pipeline import INTRADAY_PIPELINE

        return self.pipeline == INTRADAY_PIPELINE

    def describe(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "intraday": self.intraday,
            "stages": list(self.stages),
            "targets": list(self.targets),
            "days": [d.isoformat() for d in self.days],
        }


def request_params(body: bytes, query: Mapping[str, str]) -> dict[str, Any]:
    """Query-string parameters, overridden by a JSON object body (the body may be empty)."""
    params: dict[str, Any] = dict(query)
    if body and len(body) > MAX_BODY_BYTES:
        raise InputError(f"request body too large: at most {MAX_BODY_BYTES} bytes")
    text = body.decode("utf-8", errors="replace").strip() if body else ""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InputError(f"request body nested too deep: at most {MAX_JSON_DEPTH} levels")
    if text:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        if not isinstance(parsed, dict):
            raise InputError("request body must be a JSON object")
        params.update(parsed)
    return params


def json_depth(text: str) -> int:
    """The deepest nesting of [ and { in a JSON text, outside strings (no parsing, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def check_keys(params: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """A field the entry does not know is an error, never ignored (a misspelt one would change the work)."""
    unknown = sorted(set(params) - allowed)
    if unknown:
        takes = f"allowed are {', '.join(sorted(allowed))}" if allowed else "this entry takes none"
        raise InputError(f"unknown field(s) {', '.join(map(repr, unknown))}: {takes}")


def _text(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{key!r} must be a string, got {type(value).__name__}")
    return value


def _names(params: Mapping[str, Any], key: str) -> str | list[str] | None:
    value = params.get(key)
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return list(value)
    raise InputError(f"{key!r} must be a list of names or a comma-separated string")


def _intraday_day(text: str | None, tz: str, today: date | None) -> date:
    """The day of an intraday refresh: today's business day (`date` absent, "today" or that date)."""
    from shared.dates import parse_day
    from shared.dates import today as business_today

    current = today or business_today(tz)
    if text is None or text == "today":
        return current
    day = parse_day(text, tz, current)
    if day != current:
        raise InputError(f"pipeline 'intraday' is for today's business day only ({current.isoformat()} in {tz})")
    return day


def parse_scheduled(params: Mapping[str, Any], tz: str, default_day: date, today: date | None = None) -> Work:
    """`{"pipeline": name, "date": optional}` -> the pipeline's stages for that day (default: yesterday;
    today for the intraday refresh)."""
    from functions.pipeline import INTRADAY_PIPELINE, parse_pipeline
    from shared.dates import parse_day

    check_keys(params, SCHEDULED_KEYS)
    name = _text(params, "pipeline")
    if name is None:
        raise InputError("'pipeline' is required")
    stages, targets = parse_pipeline(name)
    text = _text(params, "date")
    if name == INTRADAY_PIPELINE:
        day = _intraday_day(text, tz, today)
    else:
        day = parse_day(text, tz, today) if text else default_day
    return Work(days=(day,), stages=stages, targets=targets, pipeline=name)


def parse_rerun(params: Mapping[str, Any], tz: str, max_days: int, today: date | None = None) -> Work:
    """`{"date": D}` or `{"start": D, "end": E}`, with `pipeline` or `stages`/`targets` (default: all)."""
    from functions.pipeline import TARGETS, parse_pipeline, parse_stages, parse_targets
    from shared.dates import parse_range

    check_keys(params, RERUN_KEYS)
    from functions.pipeline import INTRADAY_PIPELINE

    if _text(params, "pipeline") == INTRADAY_PIPELINE:
        if _text(params, "start") or _text(params, "end") or _names(params, "stages") or _names(params, "targets"):
            raise InputError("pipeline 'intraday' takes only 'date' (today), no range, stages or targets")
        stages, targets = parse_pipeline(INTRADAY_PIPELINE)
        day = _intraday_day(_text(params, "date"), tz, today)
        return Work(days=(day,), stages=stages, targets=targets, pipeline=INTRADAY_PIPELINE)
    single, start, end = _text(params, "date"), _text(params, "start"), _text(params, "end")
    if single and (start or end):
        raise InputError("give either 'date' or 'start' and 'end', not both")
    if not single and not start:
        raise InputError("'date' or 'start' is required (YYYY-MM-DD)")
    if end and not start:
        raise InputError("'end' needs 'start'")
    first = single or start
    assert first is not None  # one of them is required above
    days = parse_range(first, end, tz, max_days, today)

    pipeline = _text(params, "pipeline")
    stages_text, targets_text = _names(params, "stages"), _names(params, "targets")
    if pipeline and (stages_text or targets_text):
        raise InputError("give either 'pipeline' or 'stages'/'targets', not both")
    if pipeline:
        stages, targets = parse_pipeline(pipeline)
    else:
        stages = parse_stages(stages_text)
        targets = parse_targets(targets_text) if targets_text else TARGETS

    request_id = _text(params, "request_id")
    if request_id is not None and not REQUEST_ID.match(request_id):
        raise InputError("'request_id' must be 1-40 letters, digits, '-' or '_'")
    return Work(days=tuple(days), stages=stages, targets=targets, pipeline=pipeline, request_id=request_id)


def flag(params: Mapping[str, Any], key: str) -> bool:
    value = params.get(key)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"} if value is not None else False


def task_id(work: Work, day: date) -> str:
    """Cloud Tasks id of one day of a range: the same work and day always give the same id, so a
    repeated request is deduplicated by the queue instead of running twice."""
    what = work.pipeline or f"{'_'.join(work.stages)}--{'_'.join(work.targets) or 'all'}"
    parts = ["rerun", what, day.strftime("%Y%m%d")]
    if work.request_id:
        parts.append(work.request_id)
    return re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(parts))[:500]
