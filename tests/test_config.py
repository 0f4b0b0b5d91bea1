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
