"""A reconciliation check (the lake's total against Odoo's) and its summary for a run record.

Below the extract modules and `functions.reconcile`, which both use it, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Check:
    dataset: str
    measure: str
    lake: float
    odoo: float
    tolerance: float = 0.0
    note: str = ""
    checked: bool = True  # False: nothing in the lake to compare yet (the note says why)

    @property
    def ok(self) -> bool:
        """No difference found (a check with nothing to compare yet has none either; see `shown`)."""
        return not self.checked or abs(self.lake - self.odoo) <= self.tolerance + 1e-9

    @property
    def shown(self) -> bool | str:
        """What the `ok` column shows: yes / no, or `not checked` (never yes for nothing compared)."""
        return self.ok if self.checked else NOT_CHECKED

    def describe(self) -> str:
        if not self.checked:
            return f"{self.dataset} {self.measure}: not checked [{self.note}]"
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
        "not_checked": [check.describe() for check in checks if not check.checked],
        "checks": [asdict(check) | {"ok": check.ok} for check in checks],
    }
