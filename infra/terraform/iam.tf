# Three identities, each with only what it needs:
#   runtime  - what the functions run as: lake objects, the five secrets, enqueue on the rerun queue;
#   invoker  - what Cloud Scheduler and Cloud Tasks sign their OIDC tokens as: run.invoker only;
#   builder  - what Cloud Build uses to turn the source archive into the functions' images.
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

resource "google_cloud_tasks_queue_iam_member" "runtime_enqueue" {
  name     = google_cloud_tasks_queue.rerun.name
  location = var.region
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.runtime.member
}

# Creating a task that carries an OIDC token of the invoker account needs actAs on that account.
resource "google_service_account_iam_member" "runtime_acts_as_invoker" {
  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.runtime.member
}

# --- invoker (and operators) -----------------------------------------------------------------------

locals {
  # Keys are known at plan time (for_each needs that); the invoker's email is known only after apply.
  invoker_bindings = merge([
    for entry in keys(local.functions) : merge(
      { "${entry} invoker" = { entry = entry, member = google_service_account.invoker.member } },
      { for member in var.operator_members : "${entry} ${member}" => { entry = entry, member = member } },
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
  for_each = toset([
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
  ])

  project = var.project_id
  role    = each.value
  member  = google_service_account.builder.member
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

# External tables read the files with the caller's own credentials.
resource "google_storage_bucket_iam_member" "analysts_lake" {
  for_each = toset(var.analyst_members)

  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = each.value
}
