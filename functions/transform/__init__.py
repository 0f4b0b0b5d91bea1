"""Transform stage: `raw/` → `clean/` → `star-schema/`. One module per dataset; this file holds
`run_transform`. The datasets are declared in `functions.datasets` (the registry).

A dataset module (e.g. `functions.transform.pos`) keeps its DataFrame steps pure and exposes one thin
I/O function:
- `transform(settings, lake, day) -> dict[str, int] | None`: read the raw partition of `day`, write
  the clean and star partitions, return rows written per table; None when there is no raw partition
  (the run is recorded as skipped).

After each target, the star checks of `functions.reconcile` compare its fact table with the Odoo
figures the day's extract recorded (no Odoo call here); differences make the run `unverified`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from functions.runs import Attempt, DatasetRun, Outcome, run_recorded
from shared import lineage
from shared.log import get_logger
from shared.metadata import UNVERIFIED, Metadata, StageResult

if TYPE_CHECKING:
    from functions.datasets import Dataset
    from shared.config import Settings
    from shared.lake import Lake

log = get_logger(__name__)

STAGE = "transform"

def run_transform(
    settings: Settings, lake: Lake, day: date, targets: Sequence[str], run_id: str | None = None
) -> list[StageResult]:
    """Transform each target for `day`, one run record per target; raises the first failure."""
    # the registry sits above this package (it imports every dataset module, which imports this one)
    from functions.datasets import dataset

    runs = [transform_run(settings, lake, day, dataset(target)) for target in targets]
    return run_recorded(lake, STAGE, day, runs, run_id)


def transform_run(settings: Settings, lake: Lake, day: date, ds: Dataset) -> DatasetRun:
    """The work of transforming one target; skipped (not failed) when its raw partition is missing."""

    def work(_attempt: Attempt) -> Outcome:
        # stamps before the read: a raw partition replaced meanwhile makes this run stale, never fresh
        inputs = lineage.input_stamps(lake, ds.tables_in("raw"), day)
        rows = ds.transform(settings, lake, day)
        if rows is None:
            return Outcome.skipped(f"no raw/{ds.name} partition for {day}: run extract first")
        outcome = star_checked(settings, lake, day, ds.name, Outcome(rows=rows))
        lineage.attach(outcome.extra, inputs)
        return outcome

    return DatasetRun(ds.name, work)


def star_checked(settings: Settings, lake: Lake, day: date, target: str, outcome: Outcome) -> Outcome:
    """The outcome with the target's star checks (against what the day's extract fetched from Odoo)."""
    from functions.reconcile import star_check, summarise
    from functions.verification import OPEN_DAY_NOTE, status_for

    checks = star_check(Metadata(lake), lake, target, day)
    if not checks:
        return outcome
    outcome.extra["reconciliation"] = summarise(checks)
    differences = outcome.extra["reconciliation"]["differences"]
    if differences:
        outcome.message = "star check: " + "; ".join(differences)
        outcome.status = status_for(differences, day, settings.business_tz)
        if outcome.status == UNVERIFIED:
            outcome.extra["differences"] = differences
        else:
            outcome.message += f" [{OPEN_DAY_NOTE}]"
        log.warning("transform %s %s %s", target, day, outcome.message)
    return outcome
