"""Is a business day verified? From the latest run records of the stages that check their data.

Extract reconciles every target with Odoo's aggregates, transform checks each star table against the
same figures, profit checks its own output. A run whose check finds differences is recorded as
`unverified` (its data kept, `extra.differences` naming what differs). A day is verified when none of
the latest extract, transform and profit runs of that day is unverified; the kpi stage writes that
as the `verified` flag of the day's sales KPI rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.metadata import SUCCESS, UNVERIFIED, Metadata, RunRecord

CHECKING_STAGES = ("extract", "transform", "profit")
OPEN_DAY_NOTE = "day not over: Odoo may still be changing it, so differences are recorded, not flagged"


def status_for(differences: list[str], day: date, tz: str) -> str:
    """`unverified` when a check of a day that has ended found differences, else `success`.

    A run of a day not over yet (today, the intraday runs) compares against a moving target: orders
    keep coming between the read and Odoo's totals. Its differences stay in the run record; the
    nightly run of that day, once it has ended, is the one that verifies it."""
    from shared.dates import today

    return UNVERIFIED if differences and day < today(tz) else SUCCESS


@dataclass(frozen=True)
class DayVerification:
    day: date
    unverified_runs: tuple[RunRecord, ...] = field(default=())

    @property
    def verified(self) -> bool:
        return not self.unverified_runs

    @property
    def differences(self) -> list[str]:
        """Every difference, prefixed with the stage and dataset that found it."""
        return [
            f"{rec.stage} {rec.dataset}: {difference}"
            for rec in self.unverified_runs
            for difference in (rec.extra.get("differences") or ["(no detail recorded)"])
        ]


def checking_runs(metadata: Metadata, day: date) -> list[RunRecord]:
    """The latest run of every (stage, dataset) of `day` whose stage checks its data."""
    from functions.pipeline import TARGETS

    pairs = [(stage, target) for stage in ("extract", "transform") for target in TARGETS]
    found = (metadata.last_run(stage, dataset, day) for stage, dataset in [*pairs, ("profit", "profit")])
    return [rec for rec in found if rec is not None]


def day_verification(metadata: Metadata, day: date) -> DayVerification:
    runs = sorted(checking_runs(metadata, day), key=lambda r: (CHECKING_STAGES.index(r.stage), r.dataset))
    return DayVerification(day, tuple(rec for rec in runs if rec.status == UNVERIFIED))
