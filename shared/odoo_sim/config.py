"""Simulator configuration and the demo credentials (synthetic, loopback-only; not secrets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEMO_DB = "nk_demo"
DEMO_LOGIN = "admin"
# A fixed key for the synthetic database: it only opens the local simulator.
DEMO_API_KEY = "nksim-demo-api-key-0123456789abcdef"
# Interactive password: accepted by /web/session/authenticate (keys are not, as in Odoo).
DEMO_PASSWORD = "admin"
DEMO_UID = 2

SUPPORTED_VERSIONS = ("16.0", "17.0", "18.0", "19.0")


@dataclass(frozen=True)
class SimConfig:
    seed: int = 7
    lines_per_day: int = 300
    days: int = 30
    end_day: date | None = None  # default: yesterday in `tz`
    version: str = "17.0"
    latency_s: float = 0.0
    with_brand: bool = False
    tz: str = "Asia/Jakarta"
    port: int = 0
    host: str = "127.0.0.1"
    # Vendor bills also exist this many days before the first day, so a last cost can be old.
    purchase_history_days: int = 365
    # How long a "timeout" fault holds the request before dropping it.
    fault_timeout_s: float = 10.0
    # Upper bounds on records kept in the generated-day caches (bound memory at any scale): POS days,
    # and books days (accounting + stock, about 1 KB a record).
    cache_lines: int = 60_000
    books_cache_records: int = 120_000

    def __post_init__(self) -> None:
        if self.version not in SUPPORTED_VERSIONS:
            raise ValueError(
                f"unsupported simulator version {self.version!r}; use one of {SUPPORTED_VERSIONS}"
            )
        if self.lines_per_day < 1 or self.days < 1:
            raise ValueError("lines_per_day and days must be >= 1")

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])
