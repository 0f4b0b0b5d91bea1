# One source archive of the repository serves every function; main.py at its root holds the
# entry points and requirements.txt installs the package's dependencies.
data "archive_file" "source" {
  type        = "zip"
  source_dir  = "${path.module}/../.."
  output_path = "${path.module}/.build/nkpipe-source.zip"
  excludes    = local.source_excludes
}

resource "google_storage_bucket_object" "source" {
  # The content hash in the name makes a code change redeploy the functions.
  name   = "functions/nkpipe-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.sources.name
  source = data.archive_file.source.output_path
}

resource "google_cloudfunctions2_function" "entry" {
  #checkov:skip=CKV_GCP_124:Ingress is per function (locals.tf): internal-only where only Scheduler/Tasks call; rerun and health must be reachable by operators and every call needs a run.invoker OIDC token.
  for_each = local.functions

  name        = local.function_names[each.key]
  location    = var.region
  description = each.value.description
  labels      = var.labels

  build_config {
    runtime         = "python312"
    entry_point     = each.key
    service_account = google_service_account.builder.id
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_s
    max_instance_count               = each.value.max_instances
    min_instance_count               = 0
    max_instance_request_concurrency = each.value.concurrency
    service_account_email            = google_service_account.runtime.email
    # Cloud Scheduler and Cloud Tasks of the same project count as internal traffic. Whatever the
    # ingress, every call needs an OIDC token of a principal holding run.invoker (iam.tf).
    ingress_settings               = each.value.ingress
    all_traffic_on_latest_revision = true
    environment_variables          = local.runtime_env

    dynamic "secret_environment_variables" {
      for_each = local.secret_env
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.runtime[secret_environment_variables.key].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.runtime_access,
    google_project_iam_member.builder,
    google_storage_bucket_iam_member.builder_sources,
    google_project_iam_member.builder_staging,
  ]
}
