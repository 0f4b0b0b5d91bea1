"""Stock quants: raw current quants (+ the done moves since the end of D) → on-hand at the end of D.

Odoo keeps only the current quant state. For a day D that has ended, the extractor stores the current
quants of internal locations together with every done move line dated from the end of D to the moment
the quants were read; this transform takes those moves back out per (product, location, lot):

    on_hand(end of D) = current quant − Σ moves into the location after D + Σ moves out of it after D

so a past day is never labelled with today's stock. Only storable products have quants in Odoo: the
moves of the products the extractor recorded as non-storable (`_non_storable`: consumables, services)
are not taken back out. Reconstructed rows are one per (product, location,
lot, company) with `quant_id` = the smallest current quant id there (null when nothing is left now) and
`reserved_quantity` null: reservations of the past cannot be rebuilt. A snapshot of a day that has not
ended (today) keeps the quant grain and the reserved quantity as Odoo returned them.
Quantities are in the product's unit: `quantity_product_uom` when the server has it, else the line
quantity converted with the UoM factors (Odoo <= 18: qty / line_uom.factor × product_uom.factor;
Odoo 19, whose factor counts reference units per unit: qty × line_uom.factor / product_uom.factor).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from functions.odoo_records import Column, decode_records, frame_schema, odoo_timestamp, records_frame
from functions.transform.frames import clean_spec, read_raw
from shared.schemas import FACT_STOCK_QUANTS

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake

DATASET = "stock_quants"

QUANT_MODEL = "stock.quant"
LINE_MODEL = "stock.move.line"
LOCATION_MODEL = "stock.location"
UOM_MODEL = "uom.uom"
PRODUCT_MODEL = "product.product"
SNAPSHOT_MODEL = "_snapshot"  # one record written by the extractor: when the quants were read, for which D

QUANT_COLUMNS = (
    Column("quant_id", "id", "id"),
    Column("product_id", "product_id", "m2o"),
    Column("location_id", "location_id", "m2o"),
    Column("lot_id", "lot_id", "m2o"),
    Column("quantity", "quantity", "float"),
    Column("reserved_quantity", "reserved_quantity", "float"),
    Column("company_id", "company_id", "m2o"),
    Column("in_date", "in_date", "ts"),
)
LATER_MOVE_COLUMNS = (
    Column("move_line_id", "id", "id"),
    Column("product_id", "product_id", "m2o"),
    Column("lot_id", "lot_id", "m2o"),
    Column("quantity", "quantity|qty_done", "float"),
    Column("quantity_product_uom", "quantity_product_uom", "float"),
    Column("uom_id", "product_uom_id", "m2o"),
    Column("location_id", "location_id", "m2o"),
    Column("location_dest_id", "location_dest_id", "m2o"),
    Column("company_id", "company_id", "m2o"),
)
LOCATION_COLUMNS = (Column("location_id", "id", "id"), Column("usage", "usage", "str"))
UOM_COLUMNS = (Column("uom_id", "id", "id"), Column("factor", "factor", "float"))
PRODUCT_COLUMNS = (Column("product_id", "id", "id"), Column("product_uom_id", "uom_id", "m2o"))
NON_STORABLE_MODEL = "_non_storable"  # written by the extractor: products Odoo keeps no quants of

KEY = ["product_id", "location_id", "lot_id", "company_id"]

STAR_SCHEMA: dict[str, pl.DataType] = {
    # contract
    "date": pl.Date(),
    "quant_id": pl.Int64(),
    "product_id": pl.Int64(),
    "location_id": pl.Int64(),
    "lot_id": pl.Int64(),
    "quantity": pl.Float64(),
    "reserved_quantity": pl.Float64(),
    "company_id": pl.Int64(),
    # extras: the moment the stock is valid for, and whether it was rebuilt from later moves
    "as_of": pl.Datetime("us", "UTC"),
    "reconstructed": pl.Boolean(),
}


def snapshot_info(raw: pl.DataFrame | None) -> dict[str, Any]:
    """The extractor's snapshot record: `taken_at` and `as_of` (end of D, or taken_at for today)."""
    records = decode_records(raw, SNAPSHOT_MODEL)
    if not records:
        raise ValueError("raw stock_quants partition has no snapshot record")
    record = records[0]
    return {
        "day": record["day"],
        "taken_at": odoo_timestamp(record["taken_at"]),
        "as_of": odoo_timestamp(record["as_of"]),
        "reconstructed": bool(record["reconstructed"]),
        "uom_factor": record.get("uom_factor") or "units_per_reference",
    }


def later_moves_in_product_uom(raw: pl.DataFrame | None, uom_factor: str = "units_per_reference") -> pl.DataFrame:
    """The done move lines after D with `qty` in the product's unit of measure.

    `uom_factor`: what `uom.uom.factor` means on that server — Odoo <= 18 `units_per_reference`
    (Dozens 1/12: qty / line.factor × product.factor), Odoo 19 `reference_per_unit` (Dozens 12:
    qty × line.factor / product.factor).
    """
    lines = records_frame(raw, LINE_MODEL, LATER_MOVE_COLUMNS)
    uoms = records_frame(raw, UOM_MODEL, UOM_COLUMNS).unique("uom_id")
    products = records_frame(raw, PRODUCT_MODEL, PRODUCT_COLUMNS).unique("product_id")
    line_uom = uoms.rename({"factor": "line_factor"})
    product_uom = uoms.rename({"uom_id": "product_uom_id", "factor": "product_factor"})
    converted = (
        lines.join(products, on="product_id", how="left")
        .join(line_uom, on="uom_id", how="left")
        .join(product_uom, on="product_uom_id", how="left")
        .with_columns(
            pl.when(pl.col("quantity_product_uom").is_not_null())
            .then(pl.col("quantity_product_uom"))
            .when(
                pl.col("uom_id").is_null()
                | (pl.col("uom_id") == pl.col("product_uom_id"))
                | pl.col("line_factor").is_null()
                | pl.col("product_factor").is_null()
            )
            .then(pl.col("quantity"))
            .otherwise(
                pl.col("quantity") / pl.col("line_factor") * pl.col("product_factor")
                if uom_factor == "units_per_reference"
                else pl.col("quantity") * pl.col("line_factor") / pl.col("product_factor")
            )
            .alias("qty")
        )
    )
    return converted.select(["move_line_id", "product_id", "lot_id", "location_id", "location_dest_id",
                             "company_id", "qty"])


def non_storable_ids(raw: pl.DataFrame | None) -> list[int]:
    """Products whose moves change no quant (consumables, services), as the extractor found them; none
    in a partition written before it recorded them (every move counts then, as it did)."""
    records = decode_records(raw, NON_STORABLE_MODEL)
    return [int(pid) for record in records for pid in record.get("product_ids") or []]


def undo_later_moves(quants: pl.DataFrame, later: pl.DataFrame, internal_ids: list[int]) -> pl.DataFrame:
    """Current quants minus the effect of `later` moves on internal locations, per KEY."""
    internal = pl.Series(internal_ids, dtype=pl.Int64())
    # a move took qty out of its source and put it into its destination: undo both sides
    put_back = later.filter(pl.col("location_id").is_in(internal.implode())).select(
        "product_id", "location_id", "lot_id", "company_id", pl.col("qty").alias("delta")
    )
    take_out = later.filter(pl.col("location_dest_id").is_in(internal.implode())).select(
        "product_id",
        pl.col("location_dest_id").alias("location_id"),
        "lot_id",
        "company_id",
        (-pl.col("qty")).alias("delta"),
    )
    deltas = pl.concat([put_back, take_out]).group_by(KEY).agg(pl.col("delta").sum())
    current = quants.group_by(KEY).agg(
        pl.col("quant_id").min(),
        pl.col("quantity").sum(),
    )
    merged = current.join(deltas, on=KEY, how="full", coalesce=True, nulls_equal=True)
    return (
        merged.with_columns(
            (pl.col("quantity").fill_null(0.0) + pl.col("delta").fill_null(0.0)).alias("quantity"),
            pl.lit(None, dtype=pl.Float64()).alias("reserved_quantity"),
        )
        # keep every current quant; add a rebuilt row only where something was on hand then
        .filter(pl.col("quant_id").is_not_null() | (pl.col("quantity").abs() > 1e-9))
        .select("quant_id", *KEY, "quantity", "reserved_quantity")
    )


def star_stock_quants(raw: pl.DataFrame | None) -> pl.DataFrame:
    """Raw quants snapshot of day D → `fact_stock_quants` rows for D."""
    info = snapshot_info(raw)
    quants = records_frame(raw, QUANT_MODEL, QUANT_COLUMNS)
    if info["reconstructed"]:
        locations = records_frame(raw, LOCATION_MODEL, LOCATION_COLUMNS)
        internal_ids = locations.filter(pl.col("usage") == "internal").get_column("location_id").to_list()
        later = later_moves_in_product_uom(raw, info["uom_factor"]).filter(
            ~pl.col("product_id").is_in(pl.Series(non_storable_ids(raw), dtype=pl.Int64()).implode())
        )
        rows = undo_later_moves(quants, later, internal_ids)
    else:
        rows = quants.select("quant_id", *KEY, "quantity", "reserved_quantity")
    day = date.fromisoformat(info["day"])
    star = rows.with_columns(
        pl.lit(day, dtype=pl.Date()).alias("date"),
        pl.lit(info["as_of"], dtype=pl.Datetime("us", "UTC")).alias("as_of"),
        pl.lit(info["reconstructed"]).alias("reconstructed"),
    )
    return star.select([pl.col(n).cast(t) for n, t in STAR_SCHEMA.items()]).sort(
        ["product_id", "location_id", "lot_id", "quant_id"], nulls_last=True
    )


def clean_quants(raw: pl.DataFrame | None) -> pl.DataFrame:
    """The current quants as Odoo returned them, typed, with when they were read."""
    info = snapshot_info(raw)
    quants = records_frame(raw, QUANT_MODEL, QUANT_COLUMNS)
    return quants.with_columns(pl.lit(info["taken_at"], dtype=pl.Datetime("us", "UTC")).alias("taken_at"))


CLEAN_SCHEMA: dict[str, pl.DataType] = {
    **frame_schema(QUANT_COLUMNS),
    "taken_at": pl.Datetime("us", "UTC"),
}
CLEAN_QUANTS = clean_spec("stock_quants_current", CLEAN_SCHEMA)


def transform(settings: Settings, lake: Lake, day: date) -> dict[str, int] | None:
    raw = read_raw(lake, DATASET, day)
    if raw is None:
        return None
    return {
        str(CLEAN_QUANTS): lake.write_partition(CLEAN_QUANTS, day, clean_quants(raw)),
        str(FACT_STOCK_QUANTS): lake.write_partition(FACT_STOCK_QUANTS, day, star_stock_quants(raw)),
    }
