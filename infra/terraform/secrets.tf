# Secret containers only. Values are added out of band (`gcloud secrets versions add`, see
# docs/deploy.md) so they never enter the Terraform configuration or its state.
resource "google_secret_manager_secret" "runtime" {
  for_each = local.secret_env

  secret_id = each.value
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}
