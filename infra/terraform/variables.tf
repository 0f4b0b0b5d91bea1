variable "project_id" {
  type        = string
  description = "GCP project that hosts the pipeline."
}

variable "region" {
  type        = string
  description = "Region of the functions, queue and scheduler jobs (asia-southeast2 is Jakarta)."
  default     = "asia-southeast2"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name, so two environments can share a project."
  default     = "nkpipe"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-20 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "labels" {
  type        = map(string)
  description = "Labels added to every resource that takes labels."
  default     = { app = "nkpipe" }
}

# --- storage -------------------------------------------------------------------------------------

variable "lake_bucket_name" {
  type        = string
  description = "Name of the data lake bucket; empty means \"<project_id>-<name_prefix>-lake\"."
  default     = ""
}

variable "lake_prefix" {
  type        = string
  description = "Folder inside the bucket that is the lake root (DATA_LAKE_ROOT=gs://bucket/prefix)."
  default     = "lake"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$", var.lake_prefix))
    error_message = "lake_prefix is a relative folder such as \"lake\" or \"prod/lake\" (no leading or trailing slash)."
  }
}

variable "bucket_location" {
  type        = string
  description = "Location of the buckets; keep it the BigQuery location so external tables can read it."
  default     = "ASIA-SOUTHEAST2"
}

variable "raw_retention_days" {
  type        = number
  description = "Days after which objects under <lake_prefix>/raw/ are deleted (clean/ and star-schema/ are kept)."
  default     = 90

  validation {
    condition     = var.raw_retention_days >= 7
    error_message = "raw_retention_days must be at least 7 so a week of reruns can re-read raw data."
  }
}

variable "noncurrent_version_retention_days" {
  type        = number
  description = "Days a replaced or deleted object version is kept (object versioning is on) before it is deleted."
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "access_log_bucket" {
  type        = string
  description = "Existing bucket receiving the usage logs of the lake bucket; empty turns access logging off."
  default     = ""
}

# --- runtime configuration (plain values; secrets are in Secret Manager) ---------------------------

variable "business_tz" {
  type        = string
  description = "Business time zone: the day boundaries of every dataset and the time zone of the schedule."
  default     = "Asia/Jakarta"
}

variable "odoo" {
  type = object({
    host     = string
    port     = optional(number, 443)
    protocol = optional(string, "jsonrpc+ssl")
    db       = string
    username = string
  })
  description = "Odoo connection (the API key is the secret named in secret_ids.odoo_api_key)."

  validation {
    condition     = contains(["jsonrpc", "jsonrpc+ssl"], var.odoo.protocol)
    error_message = "odoo.protocol must be jsonrpc or jsonrpc+ssl."
  }
}

variable "tidb" {
  type = object({
    host     = string
    port     = optional(number, 4000)
    user     = string
    database = optional(string, "nkpipe")
  })
  description = "TiDB connection for the KPI tables (the password is the secret named in secret_ids.tidb_password)."
}

variable "nk_org_id" {
  type        = number
  description = "Organisation id of New Khatulistiwa in the Supabase mirror."
  default     = 1
}

variable "max_range_days" {
  type        = number
  description = "Largest date range one rerun request may ask for (MAX_RANGE_DAYS)."
  default     = 366
}

variable "extra_env" {
  type        = map(string)
  description = "Extra non-secret environment variables for every function (tuning knobs such as ODOO_BATCH_SIZE)."
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.extra_env) : !can(regex("(?i)(password|secret|api_key|service_key|db_url|token)", k))])
    error_message = "extra_env must not carry secrets: put them in Secret Manager and list them in secret_ids."
  }
}

variable "secret_ids" {
  type = object({
    odoo_api_key         = optional(string, "nkpipe-odoo-api-key")
    tidb_password        = optional(string, "nkpipe-tidb-password")
    supabase_db_url      = optional(string, "nkpipe-supabase-db-url")
    supabase_url         = optional(string, "nkpipe-supabase-url")
    supabase_service_key = optional(string, "nkpipe-supabase-service-key")
  })
  description = "Secret Manager secret ids. Terraform creates the secrets empty; add each value with `gcloud secrets versions add`."
  default     = {}
}

variable "supabase_db_ca_secret_id" {
  type        = string
  description = "Secret Manager secret holding Supabase's root CA certificate (Database settings › SSL); mounted as a file for sslmode=verify-full (SUPABASE_DB_CA). Empty: the system CAs, which Supabase's direct database certificate is not signed by."
  default     = ""
}

# --- functions -------------------------------------------------------------------------------------

variable "function_sizes" {
  type = map(object({
    memory        = optional(string)
    cpu           = optional(string)
    timeout_s     = optional(number)
    max_instances = optional(number)
    concurrency   = optional(number)
  }))
  description = "Overrides of memory, cpu, timeout (s), max instances and concurrency per function (keys: scheduled_pipeline, rerun, health, catch_up); unset fields keep the defaults of locals.tf."
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.function_sizes) : contains(["scheduled_pipeline", "rerun", "health", "catch_up"], k)])
    error_message = "function_sizes keys must be entry points: scheduled_pipeline, rerun, health, catch_up."
  }
}

variable "operator_members" {
  type        = list(string)
  description = "Principals allowed to call the functions by hand (e.g. \"group:nk-ops@example.com\"), for reruns and health checks."
  default     = []

  validation {
    condition     = alltrue([for m in var.operator_members : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "operator_members must name people, groups or service accounts, never allUsers or allAuthenticatedUsers."
  }
}

variable "monitor_members" {
  type        = list(string)
  description = "Principals allowed to call the health function only (uptime checks, dashboards): read-only, they cannot start a catch-up."
  default     = []

  validation {
    condition     = alltrue([for m in var.monitor_members : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "monitor_members must name people, groups or service accounts, never allUsers or allAuthenticatedUsers."
  }
}

variable "catch_up_callers" {
  type        = list(string)
  description = "E-mail addresses (users or service accounts, not groups: the function reads the caller's ID token) allowed to start a catch-up with health?catch_up=1. Empty: nobody, use the catch_up schedule or a rerun."
  default     = []

  validation {
    condition     = alltrue([for e in var.catch_up_callers : can(regex("^[^:@\\s]+@[^:@\\s]+$", e))])
    error_message = "catch_up_callers are plain e-mail addresses (no \"user:\" prefix, no group)."
  }
}

# --- scheduler and tasks ---------------------------------------------------------------------------

variable "scheduler_paused" {
  type        = bool
  description = "Create the nightly jobs paused (true on a fresh deploy until the first manual run succeeded)."
  default     = false
}

variable "intraday_hours" {
  type        = object({ start = number, end = number })
  description = "Store hours (whole hours, business time) of the 30-minute intraday refresh: runs from start:00 to (end-1):30."
  default     = { start = 8, end = 22 }
  validation {
    condition     = var.intraday_hours.start >= 0 && var.intraday_hours.end <= 24 && var.intraday_hours.start < var.intraday_hours.end && floor(var.intraday_hours.start) == var.intraday_hours.start && floor(var.intraday_hours.end) == var.intraday_hours.end
    error_message = "intraday_hours: whole hours with 0 <= start < end <= 24."
  }
}

variable "scheduler_retry_count" {
  type        = number
  description = "How many times Cloud Scheduler retries a nightly job that returned 5xx or timed out."
  default     = 3
}

variable "tasks_max_dispatches_per_second" {
  type        = number
  description = "Rate at which the rerun queue starts tasks (one task = one business day)."
  default     = 0.2
}

variable "tasks_max_concurrent_dispatches" {
  type        = number
  description = "Days of a range rerun processed at the same time (bounded so Odoo and TiDB are not overrun)."
  default     = 2
}

variable "tasks_max_attempts" {
  type        = number
  description = "Attempts per rerun task before it is dropped (a 4xx answer is retried too: keep this small)."
  default     = 5
}

# --- bigquery and monitoring -----------------------------------------------------------------------

variable "bigquery_location" {
  type        = string
  description = "Location of the BigQuery dataset; must match bucket_location."
  default     = "asia-southeast2"
}

variable "bigquery_dataset_id" {
  type        = string
  description = "Dataset holding the external tables over the star schema."
  default     = "nkpipe_lake"
}

variable "analyst_members" {
  type        = list(string)
  description = "Principals who may query the external tables (BigQuery data viewer + job user, and read on the lake bucket)."
  default     = []

  validation {
    condition     = alltrue([for m in var.analyst_members : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "analyst_members must not be allUsers or allAuthenticatedUsers."
  }
}

variable "alert_email" {
  type        = string
  description = "Email address that receives the alert on failed pipeline runs."

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an email address."
  }
}

variable "bigquery_external_tables" {
  type        = bool
  description = "Create the external tables (needs at least one partition of each table in the lake: false on the very first apply)."
  default     = true
}
