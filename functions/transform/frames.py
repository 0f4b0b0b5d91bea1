"""Small helpers the transforms share: lake specs from polars schemas, raw partitions as frames."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from functions.extract import raw_spec
from functions.odoo_records import arrow_schema
from shared.lake import TableSpec, as_frame

if TYPE_CHECKING:
    from shared.lake import Lake

def clean_spec(name: str, schema: dict[str, pl.DataType]) -> TableSpec:
    return TableSpec("clean", name, arrow_schema(schema))


def read_raw(lake: Lake, dataset: str, day: date) -> pl.DataFrame | None:
    """The raw partition of `dataset` for `day` as a frame (model, id, write_date, record)."""
    table = lake.read_partition(raw_spec(dataset), day)
    return None if table is None else as_frame(table)


def business_date(column: str, tz: str) -> pl.Expr:
    """The business day (in `tz`) of a UTC timestamp column."""
    return pl.col(column).dt.convert_time_zone(tz).dt.date()
