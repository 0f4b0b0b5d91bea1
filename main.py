"""Cloud Function entry points (functions-framework, one function per entry in infra/terraform).

Only parse, validate and delegate: the work is in functions.cloud.handlers, which calls the same
stage functions as the `nkpipe` CLI. Run one locally with
`functions-framework --target=rerun --source=main.py --port 8080`.
"""

from __future__ import annotations

import functions_framework

from functions.cloud import handlers
from functions.cloud.http import handle
from shared.log import configure_logging

configure_logging()


@functions_framework.http
def scheduled_pipeline(request):
    """`{"pipeline": "pos"|...|"kpi", "date": optional}`: one nightly pipeline for yesterday or the date."""
    return handle(request, "scheduled_pipeline", ("POST", "GET"), handlers.scheduled_pipeline)


@functions_framework.http
def rerun(request):
    """`{"date": D}` runs inline; `{"start": D, "end": E}` queues one Cloud Task per day."""
    return handle(request, "rerun", ("POST",), handlers.rerun)


@functions_framework.http
def health(request):
    """Freshness of every dataset and KPI table: 200 fresh, 503 behind; `?catch_up=1` starts catch-up."""
    return handle(request, "health", ("GET", "POST"), handlers.health)


@functions_framework.http
def catch_up(request):
    """What `nkpipe catch-up` does: rerun missing or failed days within the look-back window."""
    return handle(request, "catch_up", ("POST", "GET"), handlers.catch_up)
