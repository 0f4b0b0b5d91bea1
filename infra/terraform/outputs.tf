output "lake_root" {
  description = "DATA_LAKE_ROOT of the functions."
  value       = local.lake_root
}

output "lake_bucket" {
  description = "Name of the data lake bucket."
  value       = google_storage_bucket.lake.name
}

output "function_urls" {
  description = "HTTPS address of each function (entry point => URL); call with an identity token."
  value       = { for entry, fn in google_cloudfunctions2_function.entry : entry => fn.url }
}

output "schedule" {
  description = "The nightly schedule (job => time in business_tz, function, pipeline)."
  value       = local.schedule
}

output "rerun_queue" {
  description = "Cloud Tasks queue of range reruns."
  value       = google_cloud_tasks_queue.rerun.id
}

output "runtime_service_account" {
  description = "Service account the functions run as."
  value       = google_service_account.runtime.email
}

output "invoker_service_account" {
  description = "Service account whose OIDC tokens Cloud Scheduler and Cloud Tasks present."
  value       = google_service_account.invoker.email
}

output "secret_ids" {
  description = "Secret Manager secrets to fill with `gcloud secrets versions add` (env name => secret id)."
  value       = { for env, secret in google_secret_manager_secret.runtime : env => secret.secret_id }
}

output "bigquery_dataset" {
  description = "BigQuery dataset of the external star-schema tables."
  value       = google_bigquery_dataset.lake.dataset_id
}
