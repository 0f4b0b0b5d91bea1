"""Dimensions: raw Odoo records → typed `dim_*` tables, merged into the existing table by id.

Also home of the small helpers that turn Odoo values into typed columns (many2one → id, `False` →
null, UTC strings → aware timestamps); the inventory and quant transforms use them too.

Merge rule: for each id the row with the greatest `write_date` wins, a newer extraction winning ties,
so transforming an older raw partition after a newer one never brings back stale rows. A full refresh
replaces the table, which is how deleted records leave a dimension.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from shared.dates import ODOO_DATETIME_FORMAT
from shared.errors import SchemaError
from shared.lake import as_frame

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.lake import Lake

# ---------------------------------------------------------------- Odoo value normalisation


def m2o_id(value: Any) -> int | None:
    """A many2one as Odoo returns it (`[id, name]`, a bare id, or `False`) → the id or None."""
    if value is None or value is False:
        return None
    if isinstance(value, list | tuple):
        return int(value[0]) if value else None
    return int(value)


def plain(value: Any) -> Any:
    """Odoo's `False` for an empty non-boolean field → None."""
    return None if value is False else value


def odoo_timestamp(value: Any) -> datetime | None:
    """An Odoo UTC datetime string → an aware UTC datetime (None for empty)."""
    if value is None or value is False or value == "":
        return None
    text = str(value)[:19]
    return datetime.strptime(text, ODOO_DATETIME_FORMAT).replace(tzinfo=UTC)


def decode_records(raw: pl.DataFrame | None, model: str | None = None) -> list[dict[str, Any]]:
    """The records of a raw partition (JSON in `record`), optionally of one model only."""
    if raw is None or raw.height == 0:
        return []
    if model is not None:
        raw = raw.filter(pl.col("model") == model)
    return [json.loads(text) for text in raw.get_column("record").to_list()]


_KIND_DTYPES: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "m2o": pl.Int64(),
    "int": pl.Int64(),
    "str": pl.String(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "ts": pl.Datetime("us", "UTC"),
    "date": pl.Date(),
    "m2m": pl.List(pl.Int64()),
}


def _convert(kind: str, value: Any) -> Any:
    if kind in ("id", "m2o"):
        return m2o_id(value)
    if kind == "ts":
        return odoo_timestamp(value)
    if kind == "bool":
        return None if value is None else bool(value)
    if kind == "m2m":
        return [int(v) for v in value] if isinstance(value, list) else None
    value = plain(value)
    if value is None:
        return None
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "date":
        return datetime.strptime(str(value)[:10], "%Y-%m-%d").date()
    return str(value)


@dataclass(frozen=True)
class Column:
    """One typed output column read from one Odoo field."""

    name: str
    field: str
    kind: str


def _field_value(record: dict[str, Any], field: str) -> Any:
    # `a|b`: the first alternative the server returned (fields renamed across versions or modules)
    for name in field.split("|"):
        if name in record:
            return record[name]
    return None


def typed_frame(records: Iterable[dict[str, Any]], columns: Sequence[Column]) -> pl.DataFrame:
    """Records → a frame with exactly `columns`; a field the server did not return becomes null."""
    rows = list(records)
    data = {c.name: [_convert(c.kind, _field_value(r, c.field)) for r in rows] for c in columns}
    return pl.DataFrame(data, schema=frame_schema(columns))


def frame_schema(columns: Sequence[Column]) -> dict[str, pl.DataType]:
    return {c.name: _KIND_DTYPES[c.kind] for c in columns}


# ---------------------------------------------------------------- bulk decoding (polars, no per-row Python)

# How each kind is read out of the JSON text by `str.json_decode`. Many2ones come as `[id, name]` (or a bare
# id, which polars reads as a one-element list): a list of strings holds both, the first is the id.
_JSON_DTYPES: dict[str, pl.DataType] = {
    "id": pl.List(pl.String()),
    "m2o": pl.List(pl.String()),
    "int": pl.Int64(),
    "str": pl.String(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "ts": pl.String(),
    "date": pl.String(),
    "m2m": pl.List(pl.Int64()),
}
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DECODE_SLICE_ROWS = 2000


def _false_to_null(fields: Sequence[str]) -> tuple[str, str]:
    """A regex (and its replacement) turning `"field": false` into `"field": null` for `fields`.

    Odoo's `false` means "empty" on non-boolean fields, and polars would read it as 0, [0] or "false".
    The match needs `{` or `,` before the key's opening quote and a quote right after the name, which
    only a real key has (a quote inside a string value is escaped), so string contents stay as they are.
    """
    names = "|".join(sorted(fields))
    return rf'([{{,]\s*"(?:{names})"\s*:\s*)false', "${1}null"


def _present(field: str) -> pl.Expr:
    """True where the record has the key `field` (whatever its value)."""
    return pl.col("record").str.contains(rf'[{{,]\s*"{field}"\s*:')


def _typed(kind: str, value: pl.Expr) -> pl.Expr:
    """A decoded JSON value → the typed column, with the same result as `_convert`."""
    if kind in ("id", "m2o"):
        return value.list.first().cast(pl.Int64())
    if kind in ("ts", "date"):
        text = pl.when(value == "").then(None).otherwise(value)
        if kind == "date":
            return text.str.slice(0, 10).str.strptime(pl.Date(), "%Y-%m-%d")
        return (
            text.str.slice(0, 19)
            .str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S")
            .dt.replace_time_zone("UTC")
        )
    return value


def _bulk_decodable(columns: Sequence[Column]) -> bool:
    kinds: dict[str, str] = {}
    for column in columns:
        for name in column.field.split("|"):
            if not _FIELD_NAME.match(name) or kinds.setdefault(name, column.kind) != column.kind:
                return False
    return True


def records_frame(raw: pl.DataFrame | None, model: str | None, columns: Sequence[Column]) -> pl.DataFrame:
    """The records of `model` in a raw partition → a frame with exactly `columns`.

    Same result as `typed_frame(decode_records(raw, model), columns)`, but the JSON is decoded by polars
    in one pass (explicit dtypes, no per-row Python): the transforms' hot path.
    """
    schema = frame_schema(columns)
    if raw is None or raw.height == 0:
        return pl.DataFrame(schema=schema)
    if not _bulk_decodable(columns):
        return typed_frame(decode_records(raw, model), columns)
    texts = raw.select("model", "record")
    if model is not None:
        texts = texts.filter(pl.col("model") == model)
    if texts.height == 0:
        return pl.DataFrame(schema=schema)
    kinds = {name: c.kind for c in columns for name in c.field.split("|")}
    pattern, replacement = _false_to_null([name for name, kind in kinds.items() if kind != "bool"] or ["id"])
    struct = pl.Struct({name: _JSON_DTYPES[kind] for name, kind in kinds.items()})
    has = [f"_has_{name}" for c in columns if "|" in c.field for name in c.field.split("|")]

    def value(column: Column) -> pl.Expr:
        alternatives = column.field.split("|")
        expr = pl.col(alternatives[-1])
        # `a|b`: the first alternative the record has, as `_field_value` picks it
        for name in reversed(alternatives[:-1]):
            expr = pl.when(pl.col(f"_has_{name}")).then(pl.col(name)).otherwise(expr)
        return expr

    def decode(part: pl.DataFrame) -> pl.DataFrame:
        decoded = part.select(
            pl.col("record").str.replace_all(pattern, replacement).str.json_decode(struct).alias("_decoded"),
            *[_present(name[len("_has_"):]).alias(name) for name in has],
        ).unnest("_decoded")
        return decoded.select([_typed(c.kind, value(c)).cast(schema[c.name]).alias(c.name) for c in columns])

    # in slices: the JSON parser's intermediate values for a whole day would cost far more memory
    parts = [decode(texts.slice(offset, DECODE_SLICE_ROWS)) for offset in range(0, texts.height, DECODE_SLICE_ROWS)]
    return pl.concat(parts) if len(parts) > 1 else parts[0]


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` with exactly the columns of `schema`, in order; missing ones null (older files)."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )


# ---------------------------------------------------------------- dimension definitions


@dataclass(frozen=True)
class Dimension:
    """A dimension table: its Odoo model(s), the fields to ask for and the typed columns."""

    name: str  # dim_<name>
    models: tuple[str, ...]  # candidates, first present wins (versions and modules rename them)
    key: str
    columns: tuple[Column, ...]
    required: tuple[str, ...] = ("id", "display_name")
    optional_model: bool = False  # brands: only when a brand module is installed

    @property
    def table(self) -> str:
        return f"dim_{self.name}"


def _cols(*spec: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


_WRITE_DATE = ("write_date", "write_date", "ts")

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "products",
        ("product.product",),
        "product_id",
        _cols(
            ("product_id", "id", "id"),
            ("name", "name", "str"),
            ("default_code", "default_code", "str"),
            ("barcode", "barcode", "str"),
            ("categ_id", "categ_id", "m2o"),
            ("uom_id", "uom_id", "m2o"),
            ("product_tmpl_id", "product_tmpl_id", "m2o"),
            ("type", "type", "str"),
            ("list_price", "list_price", "float"),
            ("standard_price", "standard_price", "float"),
            ("active", "active", "bool"),
            ("brand_id", "brand_id|product_brand_id", "m2o"),
            ("company_id", "company_id", "m2o"),
            _WRITE_DATE,
        ),
        required=("id", "name", "categ_id", "uom_id", "active"),
    ),
    Dimension(
        "categories",
        ("product.category",),
        "categ_id",
        _cols(
            ("categ_id", "id", "id"),
            ("name", "name", "str"),
            ("complete_name", "complete_name", "str"),
            ("parent_id", "parent_id", "m2o"),
            _WRITE_DATE,
        ),
        required=("id", "name"),
    ),
    Dimension(
        "brands",
        ("product.brand",),
        "brand_id",
        _cols(("brand_id", "id", "id"), ("name", "name", "str"), _WRITE_DATE),
        required=("id", "name"),
        optional_model=True,
    ),
    Dimension(
        "taxes",
        ("account.tax",),
        "tax_id",
        _cols(
            ("tax_id", "id", "id"),
            ("name", "name", "str"),
            ("amount", "amount", "float"),
            ("amount_type", "amount_type", "str"),
            ("type_tax_use", "type_tax_use", "str"),
            ("price_include", "price_include", "bool"),
            ("active", "active", "bool"),
            ("company_id", "company_id", "m2o"),
            _WRITE_DATE,
        ),
        required=("id", "name", "amount", "type_tax_use", "active"),
    ),
    Dimension(
        "partners",
        ("res.partner",),
        "partner_id",
        _cols(
            ("partner_id", "id", "id"),
            ("name", "name", "str"),
            ("ref", "ref", "str"),
            ("is_company", "is_company", "bool"),
            ("parent_id", "parent_id", "m2o"),
            ("customer_rank", "customer_rank", "int"),
            ("supplier_rank", "supplier_rank", "int"),
            ("city", "city", "str"),
            ("active", "active", "bool"),
            ("company_id", "company_id", "m2o"),
            _WRITE_DATE,
        ),
        required=("id", "name"),
    ),
    Dimension(
        "locations",
        ("stock.location",),
        "location_id",
        _cols(
            ("location_id", "id", "id"),
            ("name", "name", "str"),
            ("complete_name", "complete_name", "str"),
            ("usage", "usage", "str"),
            ("parent_id", "location_id", "m2o"),
            ("active", "active", "bool"),
            ("company_id", "company_id", "m2o"),
            _WRITE_DATE,
        ),
        required=("id", "name", "usage"),
    ),
    Dimension(
        "uoms",
        ("uom.uom",),
        "uom_id",
        _cols(
            ("uom_id", "id", "id"),
            ("name", "name", "str"),
            ("category_id", "category_id", "m2o"),  # gone in Odoo 19: null there
            ("factor", "factor", "float"),
            ("uom_type", "uom_type", "str"),
            ("rounding", "rounding", "float"),
            ("active", "active", "bool"),
            _WRITE_DATE,
        ),
        required=("id", "name", "factor"),
    ),
    Dimension(
        "users",
        ("res.users",),
        "user_id",
        _cols(
            ("user_id", "id", "id"),
            ("name", "name", "str"),
            ("login", "login", "str"),
            ("partner_id", "partner_id", "m2o"),
            ("active", "active", "bool"),
            ("company_id", "company_id", "m2o"),
            _WRITE_DATE,
        ),
        required=("id", "name"),
    ),
    Dimension(
        "companies",
        ("res.company",),
        "company_id",
        _cols(
            ("company_id", "id", "id"),
            ("name", "name", "str"),
            ("currency_id", "currency_id", "m2o"),
            ("partner_id", "partner_id", "m2o"),
            _WRITE_DATE,
        ),
        required=("id", "name"),
    ),
    Dimension(
        "lots",
        ("stock.lot", "stock.production.lot"),  # renamed in Odoo 16
        "lot_id",
        _cols(
            ("lot_id", "id", "id"),
            ("name", "name", "str"),
            ("product_id", "product_id", "m2o"),
            ("company_id", "company_id", "m2o"),
            ("expiration_date", "expiration_date", "ts"),
            _WRITE_DATE,
        ),
        required=("id", "name", "product_id"),
    ),
)

DIMENSIONS_BY_NAME: dict[str, Dimension] = {d.name: d for d in DIMENSIONS}


def dimension_of_model(model: str) -> Dimension | None:
    for dim in DIMENSIONS:
        if model in dim.models:
            return dim
    return None


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


def dimension_spec(dim: Dimension) -> Any:
    """The lake table of a dimension: the contract's spec when shared/schemas.py declares one."""
    from functions.transform.frames import arrow_schema
    from shared import schemas
    from shared.lake import TableSpec

    declared = getattr(schemas, dim.table.upper(), None)
    if declared is not None:
        return declared
    return TableSpec("star-schema", dim.table, arrow_schema(frame_schema(dim.columns)), partitioned=False)


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


def transform(settings: Settings, lake: Lake, day: Any) -> dict[str, int] | None:
    """Merge the dimension refresh of raw/dimensions/date=D into every `dim_*` table it covers."""
    from functions.transform.frames import read_raw

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
