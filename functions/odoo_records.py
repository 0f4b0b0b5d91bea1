"""Odoo records as typed columns: the helpers every extract and transform shares.

many2one → id, `False` → null, UTC strings → aware timestamps, raw JSON records → typed frames
(`records_frame`), polars schemas → arrow schemas. Below the extract and transform modules, so both
import it and neither imports the other for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pyarrow as pa

from shared.dates import ODOO_DATETIME_FORMAT

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
