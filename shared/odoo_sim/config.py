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

# Opt-in situations of a real retailer's database the default synthetic data never produces (each
# changes the figures, so the demo runs without them). See README.md, "Scenarios".
SCENARIOS = (
    "consumables",  # "Kantong Sampah" is a consumable: done move lines, never a quant
    "fiscal_position",  # customers 10, 15, .., 45 are tax-exempt: POS tax 1 is mapped to 3 (PPN 0%)
    "purchase_taxes",  # PPh 22 withholding (tax 9) listed before PPN; lines with two mapped taxes that disagree
    "cash_rounding",  # invoices and bills get a rounding line to 100 IDR; shop 1 rounds POS cash (17: paid, 18+: totals)
    "combo",  # 17+: every tenth POS order sells "Paket Hemat", a combo: a parent line at 0 and its priced items
    "multi_company",  # a second company (2, SGD) the API user may also see, with its own POS orders
)


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
    # Opt-in scenarios (names in SCENARIOS).
    scenarios: tuple[str, ...] = ()
    # Name of the retailer's custom cost field on account.move.line (None: the database has none).
    # Odoo requires UI/Studio fields to start with x_ (base/models/ir_model.py, name_manual_field).
    cost_field: str | None = "actual_price"
    # Live: the simulator lives in the clock's present (shared.clock): a daily record whose
    # create_date is after now does not exist yet, so today's POS orders and bills appear as the
    # clock moves through the day (what an intraday refresh sees). Off: whole days exist at once.
    live: bool = False

    def __post_init__(self) -> None:
        if self.version not in SUPPORTED_VERSIONS:
            raise ValueError(
                f"unsupported simulator version {self.version!r}; use one of {SUPPORTED_VERSIONS}"
            )
        if self.lines_per_day < 1 or self.days < 1:
            raise ValueError("lines_per_day and days must be >= 1")
        unknown = sorted(set(self.scenarios) - set(SCENARIOS))
        if unknown:
            raise ValueError(f"unknown simulator scenario {unknown[0]!r}; use some of {SCENARIOS}")

    def has(self, scenario: str) -> bool:
        return scenario in self.scenarios

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])
