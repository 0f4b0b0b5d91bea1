"""functions.kpi.store: TLS to TiDB by setting (TIDB_SSL), checked against the real MariaDB, which
listens without TLS: `require`/`verify` must refuse it, `off` must connect."""

from __future__ import annotations

import ssl

import pytest

from functions.kpi.store import open_store, tls_options
from shared.config import load_settings
from shared.errors import ConfigError, NkpipeError


def test_tls_options_follow_the_setting():
    assert tls_options("off", "db.internal") == {"ssl_disabled": True}
    assert tls_options("auto", "db.internal") == {"ssl_disabled": True}
    verify = {"ssl_verify_cert": True, "ssl_verify_identity": True}
    assert tls_options("auto", "gateway01.ap-southeast-1.prod.aws.tidbcloud.com") == verify
    assert (
        tls_options("auto", "db.internal", in_cloud=True) == verify
    )  # the cloud never goes plain by default
    assert tls_options("verify", "db.internal", ca="/etc/tidb-ca.pem") == {
        **verify,
        "ssl_ca": "/etc/tidb-ca.pem",
    }
    context = tls_options("require", "db.internal")["ssl"]
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_NONE
    with pytest.raises(ConfigError, match="TIDB_SSL"):
        tls_options("prefer", "db.internal")


def _settings(db: dict, mode: str):
    return load_settings(
        {
            "TIDB_HOST": db["host"],
            "TIDB_PORT": str(db["port"]),
            "TIDB_USER": db["user"],
            "TIDB_PASSWORD": db["password"] or "",
            "TIDB_DATABASE": db["database"],
            "TIDB_SSL": mode,
        },
        env_file=None,
    )


@pytest.mark.parametrize("mode", ["require", "verify"])
def test_tidb_ssl_refuses_a_server_without_tls(mysql_database, mode):
    with pytest.raises(NkpipeError, match="SSL"):
        open_store(_settings(mysql_database, mode))


def test_tidb_ssl_off_connects_in_plain_text(mysql_database):
    with open_store(_settings(mysql_database, "off")) as store:
        assert store.query("SELECT 1")[0][0] == 1
