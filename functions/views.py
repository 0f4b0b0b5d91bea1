"""DuckDB views over the lake's star schema: `open_views(lake)` → a connection with one view per table.

- every partitioned table under `star-schema/` (the facts, the profit outputs, anything added later)
  becomes a view named after it, over all its partitions (`union_by_name`, so older partitions
  without a newer column read as null);
- every `star-schema/dim_<name>.parquet` becomes the view `dim_<name>`;
- a contract table with no data yet is still a view (empty, with its declared columns), so queries
  and dashboards do not break on a fresh lake;
- `fact_sales_all` = POS lines ∪ invoice lines with a `source` column (`pos` / `invoice`).

The views read the files the lake's store gives (`readable_paths`): in place on a local lake, local
copies fetched from an object store (gs://, s3://), so DuckDB needs no cloud extension.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from functions.dimension_catalogue import DIMENSIONS, dimension_spec
from shared import schemas

if TYPE_CHECKING:
    import duckdb

    from shared.lake import Lake, TableSpec

STAR_PREFIX = "star-schema/"
_VIEW_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_PARTITION_KEY = re.compile(r"^star-schema/([^/]+)/date=\d{4}-\d{2}-\d{2}/part-0\.parquet$")
_TABLE_KEY = re.compile(r"^star-schema/([^/]+)\.parquet$")

# The contract's union of sales lines; doc_id/doc_name are the order (POS) or the invoice (invoice).
FACT_SALES_ALL_SQL = """
CREATE OR REPLACE VIEW fact_sales_all AS
SELECT 'pos' AS source, date, order_id AS doc_id, order_name AS doc_name, line_id, company_id,
       partner_id, user_id, product_id, quantity, price_unit, discount, revenue_tax_ex, revenue_tax_in,
       tax_ids
FROM fact_sales
UNION ALL
SELECT 'invoice' AS source, date, move_id AS doc_id, move_name AS doc_name, line_id, company_id,
       partner_id, CAST(NULL AS BIGINT) AS user_id, product_id, quantity, price_unit, discount,
       revenue_tax_ex, revenue_tax_in, tax_ids
FROM fact_invoice_sales
"""


def declared_specs() -> list[TableSpec]:
    """Every star-schema table the code declares (facts, profit outputs, dimensions)."""
    specs = [*schemas.STAR_FACTS, *schemas.PROFIT_OUTPUTS, *(dimension_spec(d) for d in DIMENSIONS)]
    return list({spec.name: spec for spec in specs}.values())


def lake_tables(lake: Lake) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Keys under star-schema/: partitioned name → partition keys (by date), single-file name → key."""
    partitioned: dict[str, list[str]] = {}
    single: dict[str, str] = {}
    for key in sorted(lake.store.list(STAR_PREFIX)):
        if match := _PARTITION_KEY.match(key):
            partitioned.setdefault(match.group(1), []).append(key)
        elif match := _TABLE_KEY.match(key):
            single[match.group(1)] = key
    return partitioned, single


def _read_keys(con: duckdb.DuckDBPyConnection, lake: Lake, keys: list[str]) -> duckdb.DuckDBPyRelation:
    """A relation over some lake objects, read from the files the store gives (every store alike)."""
    return con.read_parquet(lake.store.readable_paths(keys), union_by_name=True)


def open_views(lake: Lake, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (in memory unless given) with a view for every star-schema table."""
    import duckdb

    con = con or duckdb.connect()
    partitioned, single = lake_tables(lake)
    names: set[str] = set()
    for name, keys in {**partitioned, **{n: [k] for n, k in single.items()}}.items():
        if not _VIEW_NAME.match(name):
            continue  # not a table name we made; never quote arbitrary folder names into SQL
        _read_keys(con, lake, keys).create_view(name, replace=True)
        names.add(name)
    for spec in declared_specs():
        if spec.name not in names:
            con.from_arrow(spec.schema.empty_table()).create_view(spec.name, replace=True)
    con.execute(FACT_SALES_ALL_SQL)
    return con
