"""The profit stage for one business day: star facts in, the five profit tables out.

    fact_purchases(D)                       → fact_product_cost_events(D)
    every purchase partition ≤ D            → fact_product_cost_latest_daily(D)
    fact_sales(D) ∪ fact_invoice_sales(D)   → fact_sales_lines_profit(D) → agg_profit_daily(D),
                                                                          agg_profit_daily_by_product(D)

The latest cost of day D is built from every purchase partition ≤ D on every run (one parallel scan
of only the columns it needs): no state carried from earlier days, so the result is a function of
the lake's current contents, and the order in which days are run, whether earlier days were run at
all, or a late bill for an old day never changes it. (An earlier-day state saved 0.1-0.9 s a night
at 365 days of history; bench/README.md B2 has the figures that retired it.)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

import polars as pl

from functions.profit.aggregates import daily_aggregate, daily_by_product, hourly_aggregate
from functions.profit.cost_events import build_cost_events, cost_event_candidates, price_cost_events
from functions.profit.latest_cost import latest_cost_asof
from functions.profit.sales_profit import line_profit, sales_lines
from functions.profit.self_check import profit_differences
from functions.runs import DatasetRun, Outcome, run_recorded
from shared import lineage
from shared.errors import NotFoundError
from shared.lake import Lake, TableSpec, as_frame
from shared.log import get_logger
from shared.metadata import SKIPPED, SUCCESS, UNVERIFIED, Metadata, StageResult
from shared.schemas import (
    AGG_PROFIT_DAILY,
    AGG_PROFIT_DAILY_BY_PRODUCT,
    AGG_PROFIT_HOURLY,
    DIM_PRODUCTS,
    DIM_UOMS,
    FACT_INVOICE_SALES,
    FACT_PRODUCT_COST_EVENTS,
    FACT_PRODUCT_COST_LATEST_DAILY,
    FACT_PURCHASES,
    FACT_SALES,
    FACT_SALES_LINES_PROFIT,
)

if TYPE_CHECKING:
    from shared.config import Settings

log = get_logger(__name__)

STAGE = DATASET = "profit"
READ_THREADS = 8
OUTPUTS = (
    FACT_PRODUCT_COST_EVENTS,
    FACT_PRODUCT_COST_LATEST_DAILY,
    FACT_SALES_LINES_PROFIT,
    AGG_PROFIT_DAILY,
    AGG_PROFIT_DAILY_BY_PRODUCT,
    AGG_PROFIT_HOURLY,
)
# The purchase columns the latest-cost selection needs from earlier days (see latest_cost).
_HISTORY_COLUMNS = [
    "date",
    "product_id",
    "move_id",
    "line_id",
    "quantity",
    "actual_price",
    "tax_id",
    "uom_id",
]


def _no_purchases() -> pl.DataFrame:
    return as_frame(FACT_PURCHASES.schema.empty_table())


def _frame(table: Any) -> pl.DataFrame | None:
    return None if table is None else as_frame(table)


def read_partition(lake: Lake, spec: TableSpec, day: date) -> pl.DataFrame | None:
    return _frame(lake.read_partition(spec, day))


def read_partitions(lake: Lake, spec: TableSpec, days: Iterable[date]) -> list[pl.DataFrame]:
    """Several partitions, read in parallel (object stores answer one request at a time)."""
    days = list(days)
    if len(days) <= 1:
        found = [read_partition(lake, spec, d) for d in days]
    else:
        with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
            found = list(pool.map(lambda d: read_partition(lake, spec, d), days))
    return [f for f in found if f is not None]


def read_cost_candidates(lake: Lake, days: Iterable[date]) -> pl.DataFrame:
    """The cost-event candidates (unpriced, only the columns the selection needs) of `days`.

    polars reads the partitions' files (the store's `readable_paths`: in place on a local lake,
    fetched copies elsewhere) in one parallel scan, only those columns and rows (a year of
    partitions in a fraction of a second); if that fails each partition is read through the lake.
    """
    days = list(days)
    if days:
        try:
            paths = lake.store.readable_paths([lake.partition_key(FACT_PURCHASES, d) for d in days])
            scanned = pl.scan_parquet(
                paths,
                schema=_no_purchases().schema,
                missing_columns="insert",
                extra_columns="ignore",
                hive_partitioning=False,
            )
            return cost_event_candidates(scanned.select(_HISTORY_COLUMNS)).collect()
        except (pl.exceptions.PolarsError, OSError, NotFoundError) as exc:
            # A partition replaced or removed mid-read, or an older file layout: the careful path.
            log.info("profit: scan of %d purchase partitions fell back to one by one: %s", len(days), exc)
    frames = [
        cost_event_candidates(f.select(_HISTORY_COLUMNS)) for f in read_partitions(lake, FACT_PURCHASES, days)
    ]
    return pl.concat(frames) if frames else cost_event_candidates(_no_purchases().select(_HISTORY_COLUMNS))


def purchase_days(lake: Lake, day: date) -> list[date]:
    """The purchase partitions the latest cost of `day` is built from: every one ≤ day."""
    return [d for d in lineage.partition_stamps(lake, FACT_PURCHASES) if d <= day]


def describe(days: list[date]) -> str:
    return f"latest cost from {len(days)} purchase partition(s)"


def read_dimension(lake: Lake, spec: TableSpec) -> pl.DataFrame | None:
    return _frame(lake.read_table(spec))


@dataclass
class DayOutputs:
    events: pl.DataFrame
    latest: pl.DataFrame
    lines: pl.DataFrame
    daily: pl.DataFrame
    by_product: pl.DataFrame
    hourly: pl.DataFrame

    def tables(self) -> list[tuple[TableSpec, pl.DataFrame]]:
        frames = (self.events, self.latest, self.lines, self.daily, self.by_product, self.hourly)
        return list(zip(OUTPUTS, frames, strict=True))


def compute_day(
    day: date,
    earlier_candidates: pl.DataFrame,
    purchases: pl.DataFrame | None,
    pos: pl.DataFrame | None,
    invoices: pl.DataFrame | None,
    multipliers: dict[int, float],
    products: pl.DataFrame | None,
    uoms: pl.DataFrame | None,
    tz: str = "Asia/Jakarta",
) -> DayOutputs:
    """Pure: the five outputs of `day`.

    earlier_candidates: cost-event candidates of every purchase partition before `day`;
    purchases: the day's own fact_purchases partition (None when there is none).
    """
    todays = cost_event_candidates(_no_purchases() if purchases is None else purchases)
    events = build_cost_events(todays.filter(pl.col("date") == day), multipliers, products, uoms)
    candidates = pl.concat([earlier_candidates, todays], how="diagonal_relaxed")
    latest = price_cost_events(latest_cost_asof(candidates, day), multipliers, products, uoms).select(
        FACT_PRODUCT_COST_LATEST_DAILY.schema.names
    )
    lines = line_profit(sales_lines(pos, invoices), latest)
    return DayOutputs(
        events,
        latest,
        lines,
        daily_aggregate(lines, day),
        daily_by_product(lines, day),
        hourly_aggregate(lines, pos, day, tz),
    )


def _dry_run(settings: Settings, lake: Lake, day: date, out: TextIO) -> StageResult:
    started = time.monotonic()
    days = purchase_days(lake, day)
    reads = [
        (FACT_SALES, lake.partition_key(FACT_SALES, day), lake.has_partition(FACT_SALES, day)),
        (
            FACT_INVOICE_SALES,
            lake.partition_key(FACT_INVOICE_SALES, day),
            lake.has_partition(FACT_INVOICE_SALES, day),
        ),
        (DIM_PRODUCTS, lake.table_key(DIM_PRODUCTS), lake.store.exists(lake.table_key(DIM_PRODUCTS))),
        (DIM_UOMS, lake.table_key(DIM_UOMS), lake.store.exists(lake.table_key(DIM_UOMS))),
    ]
    out.write(f"profit {day} (dry run, nothing is written)\n")
    for _spec, key, exists in reads:
        out.write(f"  read   {key}{'' if exists else '  (missing)'}\n")
    span = f"{days[0]} .. {days[-1]}" if days else "none"
    out.write(f"  read   {FACT_PURCHASES} partitions: {len(days)} ({span})\n")
    out.write(f"  {describe(days)}\n")
    for spec in OUTPUTS:
        out.write(f"  write  {lake.partition_key(spec, day)}\n")
    if not reads[0][2] and not reads[1][2]:
        out.write("  (no sales partitions for this day: the real run would skip it)\n")
    return StageResult(
        STAGE,
        DATASET,
        day,
        status=SKIPPED,
        duration_s=round(time.monotonic() - started, 3),
        message=f"dry run: {describe(days)}",
    )


def data_warnings(lake: Lake, purchases: pl.DataFrame | None) -> list[str]:
    """What makes the day's profit less trustworthy, said on every run (never silent): the database
    has no cost field (the latest purchases extraction found none), bill lines whose mapped taxes
    disagree on the multiplier."""
    from functions.extract.purchases import MISSING_COST_FIELD

    warnings = []
    runs = [r for r in Metadata(lake).runs("extract", "purchases") if r.status == SUCCESS and "cost_field" in r.extra]
    latest = max(runs, key=lambda r: (r.finished_at or r.started_at or ""), default=None)
    if latest is not None and not latest.extra.get("cost_field"):
        warnings.append(MISSING_COST_FIELD)
    if purchases is not None and "tax_conflict" in purchases.columns:
        conflicts = purchases.filter(pl.col("tax_conflict").fill_null(False))
        if conflicts.height:
            warnings.append(
                f"{conflicts.height} bill line(s) of the day carry mapped taxes whose multipliers disagree "
                "(the first mapped tax decided): see validate-profit"
            )
    return warnings


def run_profit(
    settings: Settings,
    lake: Lake,
    day: date,
    dry_run: bool = False,
    out: TextIO | None = None,
    run_id: str | None = None,
) -> StageResult:
    """Compute and write the five profit tables of `day`. A dry run prints the plan and writes nothing."""
    if dry_run:
        return _dry_run(settings, lake, day, out or sys.stdout)
    [result] = run_recorded(lake, STAGE, day, [DatasetRun(DATASET, lambda _: profit_day(settings, lake, day))], run_id)
    return result


def profit_day(settings: Settings, lake: Lake, day: date) -> Outcome:
    """The profit stage's work for `day`; skipped when the day has no sales partition."""
    # stamps before the reads (purchases: one listing, taken before any is read)
    inputs = lineage.input_stamps(lake, (FACT_SALES, FACT_INVOICE_SALES), day)
    purchase_stamps = lineage.partition_stamps(lake, FACT_PURCHASES)
    pos = read_partition(lake, FACT_SALES, day)
    invoices = read_partition(lake, FACT_INVOICE_SALES, day)
    if pos is None and invoices is None:
        return Outcome.skipped(f"no fact_sales or fact_invoice_sales partition for {day}: run transform first")
    days = [d for d in purchase_stamps if d <= day]
    day_purchases = read_partition(lake, FACT_PURCHASES, day)
    outputs = compute_day(
        day,
        read_cost_candidates(lake, [d for d in days if d != day]),
        day_purchases,
        pos,
        invoices,
        dict(settings.tax_multipliers),
        read_dimension(lake, DIM_PRODUCTS),
        read_dimension(lake, DIM_UOMS),
        settings.business_tz,
    )
    rows: dict[str, int] = {}
    for spec, frame in outputs.tables():
        rows[spec.name] = lake.write_partition(spec, day, frame)
    extra: dict[str, Any] = {"latest_cost": describe(days)}
    message = describe(days)
    warnings = data_warnings(lake, day_purchases)
    if warnings:  # never silent: in the log, the run record (health, Status ETL) and the message
        extra["warnings"] = warnings
        for warning in warnings:
            log.warning("profit %s: WARNING %s", day, warning)
        message = "; ".join(f"WARNING {w}" for w in warnings) + f"; {message}"
    outcome = Outcome(
        rows=rows,
        message=message,
        calls={"purchase_partitions_read": len(days)},
        extra=extra,
    )
    # the cheap rules of validate-profit on its own output: written and kept, flagged when broken
    sales_count = sum(frame.height for frame in (pos, invoices) if frame is not None)
    differences = profit_differences(outputs.lines, outputs.daily, outputs.by_product, sales_count)
    if differences:
        outcome.status = UNVERIFIED
        outcome.extra["differences"] = differences
        outcome.message = "self-check: " + "; ".join(differences)
        log.warning("profit %s %s", day, outcome.message)
    # every purchase partition up to the day: a late bill on an earlier day changes its latest cost
    inputs.update(lineage.range_input(FACT_PURCHASES, day, purchase_stamps))
    lineage.attach(outcome.extra, inputs)
    return outcome
