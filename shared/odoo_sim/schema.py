"""Models and fields the simulator serves, with their Odoo 16/17/19 differences.

Only the field *metadata* lives here; values come from dataset.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Field:
    type: str
    string: str
    relation: str | None = None
    selection: tuple[tuple[str, str], ...] | None = None
    store: bool = True
    aggregator: str | None = None  # numeric fields default to sum
    # Delegated from a parent model through _inherits (product.product -> product.template,
    # res.users -> res.partner): Odoo reports store False, yet sorts and groups by it via the parent.
    inherited: bool = False

    @property
    def sortable(self) -> bool:
        return self.store or self.inherited

    def describe(self, name: str) -> dict:
        info = {
            "type": self.type,
            "string": self.string,
            "name": name,
            "store": self.store and not self.inherited,
            "readonly": name
            in ("id", "display_name", "create_date", "write_date", "create_uid", "write_uid"),
            "required": name in ("name",),
            "searchable": True,
            "sortable": self.sortable,
            "groupable": self.sortable and self.type not in ("one2many", "many2many", "text", "binary"),
            "help": "",
        }
        if self.relation:
            info["relation"] = self.relation
        if self.selection is not None:
            info["selection"] = [list(item) for item in self.selection]
        if self.type in ("integer", "float", "monetary"):
            info["group_operator"] = self.aggregator or "sum"
        return info


def _f(type_: str, string: str, relation: str | None = None, **kw) -> Field:
    return Field(type_, string, relation, **kw)


def m2o(relation: str, string: str) -> Field:
    return Field("many2one", string, relation)


def o2m(relation: str, string: str) -> Field:
    return Field("one2many", string, relation)


def m2m(relation: str, string: str) -> Field:
    return Field("many2many", string, relation)


def sel(string: str, *values: str, labels: dict | None = None, store: bool = True) -> Field:
    labels = labels or {}
    return Field(
        "selection",
        string,
        selection=tuple((v, labels.get(v, v.replace("_", " ").title())) for v in values),
        store=store,
    )


CHAR, FLOAT, INT, BOOL, DATE, DATETIME = "char", "float", "integer", "boolean", "date", "datetime"

COMMON = {
    "id": _f(INT, "ID"),
    "display_name": _f(CHAR, "Display Name", store=False),
    "create_date": _f(DATETIME, "Created on"),
    "write_date": _f(DATETIME, "Last Updated on"),
    "create_uid": m2o("res.users", "Created by"),
    "write_uid": m2o("res.users", "Last Updated by"),
}

MOVE_TYPES = ("entry", "out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt", "in_receipt")
DISPLAY_TYPES = (
    "product",
    "cogs",
    "tax",
    "discount",
    "rounding",
    "payment_term",
    "line_section",
    "line_note",
    "epd",
)
MOVE_STATES = ("draft", "posted", "cancel")
STOCK_STATES = ("draft", "waiting", "confirmed", "partially_available", "assigned", "done", "cancel")
PICKING_CODES = ("incoming", "outgoing", "internal")

_BASE_MODELS: dict[str, dict[str, Field]] = {
    "pos.order": {
        "name": _f(CHAR, "Order Ref"),
        "date_order": _f(DATETIME, "Date"),
        "state": sel(
            "Status",
            "draft",
            "cancel",
            "paid",
            "done",
            "invoiced",
            labels={"draft": "New", "cancel": "Cancelled", "done": "Posted"},
        ),
        "partner_id": m2o("res.partner", "Customer"),
        "user_id": m2o("res.users", "Employee"),
        "company_id": m2o("res.company", "Company"),
        "session_id": m2o("pos.session", "Session"),
        "config_id": m2o("pos.config", "Point of Sale"),
        "amount_total": _f(FLOAT, "Total"),
        "amount_tax": _f(FLOAT, "Taxes"),
        "amount_paid": _f(FLOAT, "Paid"),
        "amount_return": _f(FLOAT, "Returned"),
        "lines": o2m("pos.order.line", "Order Lines"),
        "payment_ids": o2m("pos.payment", "Payments"),
        "pos_reference": _f(CHAR, "Receipt Number"),
        "account_move": m2o("account.move", "Invoice"),
        "is_refund": _f(BOOL, "Is Refund", store=False),
    },
    "pos.order.line": {
        "name": _f(CHAR, "Line No"),
        "order_id": m2o("pos.order", "Order Ref"),
        "product_id": m2o("product.product", "Product"),
        "full_product_name": _f(CHAR, "Full Product Name"),
        "qty": _f(FLOAT, "Quantity"),
        "price_unit": _f(FLOAT, "Unit Price"),
        "discount": _f(FLOAT, "Discount (%)"),
        "price_subtotal": _f(FLOAT, "Subtotal w/o Tax"),
        "price_subtotal_incl": _f(FLOAT, "Subtotal"),
        "tax_ids": m2m("account.tax", "Taxes"),
        # computed, not stored (point_of_sale/models/pos_order.py, 16-19)
        "tax_ids_after_fiscal_position": Field("many2many", "Taxes to Apply", "account.tax", store=False),
        "refunded_orderline_id": m2o("pos.order.line", "Refunded Order Line"),
        "total_cost": _f(FLOAT, "Total cost"),
        "company_id": m2o("res.company", "Company"),
    },
    "pos.payment": {
        "name": _f(CHAR, "Label"),
        "pos_order_id": m2o("pos.order", "Order"),
        "payment_method_id": m2o("pos.payment.method", "Payment Method"),
        "amount": _f(FLOAT, "Amount"),
        "payment_date": _f(DATETIME, "Date"),
        "session_id": m2o("pos.session", "Session"),
        "company_id": m2o("res.company", "Company"),
        "is_change": _f(BOOL, "Is this payment change?"),
    },
    "pos.payment.method": {
        "name": _f(CHAR, "Method"),
        "is_cash_count": _f(BOOL, "Cash"),
        "active": _f(BOOL, "Active"),
        "company_id": m2o("res.company", "Company"),
    },
    "pos.session": {
        "name": _f(CHAR, "Session ID"),
        "config_id": m2o("pos.config", "Point of Sale"),
        "user_id": m2o("res.users", "Opened By"),
        "start_at": _f(DATETIME, "Opening Date"),
        "stop_at": _f(DATETIME, "Closing Date"),
        "state": sel("Status", "opening_control", "opened", "closing_control", "closed"),
        "company_id": m2o("res.company", "Company"),
    },
    "pos.config": {
        "name": _f(CHAR, "Point of Sale"),
        "active": _f(BOOL, "Active"),
        "company_id": m2o("res.company", "Company"),
        "picking_type_id": m2o("stock.picking.type", "Operation Type"),
        "cash_rounding": _f(BOOL, "Cash Rounding"),
        "only_round_cash_method": _f(BOOL, "Only apply rounding on cash"),
        "rounding_method": m2o("account.cash.rounding", "Cash rounding"),
    },
    "account.cash.rounding": {
        "name": _f(CHAR, "Name"),
        "rounding": _f(FLOAT, "Rounding Precision"),
        "strategy": sel("Rounding Strategy", "biggest_tax", "add_invoice_line"),
        "rounding_method": sel("Rounding Method", "UP", "DOWN", "HALF-UP"),
    },
    "account.move": {
        "name": _f(CHAR, "Number"),
        "ref": _f(CHAR, "Reference"),
        "move_type": sel("Type", *MOVE_TYPES),
        "state": sel("Status", *MOVE_STATES),
        "date": _f(DATE, "Date"),
        "invoice_date": _f(DATE, "Invoice/Bill Date"),
        "partner_id": m2o("res.partner", "Partner"),
        "company_id": m2o("res.company", "Company"),
        "currency_id": m2o("res.currency", "Currency"),
        "amount_untaxed": _f(FLOAT, "Untaxed Amount"),
        "amount_tax": _f(FLOAT, "Tax"),
        "amount_total": _f(FLOAT, "Total"),
        "amount_untaxed_signed": _f(FLOAT, "Untaxed Amount Signed"),
        "amount_total_signed": _f(FLOAT, "Total Signed"),
        "line_ids": o2m("account.move.line", "Journal Items"),
        "invoice_line_ids": o2m("account.move.line", "Invoice lines"),
        # point_of_sale: the POS orders an invoice was made for (inverse of pos.order.account_move).
        "pos_order_ids": o2m("pos.order", "POS Orders"),
        "invoice_origin": _f(CHAR, "Origin"),
        "reversed_entry_id": m2o("account.move", "Reversal of"),
        "payment_state": sel("Payment Status", "not_paid", "in_payment", "paid", "partial", "reversed"),
        "invoice_cash_rounding_id": m2o("account.cash.rounding", "Cash Rounding Method"),
    },
    "account.move.line": {
        "name": _f(CHAR, "Label"),
        "move_id": m2o("account.move", "Journal Entry"),
        "move_name": _f(CHAR, "Number"),
        # related to move_id.move_type, not stored (account/models/account_move_line.py)
        "move_type": Field("selection", "Type", selection=tuple((v, v.replace("_", " ").title()) for v in MOVE_TYPES),
                           store=False),
        "parent_state": sel("Status", *MOVE_STATES),
        "display_type": sel("Display Type", *DISPLAY_TYPES),
        "date": _f(DATE, "Date"),
        "invoice_date": _f(DATE, "Invoice/Bill Date"),
        "product_id": m2o("product.product", "Product"),
        "product_uom_id": m2o("uom.uom", "Unit of Measure"),
        "quantity": _f(FLOAT, "Quantity"),
        "price_unit": _f(FLOAT, "Unit Price"),
        "discount": _f(FLOAT, "Discount (%)"),
        "price_subtotal": _f(FLOAT, "Subtotal"),
        "price_total": _f(FLOAT, "Total"),
        "balance": _f(FLOAT, "Balance"),
        "debit": _f(FLOAT, "Debit"),
        "credit": _f(FLOAT, "Credit"),
        "tax_ids": m2m("account.tax", "Taxes"),
        "tax_line_id": m2o("account.tax", "Originator Tax"),
        "partner_id": m2o("res.partner", "Partner"),
        "company_id": m2o("res.company", "Company"),
        "currency_id": m2o("res.currency", "Currency"),
        "company_currency_id": m2o("res.currency", "Company Currency"),
        # Custom field of this customer's database (vendor-bill lines; 0.0 elsewhere).
        "actual_price": _f(FLOAT, "Actual Price"),
    },
    "stock.picking": {
        "name": _f(CHAR, "Reference"),
        "origin": _f(CHAR, "Source Document"),
        "picking_type_id": m2o("stock.picking.type", "Operation Type"),
        "picking_type_code": sel("Type of Operation", *PICKING_CODES),
        "location_id": m2o("stock.location", "Source Location"),
        "location_dest_id": m2o("stock.location", "Destination Location"),
        "partner_id": m2o("res.partner", "Contact"),
        "state": sel("Status", "draft", "waiting", "confirmed", "assigned", "done", "cancel"),
        "scheduled_date": _f(DATETIME, "Scheduled Date"),
        "date_done": _f(DATETIME, "Date of Transfer"),
        "company_id": m2o("res.company", "Company"),
        "move_ids": o2m("stock.move", "Stock Moves"),
        "move_line_ids": o2m("stock.move.line", "Operations"),
    },
    "stock.picking.type": {
        "name": _f(CHAR, "Operation Type"),
        "code": sel("Type of Operation", *PICKING_CODES),
        "sequence_code": _f(CHAR, "Sequence Prefix"),
        "active": _f(BOOL, "Active"),
        "company_id": m2o("res.company", "Company"),
    },
    "stock.move": {
        "name": _f(CHAR, "Description"),
        "reference": _f(CHAR, "Reference"),
        "origin": _f(CHAR, "Source Document"),
        "picking_id": m2o("stock.picking", "Transfer"),
        "picking_type_id": m2o("stock.picking.type", "Operation Type"),
        "product_id": m2o("product.product", "Product"),
        "product_uom_qty": _f(FLOAT, "Demand"),
        "product_qty": _f(FLOAT, "Real Quantity"),
        "quantity": _f(FLOAT, "Quantity"),
        "product_uom": m2o("uom.uom", "UoM"),
        "location_id": m2o("stock.location", "Source Location"),
        "location_dest_id": m2o("stock.location", "Destination Location"),
        "partner_id": m2o("res.partner", "Destination Address"),
        "state": sel("Status", *STOCK_STATES),
        "date": _f(DATETIME, "Date Scheduled"),
        "company_id": m2o("res.company", "Company"),
        "move_line_ids": o2m("stock.move.line", "Move Lines"),
    },
    "stock.move.line": {
        "reference": _f(CHAR, "Reference"),
        "move_id": m2o("stock.move", "Stock Operation"),
        "picking_id": m2o("stock.picking", "Transfer"),
        # computed (from picking_id) and related (picking_type_id.code), neither stored
        # (stock/models/stock_move_line.py, 16-18)
        "picking_type_id": Field("many2one", "Operation type", "stock.picking.type", store=False),
        "picking_code": sel("Type of Operation", *PICKING_CODES, store=False),
        "product_id": m2o("product.product", "Product"),
        "lot_id": m2o("stock.lot", "Lot/Serial Number"),
        "lot_name": _f(CHAR, "Lot/Serial Number Name"),
        "product_uom_id": m2o("uom.uom", "Unit of Measure"),
        "quantity": _f(FLOAT, "Quantity"),
        "quantity_product_uom": _f(FLOAT, "Quantity in Product UoM"),
        "picked": _f(BOOL, "Picked"),
        "location_id": m2o("stock.location", "From"),
        "location_dest_id": m2o("stock.location", "To"),
        "state": sel("Status", *STOCK_STATES),
        "date": _f(DATETIME, "Date"),
        "company_id": m2o("res.company", "Company"),
    },
    "stock.location": {
        "name": _f(CHAR, "Location Name"),
        "complete_name": _f(CHAR, "Full Location Name"),
        "usage": sel(
            "Location Type", "supplier", "view", "internal", "customer", "inventory", "production", "transit"
        ),
        "active": _f(BOOL, "Active"),
        "location_id": m2o("stock.location", "Parent Location"),
        "company_id": m2o("res.company", "Company"),
    },
    "stock.quant": {
        "product_id": m2o("product.product", "Product"),
        "location_id": m2o("stock.location", "Location"),
        "lot_id": m2o("stock.lot", "Lot/Serial Number"),
        "quantity": _f(FLOAT, "Quantity"),
        "reserved_quantity": _f(FLOAT, "Reserved Quantity"),
        "product_uom_id": m2o("uom.uom", "Unit of Measure"),
        "company_id": m2o("res.company", "Company"),
        "in_date": _f(DATETIME, "Incoming Date"),
    },
    "stock.lot": {
        "name": _f(CHAR, "Lot/Serial Number"),
        "product_id": m2o("product.product", "Product"),
        "company_id": m2o("res.company", "Company"),
    },
    "product.product": {
        "product_tmpl_id": m2o("product.template", "Product Template"),
        "company_id": m2o("res.company", "Company"),
        "name": _f(CHAR, "Name"),
        "active": _f(BOOL, "Active"),
        "default_code": _f(CHAR, "Internal Reference"),
        "barcode": _f(CHAR, "Barcode"),
        "categ_id": m2o("product.category", "Product Category"),
        "uom_id": m2o("uom.uom", "Unit of Measure"),
        "uom_po_id": m2o("uom.uom", "Purchase Unit of Measure"),
        "list_price": _f(FLOAT, "Sales Price"),
        "lst_price": _f(FLOAT, "Sales Price", store=False),
        "standard_price": _f(FLOAT, "Cost"),
        "type": sel(
            "Product Type",
            "consu",
            "service",
            "product",
            labels={"consu": "Consumable", "product": "Storable Product"},
        ),
        "detailed_type": sel(
            "Product Type",
            "consu",
            "service",
            "product",
            labels={"consu": "Consumable", "product": "Storable Product"},
        ),
        "tracking": sel("Tracking", "serial", "lot", "none"),
        "taxes_id": m2m("account.tax", "Customer Taxes"),
        "supplier_taxes_id": m2m("account.tax", "Vendor Taxes"),
        "sale_ok": _f(BOOL, "Can be Sold"),
        "purchase_ok": _f(BOOL, "Can be Purchased"),
        "available_in_pos": _f(BOOL, "Available in POS"),
    },
    "product.category": {
        "name": _f(CHAR, "Name"),
        "complete_name": _f(CHAR, "Complete Name"),
        "parent_id": m2o("product.category", "Parent Category"),
    },
    "account.tax": {
        "name": _f(CHAR, "Tax Name"),
        "amount": _f(FLOAT, "Amount"),
        "amount_type": sel("Tax Computation", "group", "fixed", "percent", "division"),
        "type_tax_use": sel("Tax Type", "sale", "purchase", "none"),
        "price_include": _f(BOOL, "Included in Price"),
        "active": _f(BOOL, "Active"),
        "company_id": m2o("res.company", "Company"),
    },
    "res.partner": {
        "name": _f(CHAR, "Name"),
        "active": _f(BOOL, "Active"),
        "is_company": _f(BOOL, "Is a Company"),
        "ref": _f(CHAR, "Reference"),
        "email": _f(CHAR, "Email"),
        "phone": _f(CHAR, "Phone"),
        "city": _f(CHAR, "City"),
        "vat": _f(CHAR, "Tax ID"),
        "customer_rank": _f(INT, "Customer Rank"),
        "supplier_rank": _f(INT, "Supplier Rank"),
        "parent_id": m2o("res.partner", "Related Company"),
        "company_id": m2o("res.company", "Company"),
    },
    "uom.uom": {
        "name": _f(CHAR, "Unit of Measure"),
        "category_id": m2o("uom.category", "Category"),
        "factor": _f(FLOAT, "Ratio"),
        "factor_inv": _f(FLOAT, "Bigger Ratio", store=False),  # computed from factor (uom/models/uom_uom.py)
        "uom_type": sel("Type", "bigger", "reference", "smaller"),
        "rounding": _f(FLOAT, "Rounding Precision"),
        "active": _f(BOOL, "Active"),
    },
    "uom.category": {
        "name": _f(CHAR, "Unit of Measure Category"),
    },
    "res.users": {
        "name": _f(CHAR, "Name"),
        "login": _f(CHAR, "Login"),
        "active": _f(BOOL, "Active"),
        "partner_id": m2o("res.partner", "Related Partner"),
        "company_id": m2o("res.company", "Company"),
        "company_ids": m2m("res.company", "Companies"),
        "tz": _f(CHAR, "Timezone"),
    },
    "res.company": {
        "name": _f(CHAR, "Company Name"),
        "partner_id": m2o("res.partner", "Partner"),
        "currency_id": m2o("res.currency", "Currency"),
    },
    "res.currency": {
        "name": _f(CHAR, "Currency"),
        "active": _f(BOOL, "Active"),
    },
    "ir.model": {
        "name": _f(CHAR, "Model Description"),
        "model": _f(CHAR, "Model"),
        "state": sel("Type", "manual", "base"),
        "transient": _f(BOOL, "Transient Model"),
    },
}

BRAND_MODEL = {
    "name": _f(CHAR, "Brand Name"),
    "active": _f(BOOL, "Active"),
}

# Fields a model takes from its _inherits parent (product/models/product_product.py:
# _inherits product.template; base/models/res_users.py: _inherits res.partner).
INHERITED: dict[str, tuple[str, ...]] = {
    "product.product": (
        "name", "categ_id", "uom_id", "uom_po_id", "list_price", "type", "detailed_type", "is_storable",
        "company_id", "tracking", "taxes_id", "supplier_taxes_id", "sale_ok", "purchase_ok", "available_in_pos",
    ),
    "res.users": ("name", "tz"),
}

# Amount fields Odoo declares as fields.Monetary on every version read (16-19 follow 17/18).
MONETARY: dict[str, tuple[str, ...]] = {
    "account.move": ("amount_untaxed", "amount_tax", "amount_total", "amount_untaxed_signed", "amount_total_signed"),
    "account.move.line": ("balance", "debit", "credit", "price_subtotal", "price_total"),
}

# Records without an `active` field are never hidden by active_test.
DEFAULT_ORDER = {
    "pos.order": "date_order desc, name desc, id desc",
    "account.move": "date desc, name desc, id desc",
    "account.move.line": "date desc, move_name desc, id",
    "stock.move.line": "id",
    "product.product": "default_code, name, id",
    "res.partner": "name, id",
    "stock.location": "complete_name, id",
}


def build_models(
    version: str, with_brand: bool, cost_field: str | None = "actual_price"
) -> dict[str, dict[str, Field]]:
    """Field maps per model for one Odoo version (a fresh copy); `cost_field`: the name of the
    retailer's custom cost field on account.move.line (None: there is none)."""
    major = int(version.split(".")[0])
    models = {name: dict(fields) for name, fields in _BASE_MODELS.items()}
    aml = models["account.move.line"]
    cost_spec = aml.pop("actual_price")
    if cost_field:
        aml[cost_field] = cost_spec
    if major <= 16:
        # Odoo 16: the done quantity is qty_done (reserved_uom_qty beside it); stock.move has quantity_done.
        sml = models["stock.move.line"]
        del sml["quantity"], sml["picked"], sml["quantity_product_uom"]
        sml["qty_done"] = _f(FLOAT, "Done")
        sml["reserved_uom_qty"] = _f(FLOAT, "Reserved")
        sml["reserved_qty"] = _f(FLOAT, "Real Reserved Quantity")
        sm = models["stock.move"]
        del sm["quantity"]
        sm["quantity_done"] = _f(FLOAT, "Quantity Done")
    if major >= 17:
        # Odoo 17+ combos: a parent line (the combo product) with its item lines (point_of_sale pos_order.py)
        pol = models["pos.order.line"]
        pol["combo_parent_id"] = m2o("pos.order.line", "Combo Parent")
        pol["combo_line_ids"] = o2m("pos.order.line", "Combo Lines")
    if major == 17:
        # point_of_sale adds the combo product type (point_of_sale/models/product.py, 17: selection_add)
        pp = models["product.product"]
        for name in ("type", "detailed_type"):
            pp[name] = sel(
                "Product Type", "consu", "service", "product", "combo",
                labels={"consu": "Consumable", "product": "Storable Product", "combo": "Combo"},
            )
    if major >= 18:
        # Odoo 18 dropped detailed_type; storable products are consumables with is_storable.
        pp = models["product.product"]
        del pp["detailed_type"]
        pp["type"] = sel(
            "Product Type", "consu", "service", "combo", labels={"consu": "Goods", "combo": "Combo"}
        )
        pp["is_storable"] = _f(BOOL, "Track Inventory")
    if major >= 19:
        # Odoo 19: units of measure lost their categories; products lost the purchase UoM.
        del models["uom.category"], models["product.product"]["uom_po_id"]
        models["uom.uom"] = {
            "name": _f(CHAR, "Unit Name"),
            "relative_factor": _f(FLOAT, "Contains"),
            "relative_uom_id": m2o("uom.uom", "Reference Unit"),
            "factor": _f(FLOAT, "Absolute Quantity"),
            "rounding": _f(FLOAT, "Rounding Precision", store=False),
            "active": _f(BOOL, "Active"),
        }
    if major <= 17:
        # company_dependent fields are computed from ir.property up to 17 (not stored); 18 stores them
        # as jsonb columns (product/models/product_product.py standard_price, company_dependent=True)
        pp = models["product.product"]
        pp["standard_price"] = replace(pp["standard_price"], store=False)
    # fields.Monetary is reported as type "monetary" (account_move.py 18, account_move_line.py 17/18);
    # pos.order's amounts are Float up to 17 and Monetary from 18 (point_of_sale/models/pos_order.py)
    monetary = dict(MONETARY)
    if major >= 18:
        monetary["pos.order"] = ("amount_tax", "amount_total", "amount_paid", "amount_return")
        monetary["pos.payment"] = ("amount",)  # point_of_sale/models/pos_payment.py (18)
        monetary["pos.order.line"] = ("price_subtotal", "price_subtotal_incl")
    for model, names in monetary.items():
        fields = models[model]
        for name in names:
            fields[name] = replace(fields[name], type="monetary")
    # related to product_id.uom_id without store (stock/models/stock_quant.py, read in 18)
    sq = models["stock.quant"]
    sq["product_uom_id"] = replace(sq["product_uom_id"], store=False)
    for model, names in INHERITED.items():
        fields = models[model]
        for name in names:
            if name in fields:
                fields[name] = replace(fields[name], inherited=True)
    if with_brand:
        models["product.brand"] = dict(BRAND_MODEL)
        models["product.product"]["product_brand_id"] = m2o("product.brand", "Brand")
    for fields in models.values():
        for name, spec in COMMON.items():
            fields.setdefault(name, spec)
    return models
