"""Offline checks of infra/terraform: it parses, is formatted, passes checkov, and agrees with the code.

No provider is downloaded (no `terraform init`): the checks read the HCL with python-hcl2 8 and
cross-check it against main.py and functions.pipeline.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import hcl2
import pytest
from hcl2 import SerializationOptions

REPO = Path(__file__).resolve().parents[1]
TF_DIR = REPO / "infra" / "terraform"
TF_FILES = sorted(TF_DIR.glob("*.tf"))
HCL_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
SECRET_ENV_NAMES = {
    "ODOO_API_KEY",
    "TIDB_PASSWORD",
    "SUPABASE_DB_URL",
    "SUPABASE_URL",
    "SUPABASE_SERVICE_KEY",
}


def load_hcl(path: Path) -> dict:
    with path.open() as handle:
        return hcl2.load(handle, serialization_options=HCL_OPTIONS)


@pytest.fixture(scope="module")
def config() -> dict[str, dict]:
    """file name -> parsed HCL."""
    return {path.name: load_hcl(path) for path in TF_FILES}


def blocks(config: dict[str, dict], kind: str) -> list[dict]:
    return [block for parsed in config.values() for block in parsed.get(kind, [])]


def resources(config: dict[str, dict], rtype: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for block in blocks(config, "resource"):
        for name, body in block.get(rtype, {}).items():
            found[name] = body
    return found


def locals_(config: dict[str, dict]) -> dict:
    merged: dict = {}
    for block in blocks(config, "locals"):
        merged.update(block)
    return merged


def variables(config: dict[str, dict]) -> dict[str, dict]:
    merged: dict = {}
    for block in blocks(config, "variable"):
        merged.update(block)
    return merged


def entry_points_of_main() -> set[str]:
    """Names of the functions in main.py decorated with functions_framework.http."""
    tree = ast.parse((REPO / "main.py").read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                text = ast.unparse(deco)
                if text in {"functions_framework.http", "http"}:
                    found.add(node.name)
    return found


def test_layout_has_a_file_per_concern():
    expected = {
        "versions.tf",
        "variables.tf",
        "outputs.tf",
        "locals.tf",
        "main.tf",
        "storage.tf",
        "functions.tf",
        "scheduler.tf",
        "tasks.tf",
        "secrets.tf",
        "iam.tf",
        "bigquery.tf",
        "monitoring.tf",
    }
    result = {path.name for path in TF_FILES}
    assert expected <= result, f"missing: {expected - result}"
    assert (TF_DIR / "terraform.tfvars.example").is_file()


@pytest.mark.parametrize("path", TF_FILES + [TF_DIR / "terraform.tfvars.example"], ids=lambda p: p.name)
def test_every_file_parses_with_python_hcl2(path):
    result = load_hcl(path)
    assert isinstance(result, dict) and result


def test_provider_versions_are_pinned_to_a_range(config):
    providers = {}
    for block in blocks(config, "terraform"):
        for required in block.get("required_providers", []):
            providers.update(required)
    assert set(providers) == {"google", "archive"}, "google-beta is not used"
    # the current major of the google provider (8.x), not two behind
    assert providers["google"]["version"] == ">= 8.0, < 9.0"
    for name, spec in providers.items():
        version = spec["version"]
        assert re.search(r">=\s*\d", version) and re.search(r"<\s*\d", version), (
            f"{name}: {version!r} is not a range"
        )


def test_every_variable_is_typed_and_described(config):
    for name, body in variables(config).items():
        assert body.get("type"), f"variable {name} has no type"
        assert str(body.get("description", "")).strip(), f"variable {name} has no description"


def test_every_output_is_described(config):
    outputs = {name: body for block in blocks(config, "output") for name, body in block.items()}
    assert outputs
    for name, body in outputs.items():
        assert str(body.get("description", "")).strip(), f"output {name} has no description"


def test_lake_bucket_is_private_versioned_and_expires_raw_and_old_versions(config):
    lake = resources(config, "google_storage_bucket")["lake"]
    assert lake["uniform_bucket_level_access"] is True
    assert lake["public_access_prevention"] == "enforced"
    assert lake["versioning"][0]["enabled"] is True
    rules = [(rule["condition"][0], rule["action"][0]) for rule in lake["lifecycle_rule"]]
    raw_rules = [c for c, a in rules if a["type"] == "Delete" and c.get("matches_prefix")]
    assert raw_rules == [{"age": "${var.raw_retention_days}", "matches_prefix": ["${var.lake_prefix}/raw/"]}]
    noncurrent = [c for c, a in rules if a["type"] == "Delete" and "days_since_noncurrent_time" in c]
    assert noncurrent[0]["days_since_noncurrent_time"] == "${var.noncurrent_version_retention_days}"
    assert variables(config)["raw_retention_days"]["default"] == 90


def test_every_entry_point_of_main_has_a_function_resource(config):
    entry_points = entry_points_of_main()
    assert entry_points == {"scheduled_pipeline", "rerun", "health", "catch_up"}
    function_table = locals_(config)["function_defaults"]
    assert set(function_table) == entry_points
    function = resources(config, "google_cloudfunctions2_function")["entry"]
    assert function["for_each"] == "${local.functions}"
    assert function["build_config"][0]["entry_point"] == "${each.key}"


def test_functions_are_gen2_python312_with_explicit_sizes_and_secret_references(config):
    function = resources(config, "google_cloudfunctions2_function")["entry"]
    assert function["build_config"][0]["runtime"] == "python312"
    for entry, spec in locals_(config)["function_defaults"].items():
        for field in ("memory", "timeout_s", "max_instances"):
            assert spec.get(field), f"{entry}: no explicit {field}"
        assert spec["timeout_s"] <= 3600
    service = function["service_config"][0]
    assert "google_service_account.health.email" in service["service_account_email"]
    assert "google_service_account.runtime.email" in service["service_account_email"]
    dynamic = {name: body for block in service["dynamic"] for name, body in block.items()}
    secret_block = dynamic["secret_environment_variables"]
    assert "local.function_secrets[each.key]" in secret_block["for_each"], "each function mounts only its secrets"
    content = secret_block["content"][0]
    assert set(content) == {"key", "project_id", "secret", "version"}, "secrets are references, never values"
    assert set(locals_(config)["secret_env"]) == SECRET_ENV_NAMES
    # Supabase's CA: a file from Secret Manager, only where the Supabase DSN is mounted, only when given
    volume = dynamic["secret_volumes"]
    assert "var.supabase_db_ca_secret_id" in volume["for_each"] and "SUPABASE_DB_URL" in volume["for_each"]


def test_least_privilege_bindings(config):
    """health: no secret, read on metadata/ only; analysts: star-schema/ only; builder: one repository;
    monitors: invoker on health only."""
    function_secrets = locals_(config)["function_secrets"]
    assert function_secrets["health"] == []
    assert set(function_secrets) == entry_points_of_main()
    secret_access = resources(config, "google_secret_manager_secret_iam_member")
    assert {body["member"] for body in secret_access.values()} == {"${google_service_account.runtime.member}"}

    bucket_bindings = resources(config, "google_storage_bucket_iam_member")
    for name, prefix in (("analysts_lake", "star-schema/"), ("health_metadata", "metadata/")):
        condition = bucket_bindings[name]["condition"][0]["expression"]
        assert f"/objects/${{local.lake_object_prefix}}{prefix}" in condition, name
        assert bucket_bindings[name]["role"] == "roles/storage.objectViewer"

    project_roles = [body["role"] for body in resources(config, "google_project_iam_member").values()]
    assert "roles/artifactregistry.writer" not in json.dumps(project_roles), "builder writes one repository only"
    repository_binding = resources(config, "google_artifact_registry_repository_iam_member")["builder"]
    assert repository_binding["repository"] == "${google_artifact_registry_repository.functions.name}"
    function = resources(config, "google_cloudfunctions2_function")["entry"]
    assert function["build_config"][0]["docker_repository"] == "${google_artifact_registry_repository.functions.id}"

    bindings = locals_(config)["invoker_bindings"]
    assert 'entry == "health"' in bindings and "var.monitor_members" in bindings


def test_plain_environment_carries_no_secret(config):
    runtime_env = locals_(config)["runtime_env"]
    # merge({...}, var.extra_env) parses as an expression string: check the names it lists.
    text = json.dumps(runtime_env)
    for name in SECRET_ENV_NAMES:
        assert not re.search(rf"\b{name}\b", text), f"{name} must come from Secret Manager"
    assert "DATA_LAKE_ROOT" in text and "BUSINESS_TZ" in text


def test_every_plain_environment_name_is_one_the_code_reads(config):
    from functions.cloud import tasks
    from shared.config import ENV_NAMES

    text = locals_(config)["runtime_env"]
    names = set(re.findall(r"\b([A-Z][A-Z0-9_]+)\s*=", text))
    from functions.cloud import handlers

    read_by_tasks = {
        name
        for module in (tasks, handlers)
        for name in re.findall(r"NKPIPE_[A-Z_]+", Path(module.__file__).read_text())
    }
    assert {"DATA_LAKE_ROOT", "ODOO_HOST", "TIDB_HOST", "NKPIPE_TASKS_QUEUE", "NKPIPE_RERUN_URL"} <= names
    unknown = {name for name in names if name not in ENV_NAMES and name not in read_by_tasks}
    assert unknown == set(), "environment names no code reads (typo?)"
    assert read_by_tasks - {"NKPIPE_TASKS_ENDPOINT"} <= names, "the functions need every queue setting"


def test_source_archive_is_built_from_the_allowlist(config):
    archive = [b["archive_file"]["source"] for b in blocks(config, "data") if "archive_file" in b][0]
    assert "source_dir" not in archive and "excludes" not in archive, "an allowlist, not the repo minus a list"
    assert archive["dynamic"][0]["source"]["for_each"] == "${local.source_files}"
    # The Python buildpack installs requirements.txt: the hashed lock, never `.` (unpinned).
    lines = [line for line in (REPO / "requirements.txt").read_text().splitlines() if line.strip()]
    assert "." not in lines and any("--hash=sha256:" in line for line in lines)


def test_gcloudignore_is_the_same_allowlist(config):
    locals_found = locals_(config)
    lines = [
        line.strip()
        for line in (REPO / ".gcloudignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "/*", "everything is ignored first, then the allowlist is taken back"
    taken_back = {line[2:].rstrip("/") for line in lines if line.startswith("!/")}
    assert taken_back == {pattern.removesuffix("/**") for pattern in locals_found["source_include"]}
    for directory in locals_found["source_exclude_dirs"]:
        assert directory.rstrip("/") + "/" in lines, directory
    for file in locals_found["source_exclude_files"]:
        assert f"/{file}" in lines, file
    for name in locals_found["source_exclude_names"]:
        assert f"*{name}" in lines or f"{name}*" in lines or name in lines, name


def test_source_archive_ships_only_what_the_functions_need(terraform, tmp_path):
    """The real `fileset` filter of locals.tf, evaluated offline over a tree with planted files."""
    tree = tmp_path / "repo"
    planted = {
        "main.py": "", "requirements.txt": "", "README.md": "", "pyproject.toml": "",
        "functions/cloud/http.py": "", "functions/kpi/migrations/supabase/001_tables.sql": "",
        "shared/config.py": "", "shared/odoo_sim/server.py": "", "functions/__pycache__/x.cpython-312.pyc": "",
        ".env": "", ".env.production": "", "functions/.env.local": "", "shared/tidb-ca.pem": "",
        "functions/deploy-key.json": "", "shared/credentials.json": "", "tests/test_x.py": "",
        "infra/terraform/terraform.tfstate": "", "data-lake/raw/x.parquet": "", "nkpipe-kpi.duckdb": "",
        "functions/demo.py": "", "functions/kpi/ops_data.py": "",
    }
    for name, text in planted.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    workdir = tree / "infra" / "terraform"
    applied = apply_locals(terraform, workdir)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    binary, env = terraform
    shown = subprocess.run([binary, "output", "-json"], cwd=workdir, capture_output=True, text=True, timeout=60, env=env)
    shipped = set(json.loads(shown.stdout)["source_files"]["value"])
    expected = {"main.py", "requirements.txt", "functions/cloud/http.py",
                "functions/kpi/migrations/supabase/001_tables.sql", "shared/config.py"}
    assert shipped == expected


def test_scheduler_jobs_target_known_functions_and_pipelines_in_order(config):
    from functions.pipeline import PIPELINES

    schedule = locals_(config)["schedule"]
    functions = locals_(config)["function_defaults"]
    times = {}
    for job, row in schedule.items():
        assert row["function"] in functions, f"{job}: unknown function {row['function']}"
        if row["function"] == "scheduled_pipeline":
            assert row["pipeline"] in PIPELINES, f"{job}: unknown pipeline {row['pipeline']}"
        else:
            assert row["pipeline"] is None
        if row["at"] is None:  # a job on its own cron (the intraday refresh)
            assert row["cron"] == "${local.intraday_cron}", f"{job}: a cron row must use local.intraday_cron"
            continue
        assert row["cron"] is None, f"{job}: give either at or cron"
        hour, minute = (int(part) for part in row["at"].split(":"))
        assert 0 <= hour < 24 and 0 <= minute < 60
        times[job] = (hour, minute)
    assert set(PIPELINES) <= {row["pipeline"] for row in schedule.values()}, "every pipeline is scheduled"
    expected_fixed = {
        "pos": (2, 0),
        "invoice-sales": (2, 5),
        "purchases": (2, 10),
        "inventory-moves": (2, 15),
        "profit": (2, 20),
    }
    assert {job: times[job] for job in expected_fixed} == expected_fixed
    assert times["dimensions"] < times["inventory-moves"]
    assert times["profit"] > max(times["pos"], times["invoice-sales"], times["purchases"])
    assert times["kpi"] > max(times["profit"], times["inventory-moves"], times["stock-quants"])
    assert schedule["intraday"]["pipeline"] == "intraday" and "intraday" not in times


def test_scheduler_jobs_use_oidc_deadline_retry_and_business_time_zone(config):
    job = resources(config, "google_cloud_scheduler_job")["nightly"]
    assert job["for_each"] == "${local.schedule}"
    assert job["time_zone"] == "${var.business_tz}"
    assert variables(config)["business_tz"]["default"] == "Asia/Jakarta"
    assert job["attempt_deadline"]
    assert job["retry_config"][0]["retry_count"]
    target = job["http_target"][0]
    assert target["oidc_token"][0]["service_account_email"] == "${google_service_account.invoker.email}"
    assert target["uri"] == "${google_cloudfunctions2_function.entry[each.value.function].url}"


def test_tasks_queue_has_rate_and_retry_limits(config):
    queue = resources(config, "google_cloud_tasks_queue")["rerun"]
    assert queue["rate_limits"][0]["max_concurrent_dispatches"] == "${var.tasks_max_concurrent_dispatches}"
    assert queue["rate_limits"][0]["max_dispatches_per_second"]
    assert queue["retry_config"][0]["max_attempts"] == "${var.tasks_max_attempts}"


def test_bigquery_external_tables_are_hive_partitioned_on_date(config):
    table = resources(config, "google_bigquery_table")["star"]
    external = table["external_data_configuration"][0]
    assert external["source_format"] == "PARQUET"
    hive = external["hive_partitioning_options"][0]
    assert hive["source_uri_prefix"].endswith("/{date:DATE}")
    star_tables = set(locals_(config)["star_tables"])
    assert {"fact_sales", "fact_invoice_sales", "fact_purchases", "agg_profit_daily"} <= star_tables


def test_failed_runs_raise_an_email_alert(config):
    metric = resources(config, "google_logging_metric")["failed_runs"]
    assert "severity>=ERROR" in metric["filter"]
    policy = resources(config, "google_monitoring_alert_policy")["failed_runs"]
    assert "failed_runs.name" in policy["conditions"][0]["condition_threshold"][0]["filter"]
    channel = resources(config, "google_monitoring_notification_channel")["email"]
    assert channel["labels"]["email_address"] == "${var.alert_email}"


def test_no_public_invoker_anywhere(config):
    members = []
    for block in blocks(config, "resource"):
        for rtype, named in block.items():
            for name, body in named.items():
                for key in ("member", "members"):
                    if key in body:
                        members.append((f"{rtype}.{name}", json.dumps(body[key])))
    assert members, "no IAM binding found at all"
    for where, member in members:
        assert "allUsers" not in member and "allAuthenticatedUsers" not in member, where
    # The only mentions of allUsers are comments and the validations that refuse it.
    for path in TF_FILES + [TF_DIR / "terraform.tfvars.example"]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.strip()
            if "allUsers" in code and not code.startswith(("#", "error_message")):
                assert code.startswith("condition") and "!contains([" in code, f"{path.name}:{number}: {code}"


SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # a JWT (Supabase keys are JWTs)
    re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@\"']+:[^\s/@\"']+@"),  # user:password@ in a URL
    re.compile(r"(?i)\b(password|api_key|service_key|secret_data|token)\s*=\s*\"[^\"$]+\""),
    re.compile(r"\bAIza[0-9A-Za-z_-]{20,}"),  # a Google API key
]


@pytest.mark.parametrize("path", TF_FILES + [TF_DIR / "terraform.tfvars.example"], ids=lambda p: p.name)
def test_no_secret_value_in_terraform_files(path):
    text = path.read_text()
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(text), f"{path.name}: looks like a secret value ({pattern.pattern})"
    assert "google_secret_manager_secret_version" not in text, "secret values are added out of band"


def test_secret_detector_catches_a_planted_value():
    planted = (
        'supabase = "postgresql://postgres:hunter2@db.example.supabase.co:5432/postgres"\npassword = "x1"\n'
    )
    assert sum(bool(p.search(planted)) for p in SECRET_PATTERNS) == 2


@pytest.fixture(scope="module")
def terraform(tmp_path_factory) -> tuple[str, dict[str, str]]:
    """The terraform binary and an environment that never calls home (no checkpoint, no CLI config)."""
    binary = shutil.which("terraform")
    assert binary, "terraform (>= 1.5) must be on PATH"
    cli_config = tmp_path_factory.mktemp("tfcli") / "terraformrc"
    cli_config.write_text("")
    env = {
        **os.environ,
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_CLI_CONFIG_FILE": str(cli_config),
    }
    return binary, env


def test_terraform_fmt_is_clean(terraform):
    binary, env = terraform
    result = subprocess.run(
        [binary, "fmt", "-check", "-recursive", "-diff", str(TF_DIR)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


OUTPUTS_OF_LOCALS = """
output "crons" {
  value = local.schedule_crons
}
output "functions" { value = local.functions }
output "function_urls" { value = local.function_urls }
output "lake_root" { value = local.lake_root }
output "queue_path" { value = local.queue_path }
output "secret_env" { value = local.secret_env }
output "source_files" { value = local.source_files }
"""


def apply_locals(terraform, workdir: Path, *extra_args: str) -> subprocess.CompletedProcess:
    """variables.tf + locals.tf + the tfvars example, applied with no provider at all (offline)."""
    binary, env = terraform
    for name in ("variables.tf", "locals.tf"):
        shutil.copy(TF_DIR / name, workdir / name)
    shutil.copy(TF_DIR / "terraform.tfvars.example", workdir / "terraform.tfvars")
    (workdir / "outputs.tf").write_text(OUTPUTS_OF_LOCALS)
    run = {"cwd": workdir, "capture_output": True, "text": True, "timeout": 120, "env": env}
    init = subprocess.run([binary, "init", "-input=false", "-no-color"], **run)
    assert init.returncode == 0, init.stdout + init.stderr
    return subprocess.run([binary, "apply", "-auto-approve", "-input=false", "-no-color", *extra_args], **run)


def test_variables_and_locals_evaluate_with_the_example_values(terraform, tmp_path):
    applied = apply_locals(terraform, tmp_path, "-var", 'function_sizes={"health": {"memory": "1Gi"}}')
    assert applied.returncode == 0, applied.stdout + applied.stderr
    binary, env = terraform
    shown = subprocess.run(
        [binary, "output", "-json"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env
    )
    outputs = {name: item["value"] for name, item in json.loads(shown.stdout).items()}

    assert outputs["crons"] == {
        "pos": "0 2 * * *",
        "invoice-sales": "5 2 * * *",
        "purchases": "10 2 * * *",
        "dimensions": "12 2 * * *",
        "inventory-moves": "15 2 * * *",
        "profit": "20 2 * * *",
        "stock-quants": "25 2 * * *",
        "kpi": "40 2 * * *",
        "catch-up": "30 4 * * *",
        "intraday": "*/30 8-21 * * *",  # every 30 minutes, 08:00 to 21:30 Asia/Jakarta
    }
    assert outputs["functions"]["health"]["memory"] == "1Gi"  # the override
    assert outputs["functions"]["health"]["timeout_s"] == 60  # the rest of the defaults kept
    assert outputs["functions"]["rerun"]["memory"] == "2Gi"
    assert (
        outputs["function_urls"]["rerun"]
        == "https://asia-southeast2-nk-data-prod.cloudfunctions.net/nkpipe-rerun"
    )
    assert outputs["lake_root"] == "gs://nk-data-prod-nkpipe-lake/lake"
    assert outputs["queue_path"] == "projects/nk-data-prod/locations/asia-southeast2/queues/nkpipe-rerun"
    assert set(outputs["secret_env"]) == SECRET_ENV_NAMES


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ('operator_members=["allUsers"]', "never allUsers"),
        ("raw_retention_days=3", "raw_retention_days must be at least 7"),
        ('extra_env={"TIDB_PASSWORD": "x"}', "extra_env must not carry secrets"),
        ('odoo={"host": "h", "db": "d", "username": "u", "protocol": "xmlrpc"}', "odoo.protocol"),
        ('intraday_hours={"start": 22, "end": 8}', "0 <= start < end <= 24"),
    ],
)
def test_variable_validations_refuse_bad_values(terraform, tmp_path, override, message):
    applied = apply_locals(terraform, tmp_path, "-var", override)
    assert applied.returncode != 0
    assert message in " ".join((applied.stdout + applied.stderr).split())


@pytest.fixture(scope="module")
def checkov() -> str:
    """checkov from its own virtualenv (installed once per machine by install-checkov.sh)."""
    result = subprocess.run(
        ["bash", str(TF_DIR / "install-checkov.sh")], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_checkov_reports_no_failed_check_and_every_skip_has_a_reason(checkov):
    result = subprocess.run(
        [
            checkov,
            "-d",
            str(TF_DIR),
            "--framework",
            "terraform",
            "--skip-download",
            "--output",
            "json",
            "--quiet",
            "--compact",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']})"
        for rep in reports
        for check in rep.get("results", {}).get("failed_checks", [])
    ]
    assert failed == []
    passed = sum(rep.get("summary", {}).get("passed", 0) for rep in reports)
    assert passed >= 20, "checkov scanned next to nothing: is the directory right?"
    skip_pattern = re.compile(r"#\s*checkov:skip=(CKV_[A-Z0-9_]+)(:?)(.*)")
    for path in TF_FILES:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = skip_pattern.search(line)
            if match:
                assert match.group(2) == ":" and len(match.group(3).strip()) > 10, (
                    f"{path.name}:{number}: skip of {match.group(1)} without a reason"
                )


def test_the_deployed_source_leaves_the_demo_out_and_every_entry_point_still_imports(config, tmp_path):
    """The files the archive would hold (the allowlist of locals.tf, as its fileset filter reads it),
    imported on their own: the entry points and every stage load without the demo."""
    found = locals_(config)
    assert {"functions/demo.py", "functions/kpi/ops_data.py"} <= set(found["source_exclude_files"])
    assert "shared/odoo_sim/" in found["source_exclude_dirs"]

    def shipped(relative: str) -> bool:
        included = any(fnmatch.fnmatch(relative, pattern) for pattern in found["source_include"])
        return (
            included
            and not any(directory in relative for directory in found["source_exclude_dirs"])
            and relative not in found["source_exclude_files"]
            and not any(
                relative.endswith(name) or Path(relative).name.startswith(name)
                for name in found["source_exclude_names"]
            )
        )

    bundle = tmp_path / "bundle"
    for top in ("main.py", "requirements.txt", "functions", "shared"):
        paths = [REPO / top] if (REPO / top).is_file() else sorted((REPO / top).rglob("*"))
        for path in paths:
            relative = path.relative_to(REPO).as_posix()
            if path.is_file() and shipped(relative):
                (bundle / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, bundle / relative)
    assert (bundle / "main.py").is_file() and (bundle / "functions" / "pipeline.py").is_file()
    assert not (bundle / "shared" / "odoo_sim").exists()
    assert not (bundle / "functions" / "kpi" / "ops_data.py").exists()
    assert not (bundle / "functions" / "demo.py").exists()

    code = (
        "import sys, main\n"
        "import functions.pipeline, functions.catchup, functions.datasets, functions.health, functions.kpi.stage\n"
        "from shared.config import Settings\n"
        "from shared.errors import ConfigError\n"
        "from shared.odoo import connect\n"
        "try:\n"
        "    connect(Settings(odoo_host='simulator'))\n"
        "except ConfigError as exc:\n"
        "    print(exc)\n"
        "demo = sorted(m for m in sys.modules if 'odoo_sim' in m or 'ops_data' in m)\n"
        "print(demo)\n"
    )
    # -S: without site's .pth files, so the editable install of this checkout cannot fill in what the
    # archive lacks; the installed dependencies come from site-packages on PYTHONPATH.
    environment = {**os.environ, "PYTHONPATH": f"{bundle}{os.pathsep}{sysconfig.get_paths()['purelib']}"}
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=bundle, capture_output=True, text=True, env=environment
    )
    assert result.returncode == 0, result.stderr
    expected = [
        "ODOO_HOST=simulator: the Odoo simulator is not part of this deployment (nkpipe demo and tests only)",
        "[]",
    ]
    assert result.stdout.splitlines() == expected
