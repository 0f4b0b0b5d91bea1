"""A reconciliation check (the lake's total against Odoo's) and its summary for a run record.

Below the extract modules and `functions.reconcile`, which both use it, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.odoo import OdooClient

# Tolerances (docs/operations.md): a sum of line amounts one cent in total, quantities 0.001 in total.
CENT = 0.01
QTY_TOLERANCE = 0.001
# Odoo figures are stored per run record as {name: value}; this names a group's count.
COUNT = "count"

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


# ---------------------------------------------------------------- line-level aggregates (issue #15)


def aggregate(
    odoo: OdooClient, model: str, domain: list, sums: Mapping[str, str], prefix: str, context: dict | None = None
) -> dict[str, float]:
    """One read_group over `domain`, grouped by company (a stored field on every model we read):
    `{prefix.count: n, prefix.<name>: Σ field}` for `sums` = {name: Odoo field}."""
    groups = odoo.read_group(model, domain, [f"{field}:sum" for field in sums.values()], ["company_id"],
                             context=context)
    figures = {f"{prefix}.{COUNT}": 0.0, **{f"{prefix}.{name}": 0.0 for name in sums}}
    for group in groups:
        figures[f"{prefix}.{COUNT}"] += int(group.get("__count") or 0)
        for name, field in sums.items():
            figures[f"{prefix}.{name}"] += float(group.get(field) or 0.0)
    return figures


def figure_checks(
    dataset: str, prefix: str, lake_totals: Mapping[str, float] | None, figures: Mapping[str, float],
    sums: Mapping[str, str], tolerances: Mapping[str, float] | None = None, sum_label: bool = True,
) -> list[Check]:
    """Count and sums of a raw model (`raw_totals`, keyed by Odoo field) against `figures[prefix.*]`:
    measures `prefix` and `prefix <sum>` (just `<sum>` without `sum_label`)."""
    note = "" if lake_totals is not None else "no raw partition"
    lake_totals = lake_totals or {}
    checks = [Check(dataset, prefix, int(lake_totals.get("__count", 0)), int(figures[f"{prefix}.{COUNT}"]), note=note)]
    for name, field in sums.items():
        tolerance = (tolerances or {}).get(name, CENT)
        digits = 3 if tolerance < CENT else 2
        checks.append(Check(
            dataset, f"{prefix} {name}" if sum_label else name, round(float(lake_totals.get(field, 0.0)), digits),
            round(figures[f"{prefix}.{name}"], digits), tolerance=tolerance, note=note,
        ))
    return checks


@dataclass(frozen=True)
class Aggregate:
    """One `aggregate` to make: `{prefix.count, prefix.<name>}` over `domain` of `model`."""

    model: str
    domain: list
    sums: Mapping[str, str]
    prefix: str
    context: dict | None = None


def aggregate_all(odoo: OdooClient, requests: Sequence[Aggregate]) -> dict[str, float]:
    """Independent aggregates side by side on the client's bounded pool (one read_group each)."""
    parts = odoo.map_concurrently(
        lambda r: aggregate(odoo, r.model, r.domain, r.sums, r.prefix, r.context), list(requests)
    )
    figures: dict[str, float] = {}
    for part in parts:
        figures.update(part)
    return figures
