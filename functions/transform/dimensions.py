"""Dimensions: raw Odoo records → typed `dim_*` tables, merged into the existing table by id.

The tables themselves are declared in `functions/dimension_catalogue.py`, the Odoo decoding in
`functions/odoo_records.py`.

Merge rule: for each id the row with the greatest `write_date` wins, a newer extraction winning ties,
so transforming an older raw partition after a newer one never brings back stale rows. A full refresh
replaces the table, which is how deleted records leave a dimension.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from functions.dimension_catalogue import DIMENSIONS_BY_NAME, Dimension, dimension_spec
from functions.odoo_records import conform, decode_records, odoo_timestamp, records_frame, typed_frame
from functions.transform.frames import read_raw
from shared.errors import SchemaError
from shared.lake import as_frame

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake

# ---------------------------------------------------------------- pure steps


def dimension_frame(dim: Dimension, records: Iterable[dict[str, Any]] | pl.DataFrame) -> pl.DataFrame:
    """Odoo records of one dimension (or their typed frame, from `records_frame`) → its typed table,
    one row per id, sorted by id."""
    typed = records if isinstance(records, pl.DataFrame) else typed_frame(records, dim.columns)
    return typed.unique(dim.key, keep="last").sort(dim.key)


def merge_dimension(
    existing: pl.DataFrame | None, changed: pl.DataFrame, key: str, *, full: bool = False
) -> pl.DataFrame:
    """Merge changed rows into a dimension: per id the greatest write_date wins, `changed` on ties.

    With `full`, `changed` is the whole dimension and replaces `existing` (deleted records leave).
    """
    if full or existing is None:
        return changed.sort(key)
    existing = conform(existing, dict(changed.schema))  # older files may lack newer columns
    both = pl.concat(
        [
            existing.with_columns(pl.lit(0).alias("_newer")),
            changed.with_columns(pl.lit(1).alias("_newer")),
        ],
        how="vertical",
    )
    winners = (
        both.sort(["write_date", "_newer"], nulls_last=False)
        .unique(key, keep="last", maintain_order=True)
        .drop("_newer")
    )
    return winners.sort(key)


def drop_deleted(frame: pl.DataFrame, key: str, present_ids: Iterable[int], taken_at: datetime) -> pl.DataFrame:
    """Drop rows whose id was gone at `taken_at`, unless written after it (created since).

    This keeps the result independent of the order raw partitions are transformed in: an old id list
    never removes a record that a newer extraction brought in.
    """
    present = pl.Series(sorted(set(present_ids)), dtype=pl.Int64())
    keep = pl.col(key).is_in(present.implode()) | (pl.col("write_date") > pl.lit(taken_at))
    return frame.filter(keep.fill_null(False))


# ---------------------------------------------------------------- lake I/O

DATASET = "dimensions"
REFRESH_MODEL = "_refresh"


def apply_refresh(
    existing: pl.DataFrame | None, dim: Dimension, records: list[dict[str, Any]] | pl.DataFrame,
    refresh: dict[str, Any],
) -> pl.DataFrame:
    """One dimension's refresh (changed records, or their typed frame, + the id list at taken_at) applied
    to its table."""
    changed = dimension_frame(dim, records)
    merged = merge_dimension(existing, changed, dim.key)
    taken_at = odoo_timestamp(refresh["taken_at"])
    if taken_at is None:
        raise SchemaError(f"{dim.table}: a dimension refresh without taken_at")
    return drop_deleted(merged, dim.key, refresh["ids"], taken_at)


def transform(settings: Settings, lake: Lake, day: date) -> dict[str, int] | None:
    """Merge the dimension refresh of raw/dimensions/date=D into every `dim_*` table it covers."""
    raw = read_raw(lake, DATASET, day)
    if raw is None:
        return None
    written: dict[str, int] = {}
    for refresh in decode_records(raw, REFRESH_MODEL):
        dim = DIMENSIONS_BY_NAME[refresh["dimension"]]
        spec = dimension_spec(dim)
        current = lake.read_table(spec)
        existing = None if current is None else as_frame(current)
        changed = records_frame(raw, refresh["model"], dim.columns)
        table = apply_refresh(existing, dim, changed, refresh)
        if existing is not None and table.equals(existing):
            written[str(spec)] = table.height  # nothing changed: the table stays as it is, unwritten
            continue
        written[str(spec)] = lake.write_table(spec, table)
    return written
