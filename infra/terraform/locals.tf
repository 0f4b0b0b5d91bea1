# Only variables and other locals in this file: tests/test_terraform.py evaluates it offline
# (terraform apply without any provider) against terraform.tfvars.example.
locals {
  # The nightly schedule: ONE table, in business time (var.business_tz, Asia/Jakarta by default).
  # Order matters: profit needs pos, invoice-sales and purchases; dimensions run before
  # inventory-moves; stock-quants is a snapshot; kpi (+ mirror) reads profit's aggregates.
  # `pipeline` is a key of functions.pipeline.PIPELINES; tests/test_terraform.py checks both columns.
  schedule = {
    pos             = { at = "02:00", cron = null, function = "scheduled_pipeline", pipeline = "pos" }
    invoice-sales   = { at = "02:05", cron = null, function = "scheduled_pipeline", pipeline = "invoice-sales" }
    purchases       = { at = "02:10", cron = null, function = "scheduled_pipeline", pipeline = "purchases" }
    dimensions      = { at = "02:12", cron = null, function = "scheduled_pipeline", pipeline = "dimensions" }
    inventory-moves = { at = "02:15", cron = null, function = "scheduled_pipeline", pipeline = "inventory-moves" }
    profit          = { at = "02:20", cron = null, function = "scheduled_pipeline", pipeline = "profit" }
    stock-quants    = { at = "02:25", cron = null, function = "scheduled_pipeline", pipeline = "stock-quants" }
    kpi             = { at = "02:40", cron = null, function = "scheduled_pipeline", pipeline = "kpi" }
    # Safety net: reruns every stage of any day in the look-back window that is missing or failed.
    catch-up = { at = "04:30", cron = null, function = "catch_up", pipeline = null }
    # Today so far, provisional until the nightly run: every 30 minutes in store hours
    # (var.intraday_hours, 08:00-22:00 by default: runs at 08:00, 08:30, ..., 21:30).
    intraday = { at = null, cron = local.intraday_cron, function = "scheduled_pipeline", pipeline = "intraday" }
  }
  intraday_cron = "*/30 ${var.intraday_hours.start}-${var.intraday_hours.end - 1} * * *"
  # The cron of every job: a daily "HH:MM" as minute hour, or the row's own cron.
  schedule_crons = {
    for job, row in local.schedule : job => row.cron != null ? row.cron : format(
      "%d %d * * *", tonumber(split(":", row.at)[1]), tonumber(split(":", row.at)[0])
    )
  }

  # One Cloud Function per entry point of main.py (keys are the entry point names).
  function_defaults = {
    scheduled_pipeline = {
      description   = "Runs one nightly pipeline for yesterday (or a given date), or the intraday refresh of today."
      memory        = "2Gi"
      cpu           = "1"
      timeout_s     = 1800
      max_instances = 4
      concurrency   = 1
      ingress       = "ALLOW_INTERNAL_ONLY" # only Cloud Scheduler calls it
    }
    rerun = {
      description   = "Reruns a date inline, or fans a range out as one Cloud Task per date."
      memory        = "2Gi"
      cpu           = "1"
      timeout_s     = 1800
      max_instances = 3
      concurrency   = 1
      ingress       = "ALLOW_ALL" # operators call it from their machines; Cloud Tasks too
    }
    health = {
      description   = "Freshness of every dataset and KPI table; 503 when behind."
      memory        = "512Mi"
      cpu           = "1"
      timeout_s     = 60
      max_instances = 2
      concurrency   = 4
      ingress       = "ALLOW_ALL" # operators and outside monitors call it
    }
    catch_up = {
      description   = "Reruns the days that are missing or failed within the look-back window."
      memory        = "2Gi"
      cpu           = "1"
      timeout_s     = 1800
      max_instances = 1
      concurrency   = 1
      ingress       = "ALLOW_INTERNAL_ONLY" # Cloud Scheduler, and Cloud Tasks from health?catch_up=1
    }
  }
  functions = {
    for entry, spec in local.function_defaults : entry => merge(
      spec, { for field, value in try(var.function_sizes[entry], {}) : field => value if value != null }
    )
  }
  function_names = { for entry in keys(local.functions) : entry => "${var.name_prefix}-${replace(entry, "_", "-")}" }

  # The cloudfunctions.net address is known before the function exists, which breaks the cycle
  # "rerun must know its own URL to enqueue tasks to itself".
  function_urls = {
    for entry, name in local.function_names : entry => "https://${var.region}-${var.project_id}.cloudfunctions.net/${name}"
  }

  lake_bucket_name = var.lake_bucket_name != "" ? var.lake_bucket_name : "${var.project_id}-${var.name_prefix}-lake"
  lake_root        = "gs://${local.lake_bucket_name}/${var.lake_prefix}"
  # Object names of the lake start with this (lake_prefix has no leading or trailing slash).
  lake_object_prefix = "${var.lake_prefix}/"

  queue_name = "${var.name_prefix}-rerun"
  queue_path = "projects/${var.project_id}/locations/${var.region}/queues/${local.queue_name}"

  # env name -> secret id (Secret Manager), mounted as environment variables at the latest version.
  secret_env = {
    ODOO_API_KEY         = var.secret_ids.odoo_api_key
    TIDB_PASSWORD        = var.secret_ids.tidb_password
    SUPABASE_DB_URL      = var.secret_ids.supabase_db_url
    SUPABASE_URL         = var.secret_ids.supabase_url
    SUPABASE_SERVICE_KEY = var.secret_ids.supabase_service_key
  }

  # Star-schema tables exposed in BigQuery (partitioned as <table>/date=YYYY-MM-DD/part-0.parquet).
  star_tables = [
    "fact_sales",
    "fact_pos_payments",
    "fact_invoice_sales",
    "fact_purchases",
    "fact_inventory_moves",
    "fact_stock_quants",
    "fact_pos_cash_rounding",
    "fact_invoice_cash_rounding",
    "fact_purchase_cash_rounding",
    "fact_product_cost_events",
    "fact_product_cost_latest_daily",
    "fact_sales_lines_profit",
    "agg_profit_daily",
    "agg_profit_daily_by_product",
    "agg_profit_hourly",
  ]

  # Which secrets each function mounts (names of secret_env). health reads run records only.
  function_secrets = {
    scheduled_pipeline = keys(local.secret_env)
    rerun              = keys(local.secret_env)
    catch_up           = keys(local.secret_env)
    health             = []
  }

  # The function source archive is an allowlist (as .gcloudignore at the repository root): the entry
  # points, the hashed dependency lock and the two packages, without the demo (the Odoo simulator, which
  # the cloud refuses anyway, `nkpipe demo` and the ops demo generator: installed for the demo and the
  # tests, never deployed), caches, or any .env*, key or certificate file that may lie in the tree.
  source_include       = ["main.py", "requirements.txt", "functions/**", "shared/**"]
  source_exclude_dirs  = ["__pycache__", "shared/odoo_sim/"]
  source_exclude_files = ["functions/demo.py", "functions/kpi/ops_data.py"]
  source_exclude_names = [".env", ".pyc", ".pem", ".key", ".p12", ".crt", "-key.json", "credentials.json"]
  source_root          = "${path.module}/../.."
  supabase_ca_dir      = "/etc/nkpipe/supabase-db-ca"
  source_files = toset([
    for f in flatten([for pattern in local.source_include : tolist(fileset(local.source_root, pattern))]) : f
    if alltrue([for dir in local.source_exclude_dirs : !strcontains(f, dir)])
    && !contains(local.source_exclude_files, f)
    && alltrue([for name in local.source_exclude_names : !endswith(f, name) && !startswith(basename(f), name)])
  ])
}
