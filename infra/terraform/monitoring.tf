# Alert on failed pipeline runs: every ERROR line of an nkpipe function (a failed stage, a 5xx, a
# crash) counts; main.py logs a failed run at ERROR with event="pipeline_failed", and a run whose
# checks found differences (an unverified day, data kept) at ERROR with event="day_unverified".
resource "google_monitoring_notification_channel" "email" {
  display_name = "${var.name_prefix} operators"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.apis]
}

resource "google_logging_metric" "failed_runs" {
  name        = "${var.name_prefix}-failed-runs"
  description = "Error log lines of the nkpipe functions (failed pipeline runs)."
  filter      = <<-EOT
    resource.type="cloud_run_revision"
    resource.labels.service_name=~"^${var.name_prefix}-"
    severity>=ERROR
  EOT

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "service_name"
      value_type  = "STRING"
      description = "Function that failed."
    }
  }

  label_extractors = {
    service_name = "EXTRACT(resource.labels.service_name)"
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "failed_runs" {
  display_name = "${var.name_prefix}: pipeline run failed"
  combiner     = "OR"

  conditions {
    display_name = "error lines in an nkpipe function"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.failed_runs.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.service_name"]
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "An nkpipe function logged an error: a failed run (event pipeline_failed) or an unverified day (event day_unverified, its differences in the entry). Check `GET /health` of the health function, then follow docs/operations.md (English) or docs/panduan-operasional.md (Bahasa Indonesia)."
  }

  notification_channels = [google_monitoring_notification_channel.email.id]
}
