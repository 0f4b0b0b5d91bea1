# External tables over the star schema: analysts query the history in place, nothing is copied.
# Partitions are read from the path (<table>/date=YYYY-MM-DD/part-0.parquet), so a filter on `date`
# prunes files. Autodetection needs at least one file: create the tables after the first run
# (bigquery_external_tables = false on the very first apply, see docs/deploy.md).
resource "google_bigquery_dataset" "lake" {
  #checkov:skip=CKV_GCP_81:The dataset holds only external table definitions; the data stays in the lake bucket.
  dataset_id                 = var.bigquery_dataset_id
  friendly_name              = "nkpipe lake"
  description                = "External tables over the nkpipe star schema in ${local.lake_root}."
  location                   = var.bigquery_location
  labels                     = var.labels
  delete_contents_on_destroy = false

  depends_on = [google_project_service.apis]
}

resource "google_bigquery_table" "star" {
  #checkov:skip=CKV_GCP_80:External table: no data is stored in BigQuery, the Parquet files stay in the lake bucket.
  #checkov:skip=CKV_GCP_121:External table definition only; deleting it loses no data and replacing it must not be blocked.
  for_each = var.bigquery_external_tables ? toset(local.star_tables) : toset([])

  dataset_id          = google_bigquery_dataset.lake.dataset_id
  table_id            = each.value
  description         = "Star-schema table ${each.value} (Parquet in ${local.lake_root}/star-schema/${each.value}/)."
  labels              = var.labels
  deletion_protection = false

  external_data_configuration {
    autodetect    = true
    source_format = "PARQUET"
    source_uris   = ["${local.lake_root}/star-schema/${each.value}/*"]

    hive_partitioning_options {
      mode                     = "CUSTOM"
      source_uri_prefix        = "${local.lake_root}/star-schema/${each.value}/{date:DATE}"
      require_partition_filter = false
    }
  }
}
