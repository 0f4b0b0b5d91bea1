"""Dimensions target: products, categories, brands, taxes, partners, locations, UoMs, users, companies
and lots → `raw/dimensions/date=D` (D only labels when the refresh ran; dimensions are current state).

Incremental by `write_date`: only records written since the newest `write_date` already in the
`dim_<name>` table (the table itself is the watermark, so an extract whose transform never ran is
simply fetched again). Archived records are included (`active_test: False`). Each dimension also
stores the full list of its ids at `taken_at`, so the transform can drop deleted records without a
full refresh; `DIMENSIONS_FULL_REFRESH=1` (or `full_refresh=True`) fetches every record again.
Brands are read only when a brand model exists; a model renamed across versions (`stock.lot` /
`stock.production.lot`) is found by trying its names in order.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING

from functions.dimension_catalogue import DIMENSIONS, Dimension, dimension_spec
from functions.extract import raw_spec, raw_table
from shared import clock
from shared.dates import ODOO_DATETIME_FORMAT
from shared.errors import SchemaError

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake
    from shared.odoo import OdooClient

DATASET = "dimensions"
REFRESH_MODEL = "_refresh"  # one record per dimension: model, full, taken_at, every id at taken_at
ALL_RECORDS = {"active_test": False}
# How far before the newest write_date already held the next refresh reads (ODOO_WRITE_OVERLAP_SECONDS,
# default 600 s): Odoo stamps write_date with the transaction's start (odoo/sql_db.py, the cursor's
# `now()`), so a change committed after our read can carry a stamp older than the newest one we hold.
# Reading again what we already have is harmless (the transform merges by id). Never under 1 s:
# write_date has second precision and the newest second may still be filling up.
MIN_OVERLAP = timedelta(seconds=1)


def overlap_of(settings: Settings) -> timedelta:
    return max(MIN_OVERLAP, timedelta(seconds=getattr(settings, "odoo_write_overlap_s", 600)))


def _requirements() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    needs = {}
    for dim in DIMENSIONS:
        if dim.optional_model:
            continue
        fields = tuple(c.field for c in dim.columns)
        needs[dim.models[0]] = (dim.required, tuple(f for f in fields if f not in dim.required))
    return needs


# model -> (required, optional) fields, for `nkpipe odoo-check` ("a|b": either name)
REQUIREMENTS = _requirements()


def resolve_model(odoo: OdooClient, dim: Dimension) -> str | None:
    """The first of the dimension's model names this database has (None for a missing optional one)."""
    for model in dim.models:
        if odoo.has_model(model):
            return model
    if dim.optional_model:
        return None
    raise SchemaError(f"dimension {dim.name}: none of the models {', '.join(dim.models)} exists in Odoo")


def pick_dimension_fields(odoo: OdooClient, dim: Dimension, model: str) -> list[str]:
    """The fields to ask for: required ones must exist; `a|b` columns take the first present name."""
    alternatives: dict[str, list[str]] = {}
    wanted: list[str] = []
    for column in dim.columns:
        names = column.field.split("|")
        wanted.append(names[0])
        if len(names) > 1:
            alternatives[names[0]] = names
    optional = [name for name in wanted if name not in dim.required]
    return odoo.pick_fields(model, dim.required, optional, alternatives)


def since_of(lake: Lake, dim: Dimension, overlap: timedelta = MIN_OVERLAP) -> str | None:
    """The newest write_date already in the dimension table, less `overlap`, as an Odoo string."""
    table = lake.read_table(dimension_spec(dim))
    if table is None or table.num_rows == 0 or "write_date" not in table.column_names:
        return None
    newest = max((v for v in table.column("write_date").to_pylist() if v is not None), default=None)
    if newest is None:
        return None
    return (newest.astimezone(UTC) - overlap).strftime(ODOO_DATETIME_FORMAT)


def fetch_dimension(
    odoo: OdooClient, lake: Lake, dim: Dimension, full: bool, overlap: timedelta = MIN_OVERLAP
) -> tuple[str, list[dict], dict] | None:
    model = resolve_model(odoo, dim)
    if model is None:
        return None
    fields = pick_dimension_fields(odoo, dim, model)
    since = None if full else since_of(lake, dim, overlap)
    taken_at = clock.now()
    ids = odoo.search_ids(model, [], context=ALL_RECORDS)
    domain = [] if since is None else [("write_date", ">=", since)]
    records = odoo.search_read_all(model, domain, fields, context=ALL_RECORDS)
    refresh = {
        "dimension": dim.name,
        "model": model,
        "full": since is None,
        "since": since,
        "taken_at": taken_at.strftime(ODOO_DATETIME_FORMAT),
        "ids": ids,
    }
    return model, records, refresh


def extract(odoo: OdooClient, settings: Settings, lake: Lake, day: date, *, full_refresh: bool | None = None) -> dict[str, int]:
    full = settings.dimensions_full_refresh if full_refresh is None else full_refresh
    by_model: dict[str, list[dict]] = {}
    refreshes: list[dict] = []
    # the dimensions are independent: fetched side by side on the client's bounded pool (results in order)
    overlap = overlap_of(settings)
    for fetched in odoo.map_concurrently(
        lambda dim: fetch_dimension(odoo, lake, dim, full, overlap), list(DIMENSIONS)
    ):
        if fetched is None:
            continue
        model, records, refresh = fetched
        by_model[model] = records
        refreshes.append({"id": len(refreshes) + 1, **refresh})
    by_model[REFRESH_MODEL] = refreshes
    lake.write_partition(raw_spec(DATASET), day, raw_table(by_model))
    return {model: len(rows) for model, rows in by_model.items()}  # raw rows per model
