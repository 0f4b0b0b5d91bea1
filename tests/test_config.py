from __future__ import annotations

import pytest

from shared.config import ENV_NAMES, Secret, load_settings, require_odoo
from shared.errors import ConfigError

CONTRACT_NAMES = (
    "ODOO_HOST ODOO_PORT ODOO_PROTOCOL ODOO_DB ODOO_USERNAME ODOO_API_KEY DATA_LAKE_ROOT BUSINESS_TZ TIDB_HOST "
    "TIDB_PORT TIDB_USER TIDB_PASSWORD TIDB_DATABASE SUPABASE_DB_URL SUPABASE_URL SUPABASE_SERVICE_KEY NK_ORG_ID"
).split()


def test_contract_env_names_are_all_read():
    assert set(CONTRACT_NAMES) <= set(ENV_NAMES)


def test_defaults_with_empty_environment():
    result = load_settings({}, env_file=None)
    assert result.data_lake_root == "./data-lake"
    assert result.business_tz == "Asia/Jakarta"
    assert result.odoo_host is None and result.tidb_host is None
    assert result.tax_multipliers == {5: 1.0, 2: 1.0, 7: 1.11, 6: 1.11}
    assert result.nk_org_id == 1 and result.in_cloud is False


def test_values_are_typed():
    result = load_settings(
        {"ODOO_PORT": "443", "ODOO_PROTOCOL": "jsonrpc+ssl", "NK_ORG_ID": "7", "TAX_MULTIPLIERS": "7:1.12,9:1.0"},
        env_file=None,
    )
    assert (result.odoo_port, result.odoo_protocol, result.nk_org_id) == (443, "jsonrpc+ssl", 7)
    assert result.tax_multipliers == {7: 1.12, 9: 1.0}
    assert load_settings({"TAX_MULTIPLIERS": '{"6": 1.11}'}, env_file=None).tax_multipliers == {6: 1.11}


def test_every_problem_is_named_at_once():
    with pytest.raises(ConfigError) as err:
        load_settings({"ODOO_PORT": "x", "BUSINESS_TZ": "Mars/Base", "NK_ORG_ID": "-1", "ODOO_API": "soap"}, env_file=None)
    message = str(err.value)
    for name in ("ODOO_PORT", "BUSINESS_TZ", "NK_ORG_ID", "ODOO_API"):
        assert name in message


def test_secrets_never_show():
    settings = load_settings(
        {"ODOO_API_KEY": "k-very-secret", "TIDB_PASSWORD": "p-very-secret", "SUPABASE_DB_URL": "postgresql://u:pw-very-secret@h/db"},
        env_file=None,
    )
    text = repr(settings) + str(settings)
    assert "very-secret" not in text
    assert settings.odoo_api_key.reveal() == "k-very-secret"
    assert repr(Secret("x")) == "Secret('***')"


def test_malformed_secret_value_is_not_echoed():
    with pytest.raises(ConfigError) as err:
        load_settings({"TAX_MULTIPLIERS": "7:abc"}, env_file=None)
    assert "TAX_MULTIPLIERS" in str(err.value)


def test_env_file_is_read_and_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nexport ODOO_DB=from_file\nODOO_USERNAME='file-user'\nNK_ORG_ID=3\n")
    result = load_settings({"NK_ORG_ID": "5"}, env_file=env_file)
    assert (result.odoo_db, result.odoo_username, result.nk_org_id) == ("from_file", "file-user", 5)


def test_settings_are_frozen():
    settings = load_settings({}, env_file=None)
    with pytest.raises(AttributeError):
        settings.odoo_host = "x"  # type: ignore[misc]
    assert settings.replace(odoo_host="h").odoo_host == "h"


def test_cloud_runtime_requires_real_backends():
    with pytest.raises(ConfigError, match="DATA_LAKE_ROOT.*TIDB_HOST.*SUPABASE"):
        load_settings({"K_SERVICE": "nkpipe-rerun"}, env_file=None)
    ok = load_settings(
        {"K_SERVICE": "svc", "DATA_LAKE_ROOT": "gs://b/p", "TIDB_HOST": "tidb", "SUPABASE_DB_URL": "postgresql://x"},
        env_file=None,
    )
    assert ok.in_cloud


def test_odoo_is_required_only_when_used_and_simulator_only_when_asked():
    with pytest.raises(ConfigError, match="ODOO_HOST is not set"):
        require_odoo(load_settings({}, env_file=None))
    with pytest.raises(ConfigError, match="ODOO_DB, ODOO_USERNAME, ODOO_API_KEY"):
        require_odoo(load_settings({"ODOO_HOST": "odoo.example"}, env_file=None))
    require_odoo(load_settings({"ODOO_HOST": "simulator"}, env_file=None))


def test_embedded_kpi_store_lives_in_a_local_lake_folder():
    assert load_settings({"DATA_LAKE_ROOT": "/srv/lake"}, env_file=None).kpi_duckdb_path == "/srv/lake/embedded-kpi.duckdb"
    assert load_settings({}, env_file=None).kpi_duckdb_path == "data-lake/embedded-kpi.duckdb"
    assert load_settings({"DATA_LAKE_ROOT": "gs://b/p"}, env_file=None).kpi_duckdb_path == "./nkpipe-kpi.duckdb"
    explicit = {"DATA_LAKE_ROOT": "/srv/lake", "KPI_DUCKDB_PATH": "/var/kpi.duckdb"}
    assert load_settings(explicit, env_file=None).kpi_duckdb_path == "/var/kpi.duckdb"


CLOUD = {"K_SERVICE": "svc", "DATA_LAKE_ROOT": "gs://b/p", "TIDB_HOST": "tidb", "SUPABASE_DB_URL": "postgresql://x"}


def test_cloud_runtime_refuses_the_simulator():
    with pytest.raises(ConfigError, match="ODOO_HOST=simulator is refused in the cloud runtime"):
        load_settings({**CLOUD, "ODOO_HOST": "simulator"}, env_file=None)
    # a Settings made by hand (not through load_settings) is refused where Odoo is connected
    with pytest.raises(ConfigError, match="simulator is refused"):
        require_odoo(load_settings({"ODOO_HOST": "simulator"}, env_file=None).replace(in_cloud=True))


def test_cloud_runtime_refuses_a_local_lake_root():
    with pytest.raises(ConfigError, match="DATA_LAKE_ROOT"):
        load_settings({**CLOUD, "DATA_LAKE_ROOT": "/srv/lake"}, env_file=None)


ODOO = {"ODOO_DB": "nk", "ODOO_USERNAME": "etl", "ODOO_API_KEY": "k" * 40}


@pytest.mark.parametrize(
    ("odoo", "refused"),
    [
        ({"ODOO_HOST": "http://odoo.example"}, True),
        ({"ODOO_HOST": "odoo.example", "ODOO_PROTOCOL": "jsonrpc"}, True),
        ({"ODOO_HOST": "http://odoo.example", "ODOO_ALLOW_HTTP": "1"}, False),
        ({"ODOO_HOST": "https://odoo.example"}, False),
        ({"ODOO_HOST": "odoo.example", "ODOO_PROTOCOL": "jsonrpc+ssl"}, False),
    ],
)
def test_cloud_runtime_talks_to_odoo_over_https_unless_allowed(odoo, refused):
    env = {**CLOUD, **ODOO, **odoo}
    if refused:
        with pytest.raises(ConfigError, match="plain HTTP refused in the cloud runtime: Odoo"):
            load_settings(env, env_file=None)
    else:
        assert load_settings(env, env_file=None).odoo_host == odoo["ODOO_HOST"]
    # outside the cloud plain HTTP stays possible (the simulator, a local Odoo)
    local = {k: v for k, v in env.items() if k not in CLOUD}
    assert load_settings(local, env_file=None).odoo_host == odoo["ODOO_HOST"]


def test_cloud_runtime_refuses_a_plain_http_supabase_url():
    env = {**CLOUD, "SUPABASE_URL": "http://proj.supabase.co", "SUPABASE_SERVICE_KEY": "x" * 20}
    with pytest.raises(ConfigError, match="SUPABASE_URL"):
        load_settings(env, env_file=None)


def test_cloud_runtime_checks_the_supabase_certificate_by_default():
    from psycopg.conninfo import conninfo_to_dict

    dsn = load_settings(CLOUD, env_file=None).supabase_db_url.reveal()
    assert conninfo_to_dict(dsn) == {"host": "x", "sslmode": "verify-full", "sslrootcert": "system"}
    with_ca = load_settings({**CLOUD, "SUPABASE_DB_CA": "/secrets/supabase-ca.crt"}, env_file=None)
    assert conninfo_to_dict(with_ca.supabase_db_url.reveal())["sslrootcert"] == "/secrets/supabase-ca.crt"
    # an sslmode in the DSN is the operator's explicit choice
    explicit = load_settings({**CLOUD, "SUPABASE_DB_URL": "postgresql://x/db?sslmode=require"}, env_file=None)
    assert explicit.supabase_db_url.reveal() == "postgresql://x/db?sslmode=require"
    # outside the cloud libpq's own default stays (the local PostgreSQL has no certificate)
    assert load_settings({"SUPABASE_DB_URL": "postgresql://x"}, env_file=None).supabase_db_url.reveal() == "postgresql://x"


def test_tidb_ssl_is_a_setting():
    assert load_settings({}, env_file=None).tidb_ssl == "auto"
    settings = load_settings({"TIDB_SSL": "verify", "TIDB_SSL_CA": "/etc/ca.pem"}, env_file=None)
    assert (settings.tidb_ssl, settings.tidb_ssl_ca) == ("verify", "/etc/ca.pem")
    with pytest.raises(ConfigError, match="TIDB_SSL: must be one of auto, off, require, verify"):
        load_settings({"TIDB_SSL": "prefer"}, env_file=None)


def test_health_in_the_cloud_needs_no_backend_secret():
    with pytest.raises(ConfigError, match="TIDB_HOST"):
        load_settings({"K_SERVICE": "nkpipe-health", "DATA_LAKE_ROOT": "gs://b/p"}, env_file=None)
    health = load_settings({"K_SERVICE": "nkpipe-health", "DATA_LAKE_ROOT": "gs://b/p"}, env_file=None, backends=False)
    assert health.in_cloud and health.supabase_db_url is None
    with pytest.raises(ConfigError, match="DATA_LAKE_ROOT"):
        load_settings({"K_SERVICE": "nkpipe-health"}, env_file=None, backends=False)


def test_queue_and_catch_up_callers_are_settings():
    result = load_settings(
        {
            "NKPIPE_TASKS_QUEUE": " projects/p/locations/l/queues/q ",
            "NKPIPE_RERUN_URL": "https://rerun.example",
            "NKPIPE_CATCH_UP_CALLERS": "Ops@NK.example, ,ani@nk.example",
        },
        env_file=None,
    )
    assert result.tasks_queue == "projects/p/locations/l/queues/q"
    assert result.rerun_url == "https://rerun.example" and result.catch_up_url is None
    assert result.catch_up_callers == frozenset({"ops@nk.example", "ani@nk.example"})


def test_only_settings_the_clock_and_the_documented_exceptions_read_the_environment():
    """docs/architecture.md "Environment": the clock, the code version, the operator's name and the
    object-store clients' own conventions are the exceptions; every other value comes through Settings."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sources = [*root.joinpath("functions").rglob("*.py"), *root.joinpath("shared").rglob("*.py"), root / "main.py"]
    reading = {
        p.relative_to(root).as_posix()
        for p in sources
        if "odoo_sim" not in p.parts and re.search(r"os\.environ|getenv\(", p.read_text())
    }
    assert reading == {
        "shared/config.py", "shared/clock.py", "shared/metadata.py", "shared/stores.py", "functions/recovery.py"
    }
