"""The dimension catalogue: each `dim_*` table's Odoo model(s), fields and typed columns.

Extract asks Odoo for these fields and transform types them; both read this one declaration.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.odoo_records import Column, arrow_schema, frame_schema
from shared import schemas
from shared.lake import TableSpec

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


def dimension_spec(dim: Dimension) -> TableSpec:
    """The lake table of a dimension: the contract's spec when shared/schemas.py declares one."""
    declared = getattr(schemas, dim.table.upper(), None)
    if declared is not None:
        return declared
    return TableSpec("star-schema", dim.table, arrow_schema(frame_schema(dim.columns)), partitioned=False)
