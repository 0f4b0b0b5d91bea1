"""Declared schemas of the contract tables (../shared/DESIGN.md): star-schema facts, the dimensions
the profit stage reads, and the profit outputs. Producers and consumers import the same TableSpec.

Types: ids Int64 (Odoo `False` -> null), amounts Float64, `date` Date (business day), timestamps UTC.
Tables owned by one stage only (raw, clean) are declared in that stage's module.
"""

from __future__ import annotations

import pyarrow as pa

from shared.lake import TableSpec

ID = pa.int64()
AMOUNT = pa.float64()
TS = pa.timestamp("us", tz="UTC")
IDS = pa.list_(pa.int64())


def _star(name: str, *fields: tuple[str, pa.DataType] | pa.Field, partitioned: bool = True) -> TableSpec:
    schema = pa.schema([f if isinstance(f, pa.Field) else pa.field(f[0], f[1]) for f in fields])
    return TableSpec("star-schema", name, schema, partitioned)


DAY = pa.field("date", pa.date32(), nullable=False)

# --- facts -----------------------------------------------------------------------------------------
FACT_SALES = _star(
    "fact_sales",
    DAY,
    ("order_id", ID),
    ("order_name", pa.string()),
    ("line_id", ID),
    ("date_order", TS),
    ("company_id", ID),
    ("partner_id", ID),
    ("user_id", ID),
    ("session_id", ID),
    ("config_id", ID),
    ("product_id", ID),
    ("quantity", AMOUNT),
    ("price_unit", AMOUNT),
    ("discount", AMOUNT),
    ("revenue_tax_ex", AMOUNT),
    ("revenue_tax_in", AMOUNT),
    ("tax_ids", IDS),
    ("state", pa.string()),
    # extra: the combo line an item line belongs to (Odoo 17+; the combo's own line is left out)
    ("combo_parent_id", ID),
)

FACT_POS_PAYMENTS = _star(
    "fact_pos_payments",
    DAY,
    ("order_id", ID),
    ("payment_id", ID),
    ("payment_method_id", ID),
    ("amount", AMOUNT),
    ("payment_date", TS),
)

FACT_INVOICE_SALES = _star(
    "fact_invoice_sales",
    DAY,
    ("move_id", ID),
    ("move_name", pa.string()),
    ("move_type", pa.string()),
    ("line_id", ID),
    ("company_id", ID),
    ("partner_id", ID),
    ("product_id", ID),
    ("quantity", AMOUNT),
    ("price_unit", AMOUNT),
    ("discount", AMOUNT),
    ("revenue_tax_ex", AMOUNT),
    ("revenue_tax_in", AMOUNT),
    ("tax_ids", IDS),
    ("uom_id", ID),
)

FACT_PURCHASES = _star(
    "fact_purchases",
    DAY,
    ("move_id", ID),
    ("move_name", pa.string()),
    ("move_type", pa.string()),
    ("line_id", ID),
    ("company_id", ID),
    ("partner_id", ID),
    ("product_id", ID),
    ("quantity", AMOUNT),
    ("price_unit", AMOUNT),
    ("discount", AMOUNT),
    ("actual_price", AMOUNT),
    ("tax_id", ID),
    ("tax_ids", IDS),
    ("uom_id", ID),
    ("price_subtotal", AMOUNT),
    # extras: where actual_price came from (the cost field's name, or price_after_discount when the
    # database has none), and whether two of the line's mapped taxes disagree on the multiplier
    ("cost_source", pa.string()),
    ("tax_conflict", pa.bool_()),
)

# Cash rounding, kept apart from revenue and cost (fact amounts are the product lines only): Odoo counts
# an invoice's or bill's 'rounding' line in amount_untaxed/amount_total, and Odoo 18 a POS order's cash
# rounding in amount_total. `amount` is signed like the facts (credit notes and vendor refunds
# negative); `line_id` is the rounding line (null for a POS order, whose rounding has no line).
_ROUNDING_FIELDS = (
    DAY, ("doc_id", ID), ("doc_name", pa.string()), ("line_id", ID), ("config_id", ID), ("company_id", ID),
    ("amount", AMOUNT),
)
FACT_POS_CASH_ROUNDING = _star("fact_pos_cash_rounding", *_ROUNDING_FIELDS)
FACT_INVOICE_CASH_ROUNDING = _star("fact_invoice_cash_rounding", *_ROUNDING_FIELDS)
FACT_PURCHASE_CASH_ROUNDING = _star("fact_purchase_cash_rounding", *_ROUNDING_FIELDS)

FACT_INVENTORY_MOVES = _star(
    "fact_inventory_moves",
    DAY,
    ("move_line_id", ID),
    ("move_id", ID),
    ("picking_id", ID),
    ("product_id", ID),
    ("lot_id", ID),
    ("quantity", AMOUNT),
    ("uom_id", ID),
    ("location_id", ID),
    ("location_dest_id", ID),
    ("company_id", ID),
    ("date_done", TS),
    ("picking_code", pa.string()),
    ("location_usage", pa.string()),
    ("location_dest_usage", pa.string()),
    ("picking_type_id", ID),
    ("reference", pa.string()),
    ("write_date", TS),
)

FACT_STOCK_QUANTS = _star(
    "fact_stock_quants",
    DAY,
    ("quant_id", ID),
    ("product_id", ID),
    ("location_id", ID),
    ("lot_id", ID),
    ("quantity", AMOUNT),
    ("reserved_quantity", AMOUNT),
    ("company_id", ID),
    ("as_of", TS),  # the moment the stock is valid for: end of D, or when read for a day not yet over
    ("reconstructed", pa.bool_()),  # rebuilt from current quants minus the done moves after D
)

# --- dimensions (one file each, refreshed by the dimensions target) ---------------------------------
DIM_PRODUCTS = _star(
    "dim_products",
    ("product_id", ID),
    ("name", pa.string()),
    ("default_code", pa.string()),
    ("barcode", pa.string()),
    ("categ_id", ID),
    ("uom_id", ID),
    ("brand_id", ID),
    ("list_price", AMOUNT),
    ("active", pa.bool_()),
    ("write_date", TS),
    ("product_tmpl_id", ID),
    ("type", pa.string()),
    ("standard_price", AMOUNT),
    ("company_id", ID),
    partitioned=False,
)

DIM_TAXES = _star(
    "dim_taxes",
    ("tax_id", ID),
    ("name", pa.string()),
    ("amount", AMOUNT),
    ("amount_type", pa.string()),
    ("type_tax_use", pa.string()),
    ("active", pa.bool_()),
    ("write_date", TS),
    ("price_include", pa.bool_()),
    ("company_id", ID),
    partitioned=False,
)

DIM_UOMS = _star(
    "dim_uoms",
    ("uom_id", ID),
    ("name", pa.string()),
    ("category_id", ID),
    ("factor", AMOUNT),
    ("uom_type", pa.string()),
    ("active", pa.bool_()),
    ("write_date", TS),
    ("rounding", AMOUNT),
    partitioned=False,
)

# --- profit outputs (owned by functions/profit; contract columns first, then extras) ----------------
# Partition = the purchase's business day.
FACT_PRODUCT_COST_EVENTS = _star(
    "fact_product_cost_events",
    DAY,
    ("product_id", ID),
    ("move_id", ID),
    ("move_name", pa.string()),
    ("line_id", ID),
    ("company_id", ID),
    ("partner_id", ID),
    ("quantity", AMOUNT),
    ("actual_price", AMOUNT),  # per bill-line unit, tax excluded
    ("tax_id", ID),
    ("line_uom_id", ID),  # the bill line's unit
    ("tax_multiplier", AMOUNT),  # from the configured map; any other or no tax -> 1.0
    ("product_uom_id", ID),  # the product's unit (dim_products)
    ("uom_ratio", AMOUNT),  # line_uom.factor / product_uom.factor (Odoo <= 17 factors); 1.0 = no conversion
    ("unit_cost_tax_in", AMOUNT),  # actual_price x tax_multiplier x uom_ratio: per product unit, tax in
)

# Partition D = each product's latest cost event with date <= D (cost_date = that event's date).
FACT_PRODUCT_COST_LATEST_DAILY = _star(
    "fact_product_cost_latest_daily",
    DAY,
    ("product_id", ID),
    ("cost_date", pa.date32()),
    ("move_id", ID),
    ("line_id", ID),
    ("actual_price", AMOUNT),
    ("tax_id", ID),
    ("line_uom_id", ID),
    ("tax_multiplier", AMOUNT),
    ("product_uom_id", ID),
    ("uom_ratio", AMOUNT),
    ("unit_cost_tax_in", AMOUNT),
)

FACT_SALES_LINES_PROFIT = _star(
    "fact_sales_lines_profit",
    DAY,
    ("source", pa.string()),  # pos | invoice
    ("doc_id", ID),  # pos order_id | invoice move_id
    ("doc_name", pa.string()),
    ("line_id", ID),
    ("company_id", ID),
    ("partner_id", ID),
    ("product_id", ID),
    ("quantity", AMOUNT),
    ("revenue_tax_ex", AMOUNT),
    ("revenue_tax_in", AMOUNT),
    ("cost_date", pa.date32()),  # date of the cost event used (null when none)
    ("unit_cost_tax_in", AMOUNT),  # null when no cost is known
    ("cogs_tax_in", AMOUNT),  # 0 when no cost is known
    ("gross_profit", AMOUNT),
    ("cost_missing", pa.bool_()),
)

_AGG = (
    ("revenue_tax_ex", AMOUNT),
    ("revenue_tax_in", AMOUNT),
    ("cogs_tax_in", AMOUNT),
    ("gross_profit", AMOUNT),
    ("quantity", AMOUNT),
    ("transactions", ID),  # distinct (source, doc_id)
    ("lines", ID),
    ("cost_missing_lines", ID),
)

AGG_PROFIT_DAILY = _star("agg_profit_daily", DAY, *_AGG)
AGG_PROFIT_DAILY_BY_PRODUCT = _star("agg_profit_daily_by_product", DAY, ("product_id", ID), *_AGG)
# POS lines by the hour of the order (date_order in BUSINESS_TZ) and POS config (the shop's till;
# 0 when the order has none). Invoice lines have a date but no time of day in Odoo: not in here.
AGG_PROFIT_HOURLY = _star("agg_profit_hourly", DAY, ("config_id", ID), ("hour", ID), *_AGG)

STAR_FACTS = (
    FACT_SALES,
    FACT_POS_PAYMENTS,
    FACT_INVOICE_SALES,
    FACT_PURCHASES,
    FACT_INVENTORY_MOVES,
    FACT_STOCK_QUANTS,
    FACT_POS_CASH_ROUNDING,
    FACT_INVOICE_CASH_ROUNDING,
    FACT_PURCHASE_CASH_ROUNDING,
)
PROFIT_OUTPUTS = (
    FACT_PRODUCT_COST_EVENTS,
    FACT_PRODUCT_COST_LATEST_DAILY,
    FACT_SALES_LINES_PROFIT,
    AGG_PROFIT_DAILY,
    AGG_PROFIT_DAILY_BY_PRODUCT,
    AGG_PROFIT_HOURLY,
)
