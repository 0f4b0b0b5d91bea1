"""The two ways to reach the Supabase mirror, chosen once from the settings (`mirror_transport`):

- `DirectMirror` (SUPABASE_DB_URL): PostgreSQL over psycopg; runs migrations and drops too.
- `RestMirror` (SUPABASE_URL + SUPABASE_SERVICE_KEY): PostgREST; cannot run DDL, so migrations and
  drops are applied by hand in the Supabase SQL editor (it says so in the log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from functions.kpi import mirror, schema
from shared.config import Secret, Settings
from shared.errors import ConfigError
from shared.log import get_logger

log = get_logger(__name__)

SourceDay = dict[str, list[dict[str, Any]]]


class MirrorTransport(Protocol):
    @property
    def name(self) -> str: ...

    def mirror_day(self, day: date, source: SourceDay) -> list[mirror.TableCheck]: ...
    def delete_day(self, day: date) -> dict[str, int]: ...
    def delete_sales_days(self, days: Sequence[date]) -> dict[str, int]: ...
    def count_days(self, first: date, last: date) -> dict[str, int]: ...  # what a rollback would delete
    def migrate(self) -> list[str] | None: ...  # None: cannot run DDL
    def drop_tables(self) -> list[str] | None: ...  # None: cannot run DDL


@dataclass(frozen=True)
class DirectMirror:
    db_url: Secret
    name: str = "direct"

    def mirror_day(self, day: date, source: SourceDay) -> list[mirror.TableCheck]:
        return mirror.mirror_direct(self.db_url.reveal(), day, source)

    def delete_day(self, day: date) -> dict[str, int]:
        return mirror.delete_day_direct(self.db_url.reveal(), day)

    def delete_sales_days(self, days: Sequence[date]) -> dict[str, int]:
        return mirror.delete_sales_days_direct(self.db_url.reveal(), days)

    def count_days(self, first: date, last: date) -> dict[str, int]:
        return mirror.count_days_direct(self.db_url.reveal(), first, last)

    def count_all(self) -> dict[str, int]:
        return mirror.count_days_direct(self.db_url.reveal())

    def migrate(self) -> list[str]:
        import psycopg

        connection = mirror.connect_pg(self.db_url.reveal())
        try:
            return schema.migrate_supabase(connection)
        except psycopg.Error as exc:
            raise mirror.pg_error(exc, "migrate Supabase") from exc
        finally:
            connection.close()

    def drop_tables(self) -> list[str]:
        return mirror.drop_tables_direct(self.db_url.reveal())


@dataclass(frozen=True)
class RestMirror:
    url: str
    service_key: Secret
    name: str = "rest"

    def mirror_day(self, day: date, source: SourceDay) -> list[mirror.TableCheck]:
        return mirror.mirror_rest(self.url, self.service_key.reveal(), day, source)

    def delete_day(self, day: date) -> dict[str, int]:
        return mirror.delete_day_rest(self.url, self.service_key.reveal(), day)

    def delete_sales_days(self, days: Sequence[date]) -> dict[str, int]:
        return mirror.delete_sales_days_rest(self.url, self.service_key.reveal(), days)

    def count_days(self, first: date, last: date) -> dict[str, int]:
        return mirror.count_days_rest(self.url, self.service_key.reveal(), first, last)

    def migrate(self) -> None:
        log.warning(
            "SUPABASE_DB_URL not set: apply functions/kpi/migrations/supabase/*.sql in the Supabase SQL editor"
        )
        return None

    def drop_tables(self) -> None:
        log.warning("SUPABASE_DB_URL not set: drop the Supabase mirror tables in the Supabase SQL editor")
        return None


def mirror_transport(settings: Settings) -> MirrorTransport | None:
    """Direct (SUPABASE_DB_URL), REST (SUPABASE_URL + SUPABASE_SERVICE_KEY) or None (no mirror)."""
    if settings.supabase_db_url:
        return DirectMirror(settings.supabase_db_url)
    if settings.supabase_url and settings.supabase_service_key:
        return RestMirror(settings.supabase_url, settings.supabase_service_key)
    if settings.supabase_url or settings.supabase_service_key:
        raise ConfigError("SUPABASE_URL and SUPABASE_SERVICE_KEY go together (or set SUPABASE_DB_URL)")
    return None
