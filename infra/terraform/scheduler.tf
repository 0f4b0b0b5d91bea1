# One job per row of local.schedule (locals.tf), in business time. Each call carries an OIDC token
# of the invoker account; a 5xx or a timeout is retried per retry_config.
resource "google_cloud_scheduler_job" "nightly" {
  for_each = local.schedule

  name        = "${var.name_prefix}-${each.key}"
  description = each.value.pipeline == null ? "nkpipe ${each.value.function}" : "nkpipe pipeline ${each.value.pipeline}"
  region      = var.region
  schedule    = local.schedule_crons[each.key]
  time_zone   = var.business_tz
  paused      = var.scheduler_paused

  # Cloud Scheduler waits at most 30 minutes for an HTTP target.
  attempt_deadline = "${min(local.functions[each.value.function].timeout_s, 1800)}s"

  retry_config {
    retry_count          = var.scheduler_retry_count
    min_backoff_duration = "120s"
    max_backoff_duration = "900s"
    max_doublings        = 2
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.entry[each.value.function].url
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode(jsonencode(each.value.pipeline == null ? {} : { pipeline = each.value.pipeline }))

    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = google_cloudfunctions2_function.entry[each.value.function].url
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invoker]
}
