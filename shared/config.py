"""Settings: one typed, frozen object read from the environment and an optional `.env` file.

Every problem is collected and reported at once in one ConfigError; secrets are wrapped in `Secret`
so they never show in a repr, a log line or an error message.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import ConfigError

DEFAULT_TAX_MULTIPLIERS: dict[int, float] = {5: 1.0, 2: 1.0, 7: 1.11, 6: 1.11}


class Secret:
    """A value that must not be printed. `reveal()` is the only way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        from shared.redact import register_secret

        self._value = value
        register_secret(value)  # masked in every error, log line, record and answer from now on

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Settings:
    # Odoo
    odoo_host: str | None = None
    odoo_port: int = 8069
    odoo_protocol: str = "jsonrpc"
    odoo_db: str | None = None
    odoo_username: str | None = None
    odoo_api_key: Secret | None = None
    odoo_api: str = "auto"
    odoo_batch_size: int = 1000
    odoo_concurrency: int = 4
    odoo_timeout: float = 120.0
    odoo_max_retries: int = 5
    # The retailer's cost field on account.move.line; None: detect actual_price, x_actual_price, then
    # a single x_studio_...actual_price... field (functions/extract/purchases.py).
    odoo_cost_field: str | None = None
    # How far back every write_date cursor looks: Odoo stamps write_date with the transaction's start,
    # so a change committed late (import, cron, closing a POS session) carries an older stamp.
    odoo_write_overlap_s: int = 600
    # The one company to extract when the API user may see several (None: the user must see one only).
    odoo_company_id: int | None = None
    odoo_allow_http: bool = False  # plain HTTP to Odoo inside the cloud runtime (the key travels in it)
    # Lake and dates
    data_lake_root: str = "./data-lake"
    business_tz: str = "Asia/Jakarta"
    max_range_days: int = 366
    catchup_lookback_days: int = 7
    # `nkpipe kpi rollback` over more days than this needs --allow-long-range as well as --yes
    kpi_rollback_max_days: int = 7
    dimensions_full_refresh: bool = False  # fetch every dimension record, not only those written since
    local_versions_days: int = 7
    # KPI store (TiDB, or the embedded DuckDB file when tidb_host is unset)
    tidb_host: str | None = None
    tidb_port: int = 4000
    tidb_user: str | None = None
    tidb_password: Secret | None = None
    tidb_database: str = "nkpipe"
    tidb_ssl: str = "auto"  # off | require | verify; auto = verify in the cloud and for *.tidbcloud.com
    tidb_ssl_ca: str | None = None  # CA bundle for verify (default: the system's)
    kpi_duckdb_path: str = "./nkpipe-kpi.duckdb"
    # Supabase mirror
    supabase_db_url: Secret | None = None
    supabase_db_ca: str | None = None  # root CA for sslmode=verify-full in the cloud (default: system)
    supabase_url: str | None = None
    supabase_service_key: Secret | None = None
    nk_org_id: int = 1
    # Profit
    tax_multipliers: dict[int, float] = field(default_factory=lambda: dict(DEFAULT_TAX_MULTIPLIERS))
    # Sheets
    sheets_spreadsheet_id: str | None = None
    # Cloud Tasks fan-out (functions/cloud/tasks.py checks the queue path when it is used)
    tasks_queue: str | None = None
    tasks_service_account: str | None = None
    rerun_url: str | None = None
    catch_up_url: str | None = None
    tasks_endpoint: str | None = None
    catch_up_callers: frozenset[str] = frozenset()  # e-mails (lower case) allowed to ask health?catch_up=1
    # Runtime
    in_cloud: bool = False
    # The Google Cloud project (set by Terraform): the Status ETL tab links each Run ID to its logs there
    gcp_project: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.business_tz)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed (Settings itself never changes)."""
        from dataclasses import replace

        return replace(self, **changes)


def _parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("must be an integer") from None


def _parse_positive_int(text: str) -> int:
    value = _parse_int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _parse_non_negative_int(text: str) -> int:
    value = _parse_int(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _parse_float(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError("must be a number") from None
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _parse_str(text: str) -> str | None:
    text = text.strip()
    return text or None


def _parse_secret(text: str) -> Secret | None:
    return Secret(text) if text.strip() else None


def pg_dsn_problem(dsn: str) -> str | None:
    """Why libpq cannot use `dsn`, in words that never quote it; None when it can."""
    from psycopg.conninfo import conninfo_to_dict

    if "://" in dsn and not dsn.startswith(("postgresql://", "postgres://")):
        return "must start with postgresql:// (libpq knows no driver suffix such as +psycopg or +asyncpg)"
    try:
        parts = conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 — libpq's own text quotes the value
        return (
            "is not a PostgreSQL connection string libpq can read "
            "(postgresql://user:password@host:port/dbname; percent-encode %, @, : and / in the password)"
        )
    if "@" in str(parts.get("host", "")):
        return "has an unencoded '@' in the password (percent-encode it as %40)"
    return None


def _parse_pg_dsn(text: str) -> Secret | None:
    value = text.strip()
    if not value:
        return None
    secret = Secret(value)  # registered for redaction even when it is refused
    problem = pg_dsn_problem(value)
    if problem:
        raise ValueError(problem)
    return secret


def with_pg_tls(dsn: str, root_cert: str | None) -> str:
    """`dsn` with sslmode=verify-full (and the root CA) unless it names an sslmode itself."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    if "sslmode" in conninfo_to_dict(dsn):
        return dsn
    return make_conninfo(dsn, sslmode="verify-full", sslrootcert=root_cert or "system")


def _parse_tz(text: str) -> str:
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def _parse_choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value

    return parse


def _parse_tax_multipliers(text: str) -> dict[int, float]:
    """JSON object (`{"7": 1.11}`) or `7:1.11,6:1.11`."""
    text = text.strip()
    if not text:
        return dict(DEFAULT_TAX_MULTIPLIERS)
    if text.startswith("{"):
        raw = json.loads(text)
        pairs = raw.items()
    else:
        pairs = (item.split(":", 1) for item in text.split(",") if item.strip())
    result: dict[int, float] = {}
    for key, value in pairs:
        result[int(str(key).strip())] = float(str(value).strip())
    if any(v <= 0 for v in result.values()):
        raise ValueError("multipliers must be positive")
    return result


def _parse_field_name(text: str) -> str | None:
    name = text.strip()
    if name and not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"{name!r} is not an Odoo field name")
    return name or None


def _parse_emails(text: str) -> frozenset[str]:
    return frozenset(e.strip().lower() for e in text.split(",") if e.strip())


def _parse_bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


# env name -> (field, parser). Names are the contract of DESIGN.md plus a few tuning knobs.
_ENV: dict[str, tuple[str, Callable[[str], Any]]] = {
    "ODOO_HOST": ("odoo_host", _parse_str),
    "ODOO_PORT": ("odoo_port", _parse_positive_int),
    "ODOO_PROTOCOL": ("odoo_protocol", _parse_choice("jsonrpc", "jsonrpc+ssl")),
    "ODOO_DB": ("odoo_db", _parse_str),
    "ODOO_USERNAME": ("odoo_username", _parse_str),
    "ODOO_API_KEY": ("odoo_api_key", _parse_secret),
    "ODOO_API": ("odoo_api", _parse_choice("auto", "jsonrpc", "json2")),
    "ODOO_BATCH_SIZE": ("odoo_batch_size", _parse_positive_int),
    "ODOO_CONCURRENCY": ("odoo_concurrency", _parse_positive_int),
    "ODOO_TIMEOUT": ("odoo_timeout", _parse_float),
    "ODOO_MAX_RETRIES": ("odoo_max_retries", _parse_int),
    "ODOO_COST_FIELD": ("odoo_cost_field", _parse_field_name),
    "ODOO_COMPANY_ID": ("odoo_company_id", lambda t: _parse_positive_int(t) if t.strip() else None),
    "ODOO_WRITE_OVERLAP_SECONDS": ("odoo_write_overlap_s", _parse_non_negative_int),
    "ODOO_ALLOW_HTTP": ("odoo_allow_http", _parse_bool),
    "DATA_LAKE_ROOT": ("data_lake_root", lambda t: t.strip() or "./data-lake"),
    "BUSINESS_TZ": ("business_tz", _parse_tz),
    "MAX_RANGE_DAYS": ("max_range_days", _parse_positive_int),
    "CATCHUP_LOOKBACK_DAYS": ("catchup_lookback_days", _parse_positive_int),
    "KPI_ROLLBACK_MAX_DAYS": ("kpi_rollback_max_days", _parse_positive_int),
    "DIMENSIONS_FULL_REFRESH": ("dimensions_full_refresh", _parse_bool),
    "LOCAL_VERSIONS_DAYS": ("local_versions_days", _parse_int),
    "TIDB_HOST": ("tidb_host", _parse_str),
    "TIDB_PORT": ("tidb_port", _parse_positive_int),
    "TIDB_USER": ("tidb_user", _parse_str),
    "TIDB_PASSWORD": ("tidb_password", _parse_secret),
    "TIDB_DATABASE": ("tidb_database", lambda t: t.strip() or "nkpipe"),
    "TIDB_SSL": ("tidb_ssl", _parse_choice("auto", "off", "require", "verify")),
    "TIDB_SSL_CA": ("tidb_ssl_ca", _parse_str),
    "KPI_DUCKDB_PATH": ("kpi_duckdb_path", _parse_str),
    "SUPABASE_DB_URL": ("supabase_db_url", _parse_pg_dsn),
    "SUPABASE_DB_CA": ("supabase_db_ca", _parse_str),
    "SUPABASE_URL": ("supabase_url", _parse_str),
    "SUPABASE_SERVICE_KEY": ("supabase_service_key", _parse_secret),
    "NK_ORG_ID": ("nk_org_id", _parse_positive_int),
    "TAX_MULTIPLIERS": ("tax_multipliers", _parse_tax_multipliers),
    "SHEETS_SPREADSHEET_ID": ("sheets_spreadsheet_id", _parse_str),
    "NKPIPE_TASKS_QUEUE": ("tasks_queue", _parse_str),
    "NKPIPE_TASKS_SERVICE_ACCOUNT": ("tasks_service_account", _parse_str),
    "NKPIPE_RERUN_URL": ("rerun_url", _parse_str),
    "NKPIPE_CATCH_UP_URL": ("catch_up_url", _parse_str),
    "NKPIPE_TASKS_ENDPOINT": ("tasks_endpoint", _parse_str),
    "NKPIPE_CATCH_UP_CALLERS": ("catch_up_callers", _parse_emails),
    "K_SERVICE": ("in_cloud", lambda t: bool(t.strip())),
    "GOOGLE_CLOUD_PROJECT": ("gcp_project", _parse_str),
}

ENV_NAMES: tuple[str, ...] = tuple(_ENV)


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read KEY=VALUE lines (comments, blank lines, `export`, quotes allowed) with python-dotenv."""
    p = Path(path)
    if not p.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(p).items() if v is not None}


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: str | os.PathLike[str] | None = ".env",
    backends: bool = True,
    **overrides: Any,
) -> Settings:
    """Build Settings from `.env` (lowest), the environment, then explicit overrides (highest).

    Raises one ConfigError naming every bad value; secret values are never quoted in it.
    `backends=False` is for the health entry, which reads run records only and holds no secret.
    """
    values: dict[str, str] = {}
    if env_file is not None:
        values.update(read_env_file(env_file))
    values.update(os.environ if environ is None else environ)

    kwargs: dict[str, Any] = {}
    problems: list[str] = []
    for env_name, (attr, parse) in _ENV.items():
        if env_name not in values:
            continue
        try:
            kwargs[attr] = parse(values[env_name])
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            secret = attr.endswith(("key", "password", "db_url"))
            shown = "" if secret else f" (got {values[env_name]!r})"
            problems.append(f"{env_name}: {exc}{shown}")
    kwargs.update(overrides)
    if not kwargs.get("kpi_duckdb_path"):
        kwargs["kpi_duckdb_path"] = default_kpi_store(kwargs.get("data_lake_root", Settings.data_lake_root))
    if problems:
        raise ConfigError("bad configuration: " + "; ".join(problems))
    known = {f.name for f in fields(Settings)}
    unknown = set(kwargs) - known
    if unknown:
        raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
    settings = Settings(**kwargs)
    if settings.in_cloud:
        require_cloud_settings(settings, backends)
        if settings.supabase_db_url:
            dsn = with_pg_tls(settings.supabase_db_url.reveal(), settings.supabase_db_ca)
            settings = settings.replace(supabase_db_url=Secret(dsn))
    return settings


def default_kpi_store(data_lake_root: str) -> str:
    """The embedded KPI store of a local lake lives in the lake's folder (as `nkpipe demo` leaves it),
    so every command pointed at that lake finds the same KPIs."""
    if "://" in data_lake_root and not data_lake_root.startswith("file://"):
        return "./nkpipe-kpi.duckdb"
    return str(Path(data_lake_root.removeprefix("file://")).expanduser() / "embedded-kpi.duckdb")


def require_cloud_settings(settings: Settings, backends: bool = True) -> None:
    """Inside the cloud runtime nothing may silently fall back to a local default."""
    missing = []
    if not settings.data_lake_root.startswith(("gs://", "s3://")):
        missing.append("DATA_LAKE_ROOT (a gs:// root)")
    if backends and not settings.tidb_host:
        missing.append("TIDB_HOST")
    if backends and not (settings.supabase_db_url or (settings.supabase_url and settings.supabase_service_key)):
        missing.append("SUPABASE_DB_URL or SUPABASE_URL+SUPABASE_SERVICE_KEY")
    if missing:
        raise ConfigError("missing in the cloud runtime: " + ", ".join(missing))
    if settings.odoo_host == "simulator":
        raise ConfigError(
            "ODOO_HOST=simulator is refused in the cloud runtime: the simulator's synthetic sales "
            "would be written into the production lake and KPI tables"
        )
    insecure = []
    if settings.odoo_host and not settings.odoo_allow_http and not odoo_uses_https(settings):
        insecure.append("Odoo (use an https:// ODOO_HOST or ODOO_PROTOCOL=jsonrpc+ssl, or set ODOO_ALLOW_HTTP=1)")
    if settings.supabase_url and not settings.supabase_url.startswith("https://"):
        insecure.append("SUPABASE_URL (must be https://)")
    if insecure:
        raise ConfigError("plain HTTP refused in the cloud runtime: " + "; ".join(insecure))


def odoo_uses_https(settings: Settings) -> bool:
    host = settings.odoo_host or ""
    if "://" in host:
        return host.startswith("https://")
    return settings.odoo_protocol.endswith("ssl")


def require_odoo(settings: Settings) -> None:
    """Stages that talk to Odoo need a configured Odoo (or the simulator, asked for explicitly)."""
    if not settings.odoo_host:
        raise ConfigError(
            "ODOO_HOST is not set: set ODOO_HOST/ODOO_DB/ODOO_USERNAME/ODOO_API_KEY, "
            "or ODOO_HOST=simulator for the built-in simulator"
        )
    if settings.odoo_host == "simulator":
        if settings.in_cloud:
            raise ConfigError("ODOO_HOST=simulator is refused in the cloud runtime")
        return
    missing = [
        name
        for name, value in (
            ("ODOO_DB", settings.odoo_db),
            ("ODOO_USERNAME", settings.odoo_username),
            ("ODOO_API_KEY", settings.odoo_api_key),
        )
        if not value
    ]
    if missing:
        raise ConfigError("missing Odoo settings: " + ", ".join(missing))
