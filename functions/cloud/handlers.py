"""The four Cloud Function handlers: request -> (JSON payload, HTTP status).

They parse and validate, then call the same functions the CLI uses (functions.pipeline.run_days,
functions.catchup.run_catch_up, functions.health.freshness). Errors propagate to
functions.cloud.http, which maps them to a status.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from functions.cloud.http import Answer, failure
from functions.cloud.params import (
    CATCH_UP_KEYS,
    HEALTH_KEYS,
    MAX_BODY_BYTES,
    Work,
    check_keys,
    flag,
    parse_rerun,
    parse_scheduled,
    request_params,
    task_id,
)
from functions.cloud.tasks import TaskQueue, open_queue, tasks_config
from shared.errors import ConfigError, ForbiddenError, InputError, TransientError
from shared.log import get_logger

log = get_logger("nkpipe.cloud")

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake


def _context(request: Any, backends: bool = True) -> tuple[Any, Any, dict[str, Any]]:
    from shared.config import load_settings
    from shared.lake import open_lake

    if (request.content_length or 0) > MAX_BODY_BYTES:  # refused before the body is read
        raise InputError(f"request body too large: at most {MAX_BODY_BYTES} bytes")
    params = request_params(request.get_data(cache=True), request.args)
    settings = load_settings(backends=backends)
    return settings, open_lake(settings.data_lake_root), params


def _summary(results: Sequence[Any]) -> dict[str, Any]:
    return {
        "results": [r.to_dict() for r in results],
        "rows": sum(sum(r.rows.values()) for r in results),
    }


def report_unverified(results: Sequence[Any], entry: str) -> dict[str, Any]:
    """Log each unverified result once at ERROR (event="day_unverified": the failed-runs alert counts
    it) and give the answer's fields: status "unverified" and the differences by day."""
    unverified = [r for r in results if r.ok and not r.verified]
    if not unverified:
        return {"status": "done"}
    by_day: dict[str, list[str]] = {}
    for result in unverified:
        lines = [f"{result.stage} {result.dataset}: {d}" for d in (result.differences or [result.message])]
        by_day.setdefault(result.day.isoformat(), []).extend(lines)
        log.error(
            "%s: %s %s %s unverified: %s", entry, result.day, result.stage, result.dataset, "; ".join(lines),
            extra={"fields": {"event": "day_unverified", "entry": entry, "differences": lines,
                              "run_id": result.run_id}},
        )
    return {"status": "unverified", "unverified": by_day}


def run_work(settings: Settings, lake: Lake, work: Work, entry: str) -> Answer:
    """Run the work inline; 200 only when every stage of every day is done."""
    from functions.pipeline import run_days

    results: list[Any] = []
    started = time.monotonic()
    try:
        run_days(
            settings, lake, list(work.days), work.stages, work.targets, progress=results.append, intraday=work.intraday
        )
        failed = [r for r in results if not r.ok]
        if failed:
            first = failed[0]
            raise TransientError(f"{first.stage} {first.dataset} {first.day} failed: {first.message}")
    except Exception as exc:  # noqa: BLE001 - answered with what ran before the failure
        payload, status = failure(exc, entry, {**work.describe(), **_summary(results)})
        payload["duration_s"] = round(time.monotonic() - started, 3)
        return payload, status
    return {
        **report_unverified(results, entry),
        **work.describe(),
        **_summary(results),
        "duration_s": round(time.monotonic() - started, 3),
    }, 200


def scheduled_pipeline(request: Any) -> Answer:
    from shared.dates import yesterday

    settings, lake, params = _context(request)
    work = parse_scheduled(params, settings.business_tz, yesterday(settings.business_tz))
    return run_work(settings, lake, work, "scheduled_pipeline")


def rerun(request: Any, queue: TaskQueue | None = None) -> Answer:
    settings, lake, params = _context(request)
    work = parse_rerun(params, settings.business_tz, settings.max_range_days)
    if len(work.days) == 1:
        return run_work(settings, lake, work, "rerun")
    return fan_out(settings, work, queue)


def fan_out(settings: Settings, work: Work, queue: TaskQueue | None = None) -> Answer:
    """One task per day, to the rerun function; a task that exists already is reported, not redone."""
    config = tasks_config(settings)
    queue = queue or open_queue(config)
    # Never the request's own URL: its Host header is the caller's to choose, and the task's URL is
    # also its OIDC audience.
    url = config.rerun_url if config else None
    if not url:
        raise ConfigError("NKPIPE_RERUN_URL is not set: a range rerun needs the rerun function's URL")
    tasks = []
    for day in work.days:
        payload: dict[str, Any] = {"date": day.isoformat()}
        if work.pipeline:
            payload["pipeline"] = work.pipeline
        else:
            payload.update(stages=list(work.stages), targets=list(work.targets))
        name = task_id(work, day)
        tasks.append({"date": day.isoformat(), "task": name, "state": queue.enqueue(name, url, payload)})
    return {"status": "queued", **work.describe(), "tasks": tasks}, 202


def catch_up(request: Any) -> Answer:
    settings, lake, params = _context(request)
    check_keys(params, CATCH_UP_KEYS)
    return run_catch_up_inline(settings, lake)


def run_catch_up_inline(settings: Settings, lake: Lake, entry: str = "catch_up") -> Answer:
    """What `nkpipe catch-up` does; 200 only when every day it planned is done."""
    from functions.catchup import run_catch_up

    results: list[Any] = []
    started = time.monotonic()
    plan = None
    try:
        plan = run_catch_up(settings, lake, progress=results.append).plan
        failed = [r for r in results if not r.ok]
        if failed:
            first = failed[0]
            raise TransientError(
                f"catch-up: {first.stage} {first.dataset} {first.day} failed: {first.message}"
            )
    except Exception as exc:  # noqa: BLE001 - answered with what ran before the failure
        payload, status = failure(exc, entry, _summary(results))
        payload["duration_s"] = round(time.monotonic() - started, 3)
        return payload, status
    return {
        **report_unverified(results, entry),
        "last_fully_processed": plan.last_full.isoformat() if plan.last_full else None,
        "new_days": [d.isoformat() for d in plan.new_days],
        "changes": [{"date": c.day.isoformat(), "target": c.target, "why": c.reasons} for c in plan.changes],
        "stale": [
            {"date": s.day.isoformat(), "stage": s.stage, "dataset": s.dataset, "why": s.describe()}
            for s in plan.stale
        ],
        "unverified_reruns": [d.isoformat() for d in plan.unverified],
        **_summary(results),
        "duration_s": round(time.monotonic() - started, 3),
    }, 200


def health(request: Any) -> Answer:
    from functions.health import health_report

    # health holds no secret (infra/terraform): it needs the lake's run records only
    settings, lake, params = _context(request, backends=False)
    check_keys(params, HEALTH_KEYS)
    if flag(params, "catch_up"):
        require_catch_up_caller(request, settings)
    report = health_report(settings, lake)
    fresh = bool(report.get("ok"))
    if flag(params, "catch_up") and not fresh:
        report["catch_up"] = start_catch_up(settings, lake)
    return report, 200 if fresh else 503


def caller_email(request: Any) -> str | None:
    """The `email` claim of the caller's ID token. Cloud Run has checked the token's signature and
    audience before the request reaches the function (run.invoker is required), so only the claim
    is read here."""
    import base64
    import binascii
    import json

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    email = claims.get("email") if isinstance(claims, dict) else None
    return email.lower() if isinstance(email, str) else None


def require_catch_up_caller(request: Any, settings: Settings) -> None:
    """`health?catch_up=1` starts work: in the cloud only the callers listed in
    NKPIPE_CATCH_UP_CALLERS (the operators, set by Terraform) may ask for it; monitors read health."""
    allowed = settings.catch_up_callers
    if not settings.in_cloud and not allowed:
        return
    if caller_email(request) not in allowed:
        raise ForbiddenError("catch_up=1 is for operators only (NKPIPE_CATCH_UP_CALLERS); health itself is open to monitors")


def start_catch_up(settings: Settings, lake: Lake) -> dict[str, Any]:
    """Queue one catch-up task per day (deduplicated by name); run it inline when no queue is set."""
    from shared.dates import today

    config = tasks_config(settings)
    if config is None or not config.catch_up_url:
        payload, status = run_catch_up_inline(settings, lake, "health")
        return {"state": "done" if status == 200 else "failed", **payload}
    name = f"catch-up-{today(settings.business_tz):%Y%m%d}"
    state = open_queue(config).enqueue(name, config.catch_up_url, {})
    return {"state": state, "task": name}
