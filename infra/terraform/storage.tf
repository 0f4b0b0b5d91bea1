# The data lake: raw/, clean/, star-schema/ and metadata/ under var.lake_prefix.
resource "google_storage_bucket" "lake" {
  name                        = local.lake_bucket_name
  location                    = var.bucket_location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = var.labels

  # A rerun replaces partitions; versioning keeps the replaced file for
  # var.noncurrent_version_retention_days so a bad rerun can be rolled back.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age            = var.raw_retention_days
      matches_prefix = ["${var.lake_prefix}/raw/"]
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_retention_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  dynamic "logging" {
    for_each = var.access_log_bucket == "" ? [] : [var.access_log_bucket]
    content {
      log_bucket        = logging.value
      log_object_prefix = "${local.lake_bucket_name}/"
    }
  }

  depends_on = [google_project_service.apis]
}

# Build artefacts: the zipped source of the functions (one object per source version).
resource "google_storage_bucket" "sources" {
  name                        = "${var.project_id}-${var.name_prefix}-sources"
  location                    = var.bucket_location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  dynamic "logging" {
    for_each = var.access_log_bucket == "" ? [] : [var.access_log_bucket]
    content {
      log_bucket        = logging.value
      log_object_prefix = "${var.project_id}-${var.name_prefix}-sources/"
    }
  }

  depends_on = [google_project_service.apis]
}
