# Four identities, each with only what it needs:
#   runtime  - what scheduled_pipeline, rerun and catch_up run as: lake objects, the five secrets,
#              enqueue on the rerun queue;
#   health   - what health runs as: read on the run records under metadata/, enqueue (catch_up=1), no secret;
#   invoker  - what Cloud Scheduler and Cloud Tasks sign their OIDC tokens as: run.invoker only;
#   builder  - what Cloud Build uses to turn the source archive into the functions' images, writing
#              only to the functions' own Artifact Registry repository.
# People: operators call every function (reruns, catch-up); monitors call health only (read-only:
# health?catch_up=1 is refused unless the caller is in var.catch_up_callers); analysts read star-schema/.
resource "google_service_account" "runtime" {
  account_id   = "${var.name_prefix}-runtime"
  display_name = "nkpipe functions runtime"
}

resource "google_service_account" "invoker" {
  account_id   = "${var.name_prefix}-invoker"
  display_name = "nkpipe scheduler and tasks invoker"
}

resource "google_service_account" "builder" {
  account_id   = "${var.name_prefix}-builder"
  display_name = "nkpipe functions build"
}

resource "google_service_account" "health" {
  account_id   = "${var.name_prefix}-health"
  display_name = "nkpipe health function"
}

# --- runtime ---------------------------------------------------------------------------------------

resource "google_storage_bucket_iam_member" "runtime_lake" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.runtime.member
}

resource "google_secret_manager_secret_iam_member" "runtime_access" {
  for_each = google_secret_manager_secret.runtime

  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

# Supabase's root CA (a certificate, not a secret; Secret Manager is how a file reaches a function).
resource "google_secret_manager_secret_iam_member" "runtime_supabase_ca" {
  count = var.supabase_db_ca_secret_id == "" ? 0 : 1

  secret_id = "projects/${var.project_id}/secrets/${var.supabase_db_ca_secret_id}"
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

# Both the runtime (range reruns) and health (catch_up=1) queue tasks. Creating a task that carries
# an OIDC token of the invoker account needs actAs on that account.
locals {
  task_creators = {
    runtime = google_service_account.runtime.member
    health  = google_service_account.health.member
  }
}

resource "google_cloud_tasks_queue_iam_member" "enqueue" {
  for_each = local.task_creators

  name     = google_cloud_tasks_queue.rerun.name
  location = var.region
  role     = "roles/cloudtasks.enqueuer"
  member   = each.value
}

resource "google_service_account_iam_member" "acts_as_invoker" {
  for_each = local.task_creators

  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = each.value
}

moved {
  from = google_cloud_tasks_queue_iam_member.runtime_enqueue
  to   = google_cloud_tasks_queue_iam_member.enqueue["runtime"]
}

moved {
  from = google_service_account_iam_member.runtime_acts_as_invoker
  to   = google_service_account_iam_member.acts_as_invoker["runtime"]
}

# --- health ----------------------------------------------------------------------------------------

# Object names can be listed (a list call is checked against the bucket, not an object); only the
# run records under metadata/ can be read.
resource "google_storage_bucket_iam_member" "health_metadata" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.health.member

  condition {
    title       = "run-records-only"
    description = "List the bucket, read objects under metadata/ only"
    expression  = "resource.type == \"storage.googleapis.com/Bucket\" || resource.name.startsWith(\"projects/_/buckets/${google_storage_bucket.lake.name}/objects/${local.lake_object_prefix}metadata/\")"
  }
}

# --- invoker (and operators) -----------------------------------------------------------------------

locals {
  # Keys are known at plan time (for_each needs that); the invoker's email is known only after apply.
  invoker_bindings = merge([
    for entry in keys(local.functions) : merge(
      { "${entry} invoker" = { entry = entry, member = google_service_account.invoker.member } },
      { for member in var.operator_members : "${entry} ${member}" => { entry = entry, member = member } },
      # monitors: health only, which reads and never starts work for them
      entry == "health" ? { for member in var.monitor_members : "${entry} ${member}" => { entry = entry, member = member } } : {},
    )
  ]...)
}

# A 2nd-gen function is served by the Cloud Run service of the same name; run.invoker on it is
# what lets a caller in. No binding here ever names allUsers (variables.tf validates the lists).
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = local.invoker_bindings

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.entry[each.value.entry].name
  role     = "roles/run.invoker"
  member   = each.value.member
}

# --- builder ---------------------------------------------------------------------------------------

resource "google_project_iam_member" "builder" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.builder.member
}

# Images go to the functions' own repository (functions.tf), nowhere else in the project.
resource "google_artifact_registry_repository_iam_member" "builder" {
  project    = var.project_id
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.builder.member
}

resource "google_storage_bucket_iam_member" "builder_sources" {
  bucket = google_storage_bucket.sources.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.builder.member
}

# Cloud Functions copies the source into its own staging bucket (gcf-v2-sources-<number>-<region>),
# created on the first deploy; the build reads it from there. Read on those buckets only, never the lake.
resource "google_project_iam_member" "builder_staging" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = google_service_account.builder.member

  condition {
    title       = "gcf-staging-buckets-only"
    description = "Cloud Functions source staging buckets"
    expression  = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-\")"
  }
}

# --- analysts --------------------------------------------------------------------------------------

resource "google_bigquery_dataset_iam_member" "analysts" {
  for_each = toset(var.analyst_members)

  dataset_id = google_bigquery_dataset.lake.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}

resource "google_project_iam_member" "analysts_jobs" {
  for_each = toset(var.analyst_members)

  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = each.value
}

# External tables read the files with the caller's own credentials: star-schema/ only, never raw/
# (partner names) nor metadata/. A list call is checked against the bucket, so object names stay
# listable; their contents outside star-schema/ do not.
resource "google_storage_bucket_iam_member" "analysts_lake" {
  for_each = toset(var.analyst_members)

  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = each.value

  condition {
    title       = "star-schema-only"
    description = "List the bucket, read objects under star-schema/ only"
    expression  = "resource.type == \"storage.googleapis.com/Bucket\" || resource.name.startsWith(\"projects/_/buckets/${google_storage_bucket.lake.name}/objects/${local.lake_object_prefix}star-schema/\")"
  }
}
