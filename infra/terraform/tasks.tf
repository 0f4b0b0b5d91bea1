# Range reruns: the rerun function enqueues one task per business day (task name derived from the
# stages, targets and date, so a repeated request does not double the work); the queue bounds how
# many days run at once and how often a failing day is retried.
resource "google_cloud_tasks_queue" "rerun" {
  name     = local.queue_name
  location = var.region

  rate_limits {
    max_dispatches_per_second = var.tasks_max_dispatches_per_second
    max_concurrent_dispatches = var.tasks_max_concurrent_dispatches
  }

  retry_config {
    max_attempts       = var.tasks_max_attempts
    max_retry_duration = "86400s"
    min_backoff        = "60s"
    max_backoff        = "1800s"
    max_doublings      = 3
  }

  stackdriver_logging_config {
    sampling_ratio = 1.0
  }

  depends_on = [google_project_service.apis]
}
