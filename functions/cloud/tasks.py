"""Cloud Tasks fan-out behind one small interface: `enqueue(task_id, url, payload) -> "created" | "duplicate"`.

Configured from Settings (`shared/config.py`), read from these environment names (set by infra/terraform):
  NKPIPE_TASKS_QUEUE            projects/<p>/locations/<l>/queues/<q>
  NKPIPE_TASKS_SERVICE_ACCOUNT  account whose OIDC token the task carries (the invoker account)
  NKPIPE_RERUN_URL              where range-rerun tasks go (the rerun function); required for a range:
                                the request's own Host header is never used
  NKPIPE_CATCH_UP_URL           where health?catch_up=1 sends its task (the catch_up function)
  NKPIPE_TASKS_ENDPOINT         optional API endpoint, e.g. http://127.0.0.1:8123 for a local
                                stand-in; then the REST transport and anonymous credentials are used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.errors import ConfigError, TerminalError, error_for_http_status

if TYPE_CHECKING:
    from shared.config import Settings

CREATED, DUPLICATE = "created", "duplicate"
QUEUE_PATH = re.compile(r"^projects/[^/]+/locations/[^/]+/queues/[^/]+$")
# Cloud Tasks (like Cloud Scheduler) waits at most 30 minutes for an HTTP target.
DISPATCH_DEADLINE_S = 1800


class TaskQueue(Protocol):
    def enqueue(self, task_id: str, url: str, payload: Mapping[str, Any]) -> str: ...


@dataclass(frozen=True)
class TasksConfig:
    queue: str
    service_account: str | None = None
    rerun_url: str | None = None
    catch_up_url: str | None = None
    endpoint: str | None = None


def tasks_config(settings: Settings) -> TasksConfig | None:
    """The queue settings, or None when no queue is configured (local runs)."""
    queue = settings.tasks_queue
    if not queue:
        return None
    if not QUEUE_PATH.match(queue):
        raise ConfigError(f"NKPIPE_TASKS_QUEUE must look like projects/P/locations/L/queues/Q, got {queue!r}")
    return TasksConfig(
        queue=queue,
        service_account=settings.tasks_service_account,
        rerun_url=settings.rerun_url,
        catch_up_url=settings.catch_up_url,
        endpoint=settings.tasks_endpoint,
    )


class CloudTasksQueue:
    """HTTP-target tasks on one Cloud Tasks queue, each signed with the invoker's OIDC token."""

    def __init__(self, config: TasksConfig, client: Any = None) -> None:
        self.config = config
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from google.cloud import tasks_v2

            if self.config.endpoint:
                from google.api_core.client_options import ClientOptions
                from google.auth.credentials import AnonymousCredentials

                self._client = tasks_v2.CloudTasksClient(
                    transport="rest",
                    client_options=ClientOptions(api_endpoint=self.config.endpoint),
                    credentials=AnonymousCredentials(),
                )
            else:
                self._client = tasks_v2.CloudTasksClient()
        return self._client

    def build_task(self, task_id: str, url: str, payload: Mapping[str, Any]) -> Any:
        from google.cloud import tasks_v2
        from google.protobuf import duration_pb2

        request = tasks_v2.HttpRequest(
            http_method=tasks_v2.HttpMethod.POST,
            url=url,
            headers={"Content-Type": "application/json"},
            body=json.dumps(dict(payload), sort_keys=True).encode(),
        )
        if self.config.service_account:
            request.oidc_token = tasks_v2.OidcToken(
                service_account_email=self.config.service_account, audience=url
            )
        return tasks_v2.Task(
            name=f"{self.config.queue}/tasks/{task_id}",
            http_request=request,
            dispatch_deadline=duration_pb2.Duration(seconds=DISPATCH_DEADLINE_S),
        )

    def enqueue(self, task_id: str, url: str, payload: Mapping[str, Any]) -> str:
        from google.api_core import exceptions as api_errors

        task = self.build_task(task_id, url, payload)
        try:
            self.client.create_task(parent=self.config.queue, task=task, timeout=30.0)
        except api_errors.Conflict:  # ALREADY_EXISTS: the same day of the same work is queued already
            return DUPLICATE
        except api_errors.GoogleAPICallError as exc:
            status = exc.code if isinstance(exc.code, int) else 503
            raise error_for_http_status(
                status, f"Cloud Tasks refused task {task_id}: {exc.message}"
            ) from None
        except api_errors.RetryError as exc:
            raise error_for_http_status(
                503, f"Cloud Tasks did not answer for task {task_id}: {exc}"
            ) from None
        return CREATED


def open_queue(config: TasksConfig | None) -> CloudTasksQueue:
    if config is None:
        raise TerminalError(
            "no Cloud Tasks queue is configured (NKPIPE_TASKS_QUEUE): rerun one date at a time"
        )
    return CloudTasksQueue(config)
