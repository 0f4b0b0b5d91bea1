"""Transform stage: `raw/` → `clean/` → `star-schema/`. One module per dataset; this file holds the
registry and `run_transform`.

A dataset module (e.g. `functions.transform.pos`) keeps its DataFrame steps pure and exposes one thin
I/O function:
- `transform(settings, lake, day) -> dict[str, int] | None`: read the raw partition of `day`, write
  the clean and star partitions, return rows written per table; None when there is no raw partition
  (the run is recorded as skipped).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING, Any

from functions.runs import Attempt, DatasetRun, Outcome, run_recorded
from shared.errors import InputError
from shared.log import get_logger
from shared.metadata import StageResult

if TYPE_CHECKING:
    from shared.lake import Lake

log = get_logger(__name__)

STAGE = "transform"

# CLI target name -> module.
TRANSFORMS: dict[str, str] = {
    "pos": "functions.transform.pos",
    "invoice-sales": "functions.transform.invoice_sales",
    "purchases": "functions.transform.purchases",
    "inventory-moves": "functions.transform.inventory_moves",
    "stock-quants": "functions.transform.stock_quants",
    "dimensions": "functions.transform.dimensions",
}


def module_for(target: str) -> ModuleType:
    if target not in TRANSFORMS:
        raise InputError(f"unknown transform target {target!r}; known: {', '.join(TRANSFORMS)}")
    return importlib.import_module(TRANSFORMS[target])


def run_transform(
    settings: Any, lake: Lake, day: date, targets: Sequence[str], run_id: str | None = None
) -> list[StageResult]:
    """Transform each target for `day`, one run record per target; raises the first failure."""
    return run_recorded(lake, STAGE, day, [transform_run(settings, lake, day, t) for t in targets], run_id)


def transform_run(settings: Any, lake: Lake, day: date, target: str) -> DatasetRun:
    """The work of transforming one target; skipped (not failed) when its raw partition is missing."""
    module = module_for(target)

    def work(_attempt: Attempt) -> Outcome:
        rows = module.transform(settings, lake, day)
        if rows is None:
            return Outcome.skipped(f"no raw/{target} partition for {day}: run extract first")
        return Outcome(rows=rows)

    return DatasetRun(target, work)
