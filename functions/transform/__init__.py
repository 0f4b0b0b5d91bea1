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
import time
from collections.abc import Sequence
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING, Any

from shared.errors import InputError
from shared.log import get_logger
from shared.metadata import SKIPPED, SUCCESS, Metadata, StageResult

if TYPE_CHECKING:
    from shared.lake import Lake

log = get_logger(__name__)

STAGE = "transform"

# CLI target name -> module. Part B adds inventory-moves, stock-quants and dimensions here.
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


def run_transform(settings: Any, lake: Lake, day: date, targets: Sequence[str]) -> list[StageResult]:
    """Transform each target for `day`, one run record per target; raises the first failure."""
    from functions.extract import PIPELINE_TARGETS

    missing = [target for target in targets if target not in TRANSFORMS]
    unknown = [target for target in missing if target not in PIPELINE_TARGETS]
    if unknown:
        module_for(unknown[0])  # raises the InputError naming the known targets
    modules = [(target, module_for(target)) for target in targets if target in TRANSFORMS]
    metadata = Metadata(lake)
    results = [
        StageResult(STAGE, target, day, status=SKIPPED, message="no transform for this target in this build")
        for target in missing
    ]
    for target, module in modules:
        rec = metadata.start(STAGE, target, day)
        started = time.monotonic()
        try:
            rows = module.transform(settings, lake, day)
        except BaseException as exc:
            metadata.fail(rec, exc)
            raise
        if rows is None:
            message = f"no raw/{target} partition for {day}: run extract first"
            rec = metadata.finish(rec, status=SKIPPED, extra={"reason": message})
        else:
            message = ""
            rec = metadata.finish(rec, rows=rows, status=SUCCESS)
            metadata.set_watermark(STAGE, target, day)
        result = StageResult.from_record(rec, message=message)
        result.duration_s = round(time.monotonic() - started, 3)
        results.append(result)
    return results
