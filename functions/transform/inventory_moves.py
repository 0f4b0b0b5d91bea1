"""Inventory moves: raw done `stock.move.line`s (+ their moves, picking types, locations) → clean → star.

Raw holds the move lines of business day D as Odoo returned them, plus the `stock.move`,
`stock.picking.type` and `stock.location` records they point at. Clean is one typed row per move line
with its picking type code and both location usages; the star table keeps the contract columns and a
few extras (date_done = the line's `date`, picking_type_id, picking_code, location usages, reference,
write_date).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import polars as pl

# the raw partition and the models in it are the extract's
from functions.extract.inventory_moves import (
    DATASET,
    LINE_MODEL,
    LOCATION_MODEL,
    MOVE_MODEL,
    PICKING_TYPE_MODEL,
)
from functions.odoo_records import Column, records_frame
from functions.transform.frames import clean_spec, read_raw
from shared.schemas import FACT_INVENTORY_MOVES

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake


LINE_COLUMNS: tuple[Column, ...] = (
    Column("move_line_id", "id", "id"),
    Column("date_done", "date", "ts"),
    Column("move_id", "move_id", "m2o"),
    Column("picking_id", "picking_id", "m2o"),
    Column("line_picking_type_id", "picking_type_id", "m2o"),
    Column("product_id", "product_id", "m2o"),
    Column("lot_id", "lot_id", "m2o"),
    Column("lot_name", "lot_name", "str"),
    Column("line_picking_code", "picking_code", "str"),
    Column("quantity", "quantity|qty_done", "float"),  # Odoo 17+ `quantity`, 16 `qty_done`
    Column("uom_id", "product_uom_id", "m2o"),
    Column("quantity_product_uom", "quantity_product_uom", "float"),
    Column("location_id", "location_id", "m2o"),
    Column("location_dest_id", "location_dest_id", "m2o"),
    Column("company_id", "company_id", "m2o"),
    Column("state", "state", "str"),
    Column("reference", "reference", "str"),
    Column("write_date", "write_date", "ts"),
)
MOVE_COLUMNS = (Column("move_id", "id", "id"), Column("move_picking_type_id", "picking_type_id", "m2o"))
PICKING_TYPE_COLUMNS = (Column("picking_type_id", "id", "id"), Column("picking_code", "code", "str"))
LOCATION_COLUMNS = (Column("location_id", "id", "id"), Column("usage", "usage", "str"))

CLEAN_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "move_line_id": pl.Int64(),
    "date_done": pl.Datetime("us", "UTC"),
    "move_id": pl.Int64(),
    "picking_id": pl.Int64(),
    "picking_type_id": pl.Int64(),
    "picking_code": pl.String(),
    "product_id": pl.Int64(),
    "lot_id": pl.Int64(),
    "lot_name": pl.String(),
    "quantity": pl.Float64(),
    "uom_id": pl.Int64(),
    "quantity_product_uom": pl.Float64(),
    "location_id": pl.Int64(),
    "location_dest_id": pl.Int64(),
    "location_usage": pl.String(),
    "location_dest_usage": pl.String(),
    "company_id": pl.Int64(),
    "state": pl.String(),
    "reference": pl.String(),
    "write_date": pl.Datetime("us", "UTC"),
}

CLEAN_MOVE_LINES = clean_spec("inventory_move_lines", CLEAN_SCHEMA)

STAR_COLUMNS: tuple[str, ...] = (
    # contract
    "date",
    "move_line_id",
    "move_id",
    "picking_id",
    "product_id",
    "lot_id",
    "quantity",
    "uom_id",
    "location_id",
    "location_dest_id",
    "company_id",
    # extras
    "date_done",
    "picking_type_id",
    "picking_code",
    "location_usage",
    "location_dest_usage",
    "reference",
    "write_date",
)


def clean_inventory_moves(raw: pl.DataFrame | None, tz: str | ZoneInfo) -> pl.DataFrame:
    """Raw records → one typed row per move line, with picking code and location usages."""
    zone = tz.key if isinstance(tz, ZoneInfo) else tz
    lines = records_frame(raw, LINE_MODEL, LINE_COLUMNS)
    moves = records_frame(raw, MOVE_MODEL, MOVE_COLUMNS).unique("move_id")
    types = records_frame(raw, PICKING_TYPE_MODEL, PICKING_TYPE_COLUMNS).unique(
        "picking_type_id"
    )
    locations = records_frame(raw, LOCATION_MODEL, LOCATION_COLUMNS).unique("location_id")
    source_usage = locations.rename({"usage": "location_usage"})
    dest_usage = locations.rename({"location_id": "location_dest_id", "usage": "location_dest_usage"})

    clean = (
        lines.join(moves, on="move_id", how="left")
        # the line's own picking type when the version has it, else its move's
        .with_columns(pl.coalesce("line_picking_type_id", "move_picking_type_id").alias("picking_type_id"))
        .join(types, on="picking_type_id", how="left")
        .with_columns(pl.coalesce("line_picking_code", "picking_code").alias("picking_code"))
        .join(source_usage, on="location_id", how="left")
        .join(dest_usage, on="location_dest_id", how="left")
        .with_columns(pl.col("date_done").dt.convert_time_zone(zone).dt.date().alias("date"))
    )
    return clean.select([pl.col(name).cast(dtype) for name, dtype in CLEAN_SCHEMA.items()]).sort(
        "move_line_id"
    )


def star_inventory_moves(clean: pl.DataFrame) -> pl.DataFrame:
    """Clean move lines → `fact_inventory_moves` (contract columns first, then extras)."""
    return clean.select(STAR_COLUMNS)


def transform(settings: Settings, lake: Lake, day: date) -> dict[str, int] | None:
    raw = read_raw(lake, DATASET, day)
    if raw is None:
        return None
    clean = clean_inventory_moves(raw, settings.business_tz)
    star = star_inventory_moves(clean)
    return {
        str(CLEAN_MOVE_LINES): lake.write_partition(CLEAN_MOVE_LINES, day, clean),
        str(FACT_INVENTORY_MOVES): lake.write_partition(FACT_INVENTORY_MOVES, day, star),
    }
