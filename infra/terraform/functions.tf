# One source archive serves every function: main.py at its root holds the entry points and
# requirements.txt (the hashed lock written by scripts/lock) installs the pinned dependencies.
# Only the files of local.source_files (locals.tf) go in.

# The functions' images: the builder may write here and nowhere else.
resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:Images are rebuilt from the source archive on every deploy and hold no data; Google-managed encryption is enough.
  location      = var.region
  repository_id = "${var.name_prefix}-functions"
  format        = "DOCKER"
  description   = "nkpipe Cloud Functions images"
  labels        = var.labels

  depends_on = [google_project_service.apis]
}

data "archive_file" "source" {
  type        = "zip"
  output_path = "${path.module}/.build/nkpipe-source.zip"

  dynamic "source" {
    for_each = local.source_files
    content {
      content  = file("${local.source_root}/${source.value}")
      filename = source.value
    }
  }
}

locals {
  # Plain configuration of every function. Secret values never appear here: see secrets.tf.
  runtime_env = merge(
    {
      DATA_LAKE_ROOT               = local.lake_root
      BUSINESS_TZ                  = var.business_tz
      ODOO_HOST                    = var.odoo.host
      ODOO_PORT                    = tostring(var.odoo.port)
      ODOO_PROTOCOL                = var.odoo.protocol
      ODOO_DB                      = var.odoo.db
      ODOO_USERNAME                = var.odoo.username
      TIDB_HOST                    = var.tidb.host
      TIDB_PORT                    = tostring(var.tidb.port)
      TIDB_USER                    = var.tidb.user
      TIDB_DATABASE                = var.tidb.database
      NK_ORG_ID                    = tostring(var.nk_org_id)
      GOOGLE_CLOUD_PROJECT         = var.project_id # Status ETL links a run_id to its Cloud Logging query
      MAX_RANGE_DAYS               = tostring(var.max_range_days)
      NKPIPE_TASKS_QUEUE           = local.queue_path
      NKPIPE_TASKS_SERVICE_ACCOUNT = google_service_account.invoker.email
      NKPIPE_RERUN_URL             = local.function_urls.rerun
      NKPIPE_CATCH_UP_URL          = local.function_urls.catch_up
      NKPIPE_CATCH_UP_CALLERS      = join(",", var.catch_up_callers)
    },
    var.supabase_db_ca_secret_id == "" ? {} : { SUPABASE_DB_CA = "${local.supabase_ca_dir}/ca.crt" },
    var.extra_env,
  )
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
    runtime           = "python312"
    entry_point       = each.key
    service_account   = google_service_account.builder.id
    docker_repository = google_artifact_registry_repository.functions.id
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
    # health runs as its own account: read on the run records, no secret, no lake write.
    service_account_email = each.key == "health" ? google_service_account.health.email : google_service_account.runtime.email
    # Cloud Scheduler and Cloud Tasks of the same project count as internal traffic. Whatever the
    # ingress, every call needs an OIDC token of a principal holding run.invoker (iam.tf).
    ingress_settings               = each.value.ingress
    all_traffic_on_latest_revision = true
    environment_variables          = local.runtime_env

    # Supabase's root CA as a file, for the functions that reach the Supabase database.
    dynamic "secret_volumes" {
      for_each = var.supabase_db_ca_secret_id != "" && contains(local.function_secrets[each.key], "SUPABASE_DB_URL") ? [var.supabase_db_ca_secret_id] : []
      content {
        mount_path = local.supabase_ca_dir
        project_id = var.project_id
        secret     = secret_volumes.value
        versions {
          version = "latest"
          path    = "ca.crt"
        }
      }
    }

    dynamic "secret_environment_variables" {
      for_each = { for env, id in local.secret_env : env => id if contains(local.function_secrets[each.key], env) }
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
    google_artifact_registry_repository_iam_member.builder,
    google_storage_bucket_iam_member.builder_sources,
    google_project_iam_member.builder_staging,
  ]
}
