"""Reconciliation: the lake's totals for a business day against Odoo's own server-side totals.

Each extract module may expose `reconcile(odoo, settings, lake, day) -> list[Check]` (the registry
hook); `reconcile_day` runs them for the chosen targets. Every extract run records the result, and
`nkpipe reconcile --date D` exits non-zero naming each difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Check:
    dataset: str
    measure: str
    lake: float
    odoo: float
    tolerance: float = 0.0
    note: str = ""

    @property
    def ok(self) -> bool:
        return abs(self.lake - self.odoo) <= self.tolerance + 1e-9

    def describe(self) -> str:
        counts = float(self.lake).is_integer() and float(self.odoo).is_integer() and not self.tolerance
        fmt = "{:d}" if counts else "{:.2f}"
        value = (lambda v: fmt.format(int(v))) if counts else (lambda v: fmt.format(v))  # noqa: E731
        text = f"{self.dataset} {self.measure}: lake {value(self.lake)} vs odoo {value(self.odoo)}"
        if not self.ok:
            sign = "+" if self.lake > self.odoo else "-"
            text += f" (difference {sign}{value(abs(self.lake - self.odoo))})"
        return text + (f" [{self.note}]" if self.note else "")


def group_totals(groups: Iterable[dict], field: str | None = None) -> tuple[int, float]:
    """Record count and the sum of `field` over read_group buckets (normalised by OdooClient)."""
    count, total = 0, 0.0
    for group in groups:
        count += int(group.get("__count") or 0)
        if field is not None:
            total += float(group.get(field) or 0.0)
    return count, total


def summarise(checks: Sequence[Check]) -> dict[str, Any]:
    """The reconciliation result as a run record stores it."""
    return {
        "ok": all(check.ok for check in checks),
        "differences": [check.describe() for check in checks if not check.ok],
        "checks": [asdict(check) | {"ok": check.ok} for check in checks],
    }


def reconcilable_targets() -> list[str]:
    """Targets whose extract module has a `reconcile` hook, in registry order."""
    from functions.extract import EXTRACTORS, module_for

    return [target for target in EXTRACTORS if hasattr(module_for(target), "reconcile")]


def reconcile_day(
    settings: Any, lake: Any, day: date, odoo: Any, targets: Sequence[str] | None = None
) -> list[Check]:
    from functions.extract import module_for

    checks: list[Check] = []
    for target in targets or reconcilable_targets():
        module = module_for(target)
        if hasattr(module, "reconcile"):
            checks.extend(module.reconcile(odoo, settings, lake, day))
    return checks
