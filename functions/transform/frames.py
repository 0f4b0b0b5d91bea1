"""Small helpers the transforms share: lake specs from polars schemas, raw partitions as frames."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from shared.lake import TableSpec, as_frame

if TYPE_CHECKING:
    from shared.lake import Lake

_ARROW_TYPES: dict[Any, pa.DataType] = {
    pl.Int64(): pa.int64(),
    pl.Float64(): pa.float64(),
    pl.String(): pa.string(),
    pl.Boolean(): pa.bool_(),
    pl.Date(): pa.date32(),
    pl.Datetime("us", "UTC"): pa.timestamp("us", tz="UTC"),
    pl.List(pl.Int64()): pa.list_(pa.int64()),
}


def arrow_schema(schema: dict[str, pl.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, _ARROW_TYPES[dtype]) for name, dtype in schema.items()])


def clean_spec(name: str, schema: dict[str, pl.DataType]) -> TableSpec:
    return TableSpec("clean", name, arrow_schema(schema))


def read_raw(lake: Lake, dataset: str, day: date) -> pl.DataFrame | None:
    """The raw partition of `dataset` for `day` as a frame (model, id, write_date, record)."""
    from functions.extract import raw_spec

    table = lake.read_partition(raw_spec(dataset), day)
    return None if table is None else as_frame(table)


def business_date(column: str, tz: str) -> pl.Expr:
    """The business day (in `tz`) of a UTC timestamp column."""
    return pl.col(column).dt.convert_time_zone(tz).dt.date()
