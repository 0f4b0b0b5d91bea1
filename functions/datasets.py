"""The datasets: one declared `Dataset` per target, in `DATASETS`, the one registry.

The pipeline's stages, catch-up, purge/rebuild, reconcile, `odoo-check` and the docs table read this
list; `tests/test_datasets.py` checks it against `functions.pipeline.TARGETS` and the nightly
schedule in `infra/terraform/locals.tf`. A new dataset is an extract module, a transform module and
one entry here.

Imported when a stage runs (the transform modules bring polars), not by the light entry paths.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

from functions.extract import account_moves, raw_spec
from functions.extract import dimensions as extract_dimensions
from functions.extract import inventory_moves as extract_inventory_moves
from functions.extract import invoice_sales as extract_invoice_sales
from functions.extract import pos as extract_pos
from functions.extract import purchases as extract_purchases
from functions.extract import stock_quants as extract_stock_quants
from functions.transform import dimensions as transform_dimensions
from functions.transform import inventory_moves as transform_inventory_moves
from functions.transform import invoice_sales as transform_invoice_sales
from functions.transform import pos as transform_pos
from functions.transform import purchases as transform_purchases
from functions.transform import stock_quants as transform_stock_quants
from shared.errors import InputError
from shared.lake import TableSpec
from shared.schemas import (
    FACT_INVENTORY_MOVES,
    FACT_INVOICE_CASH_ROUNDING,
    FACT_INVOICE_SALES,
    FACT_POS_CASH_ROUNDING,
    FACT_POS_PAYMENTS,
    FACT_PURCHASE_CASH_ROUNDING,
    FACT_PURCHASES,
    FACT_SALES,
    FACT_STOCK_QUANTS,
)

Requirements = Mapping[str, tuple[Sequence[str], Sequence[str]]]
# (odoo, settings, lake, day) -> raw rows written per model
ExtractFn = Callable[[Any, Any, Any, date], dict[str, int]]
# (settings, lake, day) -> rows written per table, None when the day has no raw partition
TransformFn = Callable[[Any, Any, date], dict[str, int] | None]
# (odoo, settings, lake, day) -> Odoo's server-side aggregates of the day, {name: value}
FiguresFn = Callable[[Any, Any, Any, date], dict[str, float]]
# (odoo, settings, lake, day, figures) -> the lake's raw totals against those figures
# (functions.reconcile.Check); it fetches the figures itself when given None
ReconcileFn = Callable[[Any, Any, Any, date, dict[str, float] | None], list]


@dataclass(frozen=True)
class CatchupScope:
    """What catch-up compares for one day: the records that make up the day (model -> domain of
    `(business_tz, day)`) and the child models it checks by id."""

    domains: Callable[[str, date], dict[str, list]]
    child_models: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    name: str  # the target: CLI, pipeline, scheduler job
    raw: str  # raw/<raw>/date=D
    requirements: Requirements  # Odoo model -> (required, optional) fields, for odoo-check
    extract: ExtractFn
    transform: TransformFn
    tables: tuple[TableSpec, ...]  # every lake table it writes (raw, clean, star-schema)
    reconcile: ReconcileFn | None = None
    odoo_figures: FiguresFn | None = None  # with reconcile: what extract records and transform reuses
    catchup: CatchupScope | None = None  # None: catch-up does not scan it day by day
    feeds_profit: bool = False  # a change reruns profit, kpi and mirror for the day
    # (odoo, settings) -> values the extract run record keeps in `extra` (e.g. the cost field used)
    run_extra: Callable[[Any, Any], dict[str, Any]] | None = None

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.requirements)

    def tables_in(self, layer: str) -> tuple[TableSpec, ...]:
        return tuple(spec for spec in self.tables if spec.layer == layer)


def _account_moves_scope(move_types: Sequence[str]) -> CatchupScope:
    return CatchupScope(
        lambda _tz, day: {account_moves.MOVE_MODEL: account_moves.move_domain(day, move_types)},
        (account_moves.LINE_MODEL,),
    )


def _account_moves_dataset(
    name: str, extract: ModuleType, transform: ModuleType, fact: TableSpec, rounding: TableSpec, **options: Any
) -> Dataset:
    """Customer invoices and vendor bills: posted account moves of the day, read and shaped alike."""
    return Dataset(
        name,
        extract.DATASET,
        extract.REQUIREMENTS,
        extract.extract,
        transform.transform,
        (raw_spec(extract.DATASET), transform.CLEAN_MOVES, transform.CLEAN_LINES, fact, rounding),
        reconcile=extract.reconcile,
        odoo_figures=extract.odoo_figures,
        catchup=_account_moves_scope(extract.MOVE_TYPES),
        feeds_profit=True,
        **options,
    )


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "pos",
        extract_pos.DATASET,
        extract_pos.REQUIREMENTS,
        extract_pos.extract,
        transform_pos.transform,
        (
            raw_spec(extract_pos.DATASET),
            transform_pos.CLEAN_ORDERS,
            transform_pos.CLEAN_LINES,
            transform_pos.CLEAN_PAYMENTS,
            FACT_SALES,
            FACT_POS_PAYMENTS,
            FACT_POS_CASH_ROUNDING,
        ),
        reconcile=extract_pos.reconcile,
        odoo_figures=extract_pos.odoo_figures,
        catchup=CatchupScope(
            lambda tz, day: {extract_pos.ORDER_MODEL: extract_pos.order_domain(day, tz)},
            (extract_pos.LINE_MODEL, extract_pos.PAYMENT_MODEL),
        ),
        feeds_profit=True,
    ),
    _account_moves_dataset(
        "invoice-sales", extract_invoice_sales, transform_invoice_sales, FACT_INVOICE_SALES, FACT_INVOICE_CASH_ROUNDING
    ),
    _account_moves_dataset(
        "purchases", extract_purchases, transform_purchases, FACT_PURCHASES, FACT_PURCHASE_CASH_ROUNDING,
        run_extra=extract_purchases.run_extra,
    ),
    Dataset(
        "inventory-moves",
        extract_inventory_moves.DATASET,
        extract_inventory_moves.REQUIREMENTS,
        extract_inventory_moves.extract,
        transform_inventory_moves.transform,
        (
            raw_spec(extract_inventory_moves.DATASET),
            transform_inventory_moves.CLEAN_MOVE_LINES,
            FACT_INVENTORY_MOVES,
        ),
        reconcile=extract_inventory_moves.reconcile,
        odoo_figures=extract_inventory_moves.odoo_figures,
        catchup=CatchupScope(
            lambda tz, day: {extract_inventory_moves.LINE_MODEL: extract_inventory_moves.line_domain(day, tz)}
        ),
    ),
    Dataset(
        "stock-quants",
        extract_stock_quants.DATASET,
        extract_stock_quants.REQUIREMENTS,
        extract_stock_quants.extract,
        transform_stock_quants.transform,
        (
            raw_spec(extract_stock_quants.DATASET),
            transform_stock_quants.CLEAN_QUANTS,
            FACT_STOCK_QUANTS,
        ),
        reconcile=extract_stock_quants.reconcile,
        odoo_figures=extract_stock_quants.odoo_figures,
    ),
    Dataset(
        "dimensions",
        extract_dimensions.DATASET,
        extract_dimensions.REQUIREMENTS,
        extract_dimensions.extract,
        transform_dimensions.transform,
        (raw_spec(extract_dimensions.DATASET),),
    ),
)

BY_NAME: dict[str, Dataset] = {d.name: d for d in DATASETS}


def dataset(name: str) -> Dataset:
    """The dataset of target `name`; an InputError naming the known ones otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise InputError(f"unknown target {name!r}; known: {', '.join(BY_NAME)}") from None
