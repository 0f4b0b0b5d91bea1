"""Static master data of the synthetic retailer (products, partners, taxes, locations, ...).

Ids are small and fixed; everything is derived from the seed only, never from the day span.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

STATIC_STAMP = "2024-01-02 03:00:00"
ARCHIVE_STAMP = "2024-06-15 09:30:00"

COMPANY_ID = 1
STOCK_LOC, SHELF_LOC, OLD_LOC = 8, 9, 11
VENDOR_LOC, CUSTOMER_LOC, INVENTORY_LOC, TRANSIT_LOC = 4, 5, 14, 10
UNITS, DOZENS, KG, GRAM, PACK6 = 1, 2, 3, 4, 5
# How many reference units (Units or kg) one unit of each UoM holds.
UOM_RATIO = {UNITS: 1.0, DOZENS: 12.0, KG: 1.0, GRAM: 0.001, PACK6: 6.0}
RECEIPT_TYPE, DELIVERY_TYPE, POS_TYPE, INTERNAL_TYPE = 1, 2, 3, 4
CASHIERS = (6, 7, 8)
CUSTOMERS = tuple(range(10, 50))
VENDORS = tuple(range(50, 58))
POS_CONFIGS = {1: "Toko Jakarta", 2: "Toko Bandung"}
PAYMENT_METHODS = (1, 2, 3)  # cash, card, QRIS; 4 is archived

# tax id -> (name, amount %, type_tax_use, price_include, active)
TAXES = {
    1: ("PPN 11% (Sales)", 11.0, "sale", False, True),
    2: ("PPN 11% Included (Purchase)", 11.0, "purchase", True, True),
    3: ("PPN 0% (Sales)", 0.0, "sale", False, True),
    4: ("PPN 10% (Sales, old)", 10.0, "sale", False, False),
    5: ("Non-PPN (Purchase)", 0.0, "purchase", False, True),
    6: ("PPN 11% (Purchase)", 11.0, "purchase", False, True),
    7: ("PPN 11% Import (Purchase)", 11.0, "purchase", False, True),
    8: ("PPN 12% (Purchase)", 12.0, "purchase", False, True),  # not in the profit multiplier map
}
# Scenario "purchase_taxes": PPh 22 withholding, a negative tax as Odoo's Indonesian localisation makes it.
WITHHOLDING_TAX = 9
WITHHOLDING = {WITHHOLDING_TAX: ("PPh 22 1.5% (Purchase)", -1.5, "purchase", False, True)}
# Scenario "fiscal_position": these customers are tax-exempt; the fiscal position maps tax 1 to 3.
EXEMPT_CUSTOMERS = frozenset(range(10, 50, 5))
FISCAL_MAP = {1: 3}
# Scenario "consumables": this product is a consumable (no quant, but done move lines).
CONSUMABLE_NAME = "Kantong Sampah"
ALL_TAXES = {**TAXES, **WITHHOLDING}
# Scenario "combo" (Odoo 17+): a combo product and the items it is made of (product ids, base prices).
COMBO_NAME, COMBO_PRICE = "Paket Hemat", 15000.0
COMBO_ITEMS = ((1, 10000.0), (16, 8000.0))
# Scenario "cash_rounding": account.cash.rounding 1 rounds to 100 IDR, half up, as an invoice line.
CASH_ROUNDING_ID, CASH_ROUNDING_STEP = 1, 100.0
# Scenario "multi_company": a second company the API user may also see.
SECOND_COMPANY_ID = 2
# res.currency ids: each company's currency (res.company.currency_id; account.move(.line) currency_id)
IDR_CURRENCY_ID, SGD_CURRENCY_ID = 12, 37

# Vendor-bill tax choice and weights (8 is a purchase tax outside the multiplier map).
PURCHASE_TAX_CHOICES = ((6, 7, 2, 5, 8), (50, 10, 15, 15, 10))

_ITEMS = {
    2: (
        "Food",
        [
            "Mie Goreng",
            "Beras Premium",
            "Gula Pasir",
            "Tepung Terigu",
            "Kecap Manis",
            "Sambal Botol",
            "Biskuit Kelapa",
            "Roti Tawar",
            "Keju Cheddar",
            "Telur Ayam",
            "Minyak Goreng",
            "Kopi Bubuk",
            "Coklat Batang",
            "Susu Kental",
            "Sarden Kaleng",
        ],
    ),
    3: (
        "Drinks",
        [
            "Teh Botol",
            "Air Mineral 600ml",
            "Jus Jeruk",
            "Kopi Susu",
            "Soda Lemon",
            "Susu UHT",
            "Teh Hijau",
            "Minuman Isotonik",
            "Air Kelapa",
            "Sirup Merah",
        ],
    ),
    4: (
        "Household",
        [
            "Sabun Cuci Piring",
            "Deterjen Bubuk",
            "Pewangi Pakaian",
            "Tisu Gulung",
            "Kantong Sampah",
            "Pembersih Lantai",
            "Lampu LED",
            "Baterai AA",
            "Korek Api",
            "Spons Cuci",
        ],
    ),
    5: (
        "Personal Care",
        [
            "Sampo",
            "Sabun Mandi",
            "Pasta Gigi",
            "Sikat Gigi",
            "Deodoran",
            "Losion Tubuh",
            "Minyak Kayu Putih",
            "Bedak Bayi",
            "Popok Bayi",
            "Pembalut",
        ],
    ),
}
_BRANDS = {1: "Nusantara", 2: "Sinar Jaya", 3: "Mawar", 4: "Garuda", 5: "Pelangi"}
_FIRST = [
    "Adi",
    "Budi",
    "Citra",
    "Dewi",
    "Eka",
    "Fajar",
    "Gita",
    "Hadi",
    "Intan",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nina",
    "Oka",
    "Putri",
    "Rina",
    "Sari",
    "Teguh",
    "Wati",
]
_LAST = ["Santoso", "Wijaya", "Pratama", "Halim", "Gunawan", "Kusuma", "Saputra", "Hartono"]
_VENDOR_NAMES = [
    "PT Sumber Makmur",
    "PT Indo Pangan",
    "CV Segar Abadi",
    "PT Bersih Selalu",
    "PT Sehat Sentosa",
    "CV Cahaya Terang",
    "PT Nusantara Distribusi",
    "UD Tani Jaya",
]


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    code: str
    categ_id: int
    uom_id: int
    list_price: float
    standard_price: float
    active: bool
    kind: str  # "product" (storable) | "service" | "consu"
    tracking: str
    taxes: tuple[int, ...]
    sale_weight: float
    purchase_weight: float
    brand_id: int | None


def build_products(seed: int, scenarios: tuple[str, ...] = (), major: int = 18) -> list[Product]:
    products = _build_products(seed)
    if "consumables" in scenarios:
        products = [replace(p, kind="consu") if p.name == CONSUMABLE_NAME else p for p in products]
    if "combo" in scenarios and major >= 17:  # point_of_sale adds the 'combo' product type from 17
        products.append(Product(len(products) + 1, COMBO_NAME, "CMB001", 1, UNITS, COMBO_PRICE, 0.0, True, "combo",
                                "none", (1,), 0.0, 0.0, None))
    return products


def _build_products(seed: int) -> list[Product]:
    rng = random.Random(f"{seed}:products")
    products: list[Product] = []
    pid = 0
    for categ_id, (_, names) in _ITEMS.items():
        for name in names:
            pid += 1
            price = float(rng.randrange(6, 300) * 500)
            uom = KG if name in ("Beras Premium", "Gula Pasir", "Tepung Terigu", "Telur Ayam") else UNITS
            kind = "product"
            tracking = "lot" if name in ("Susu UHT", "Keju Cheddar", "Popok Bayi", "Susu Kental") else "none"
            taxes: tuple[int, ...] = (1,)
            if categ_id == 2 and pid % 5 == 0:
                taxes = (3,)
            elif pid % 13 == 0:
                taxes = ()
            sale_weight = rng.choice((1, 2, 3, 5, 8))
            # A shop restocks what it sells: buying follows selling, with some spread (the same draw
            # as before, so every other generated value is unchanged).
            purchase_weight = sale_weight * {0.2: 0.6, 1: 0.85, 2: 1.0, 4: 1.25}[rng.choice((0.2, 1, 2, 4))]
            products.append(
                Product(
                    pid,
                    name,
                    f"NK{pid:04d}",
                    categ_id,
                    uom,
                    price,
                    round(price * rng.uniform(0.55, 0.75), 2),
                    True,
                    kind,
                    tracking,
                    taxes,
                    sale_weight,
                    purchase_weight,
                    (pid % 6) or None,
                )
            )
    # Awkward products: a service sold at the till, archived products that still sell, never-purchased items.
    products.append(
        Product(
            pid + 1,
            "Ongkos Kirim",
            "SRV001",
            1,
            UNITS,
            10000.0,
            0.0,
            True,
            "service",
            "none",
            (1,),
            0.5,
            0.0,
            None,
        )
    )
    for offset, name in enumerate(("Kopi Sachet Lama", "Permen Mint Lama", "Snack Kentang Lama"), start=2):
        products.append(
            Product(
                pid + offset,
                name,
                f"OLD{offset:03d}",
                2,
                UNITS,
                2500.0 * offset,
                1500.0 * offset,
                False,
                "product",
                "none",
                (1,),
                1,
                0.0 if offset == 4 else 0.5,
                None,
            )
        )
    for offset, name in enumerate(("Parsel Lebaran", "Voucher Belanja"), start=5):
        products.append(
            Product(
                pid + offset,
                name,
                f"SPC{offset:03d}",
                1,
                UNITS,
                150000.0,
                90000.0,
                True,
                "product",
                "none",
                (1,),
                0.3,
                0.0,
                None,
            )
        )
    return products


def build_static(
    seed: int, version: str, with_brand: bool, tz: str, model_names: list[str], model_labels: dict[str, str],
    scenarios: tuple[str, ...] = (),
) -> dict[str, dict[int, dict]]:
    """Every static model as {id: raw record}. Raw values: m2o id or None, x2many id lists."""
    major = int(version.split(".")[0])
    rng = random.Random(f"{seed}:partners")
    data: dict[str, dict[int, dict]] = {}

    def add(model_name: str, rid: int, display: str, **vals) -> None:
        rec = {
            "id": rid,
            "display_name": display,
            "create_date": STATIC_STAMP,
            "write_date": STATIC_STAMP,
            "create_uid": 1,
            "write_uid": 1,
        }
        rec.update(vals)
        data.setdefault(model_name, {})[rid] = rec

    add(
        "res.company",
        COMPANY_ID,
        "New Khatulistiwa",
        name="New Khatulistiwa",
        partner_id=1,
        currency_id=IDR_CURRENCY_ID,
    )
    add("res.currency", IDR_CURRENCY_ID, "IDR", name="IDR", active=True)
    if "multi_company" in scenarios:
        add("res.company", SECOND_COMPANY_ID, "NK Singapore Pte Ltd", name="NK Singapore Pte Ltd", partner_id=3,
            currency_id=SGD_CURRENCY_ID)
        add("res.currency", SGD_CURRENCY_ID, "SGD", name="SGD", active=True)
    add(
        "res.partner",
        1,
        "New Khatulistiwa",
        name="New Khatulistiwa",
        active=True,
        is_company=True,
        ref=None,
        email="info@nk.example",
        phone=None,
        city="Jakarta",
        vat=None,
        customer_rank=0,
        supplier_rank=0,
        parent_id=None,
        company_id=1,
    )
    add(
        "res.partner",
        3,
        "Administrator",
        name="Administrator",
        active=True,
        is_company=False,
        ref=None,
        email="admin@nk.example",
        phone=None,
        city=None,
        vat=None,
        customer_rank=0,
        supplier_rank=0,
        parent_id=None,
        company_id=1,
    )
    for i, pid in enumerate(CUSTOMERS):
        name = f"{_FIRST[i % len(_FIRST)]} {_LAST[(i * 7) % len(_LAST)]}"
        active = pid != CUSTOMERS[-1]
        add(
            "res.partner",
            pid,
            name,
            name=name,
            active=active,
            is_company=False,
            ref=f"C{pid:04d}",
            email=None if i % 3 else f"c{pid}@mail.example",
            phone=f"08{rng.randrange(10**9, 10**10)}",
            city=rng.choice(("Jakarta", "Bandung", "Bekasi", "Depok")),
            vat=None,
            customer_rank=1,
            supplier_rank=0,
            parent_id=None,
            company_id=None,
            write_date=STATIC_STAMP if active else ARCHIVE_STAMP,
        )
    for i, pid in enumerate(VENDORS):
        name = _VENDOR_NAMES[i]
        add(
            "res.partner",
            pid,
            name,
            name=name,
            active=True,
            is_company=True,
            ref=f"V{pid:04d}",
            email=f"sales@vendor{pid}.example",
            phone=None,
            city="Jakarta",
            vat=f"01.{pid:03d}.555.5-000.000",
            customer_rank=0,
            supplier_rank=1,
            parent_id=None,
            company_id=None,
        )
    for uid, name, login, active in (
        (1, "OdooBot", "__system__", False),
        (2, "Administrator", "admin", True),
        (6, "Kasir Ani", "ani", True),
        (7, "Kasir Budi", "budi", True),
        (8, "Kasir Citra", "citra", True),
    ):
        add(
            "res.users",
            uid,
            name,
            name=name,
            login=login,
            active=active,
            partner_id=3 if uid == 2 else None,
            company_id=1,
            company_ids=[1, SECOND_COMPANY_ID] if uid == 2 and "multi_company" in scenarios else [1],
            tz=tz,
        )
    uoms = (
        (UNITS, "Units", 1, "reference", None),
        (DOZENS, "Dozens", 1, "bigger", UNITS),
        (KG, "kg", 2, "reference", None),
        (GRAM, "g", 2, "smaller", KG),
        (PACK6, "Pack of 6", 1, "bigger", UNITS),
    )
    if major >= 19:
        # Odoo 19: no categories nor uom_type; factor = reference units per unit (Dozens 12).
        for uid, name, _cat, _utype, relative in uoms:
            add(
                "uom.uom",
                uid,
                name,
                name=name,
                relative_factor=UOM_RATIO[uid],
                relative_uom_id=relative,
                factor=UOM_RATIO[uid],
                rounding=0.01,
                active=True,
            )
    else:
        add("uom.category", 1, "Unit", name="Unit")
        add("uom.category", 2, "Weight", name="Weight")
        for uid, name, cat, utype, _relative in uoms:
            # Odoo <= 18: factor = units of this UoM per reference unit (Dozens 1/12), factor_inv its inverse.
            add(
                "uom.uom",
                uid,
                name,
                name=name,
                category_id=cat,
                factor=1 / UOM_RATIO[uid],
                factor_inv=UOM_RATIO[uid],
                uom_type=utype,
                rounding=0.01 if cat == 1 else 0.001,
                active=True,
            )
    taxes = {**TAXES, **(WITHHOLDING if "purchase_taxes" in scenarios else {})}
    for tid, (name, amount, use, incl, active) in taxes.items():
        add(
            "account.tax",
            tid,
            name,
            name=name,
            amount=amount,
            amount_type="percent",
            type_tax_use=use,
            price_include=incl,
            active=active,
            company_id=1,
        )
    categories: dict[int, tuple[str, int | None]] = {1: ("All", None)}
    for cid, (name, _) in _ITEMS.items():
        categories[cid] = (name, 1)
    for cid, (name, parent) in categories.items():
        complete = name if parent is None else f"All / {name}"
        add("product.category", cid, complete, name=name, complete_name=complete, parent_id=parent)
    for bid, name in _BRANDS.items():
        if with_brand:
            add("product.brand", bid, name, name=name, active=True)
    for p in build_products(seed, scenarios, major):
        display = f"[{p.code}] {p.name}"
        vals = dict(
            name=p.name,
            active=p.active,
            default_code=p.code,
            barcode=None if p.kind == "service" else f"899{p.id:010d}",
            categ_id=p.categ_id,
            uom_id=p.uom_id,
            uom_po_id=p.uom_id,
            list_price=p.list_price,
            lst_price=p.list_price,
            standard_price=p.standard_price,
            tracking=p.tracking,
            product_tmpl_id=p.id,  # one variant per template
            company_id=None,  # shared between companies, Odoo's default
            taxes_id=list(p.taxes),
            supplier_taxes_id=[6],
            sale_ok=True,
            purchase_ok=p.kind != "service",
            available_in_pos=True,
            write_date=STATIC_STAMP if p.active else ARCHIVE_STAMP,
        )
        if major >= 18:
            vals["type"] = p.kind if p.kind in ("service", "combo") else "consu"
            vals["is_storable"] = p.kind == "product"
        else:
            vals["type"] = p.kind
            vals["detailed_type"] = p.kind
        if with_brand:
            vals["product_brand_id"] = p.brand_id
        add("product.product", p.id, display, **vals)
    locations = (
        (1, "Physical Locations", "view", None, None, True),
        (2, "Partners", "view", None, None, True),
        (VENDOR_LOC, "Vendors", "supplier", 2, None, True),
        (CUSTOMER_LOC, "Customers", "customer", 2, None, True),
        (6, "Virtual Locations", "view", None, None, True),
        (7, "WH", "view", 1, 1, True),
        (STOCK_LOC, "Stock", "internal", 7, 1, True),
        (SHELF_LOC, "Shelf 2", "internal", STOCK_LOC, 1, True),
        (TRANSIT_LOC, "Inter-company transit", "transit", 6, None, True),
        (OLD_LOC, "Old Store Room", "internal", 7, 1, False),
        (INVENTORY_LOC, "Inventory adjustment", "inventory", 6, 1, True),
    )
    names = {loc[0]: loc[1] for loc in locations}
    parents = {loc[0]: loc[3] for loc in locations}
    for lid, name, usage, parent, company, active in locations:
        parts: list[str] = []
        cur: int | None = lid
        while cur is not None:
            parts.append(names[cur])
            cur = parents[cur]
        complete = "/".join(reversed(parts)) if usage not in ("view",) or parent else name
        add(
            "stock.location",
            lid,
            complete,
            name=name,
            complete_name=complete,
            usage=usage,
            active=active,
            location_id=parent,
            company_id=company,
            write_date=STATIC_STAMP if active else ARCHIVE_STAMP,
        )
    for tid, name, code, prefix in (
        (RECEIPT_TYPE, "Receipts", "incoming", "IN"),
        (DELIVERY_TYPE, "Delivery Orders", "outgoing", "OUT"),
        (POS_TYPE, "PoS Orders", "outgoing", "POS"),
        (INTERNAL_TYPE, "Internal Transfers", "internal", "INT"),
    ):
        add(
            "stock.picking.type",
            tid,
            f"WH: {name}",
            name=name,
            code=code,
            sequence_code=prefix,
            active=True,
            company_id=1,
        )
    for pid, p in enumerate([p for p in build_products(seed) if p.tracking == "lot"], start=1):
        add("stock.lot", pid, f"LOT-{p.code}-A", name=f"LOT-{p.code}-A", product_id=p.id, company_id=1)
    add("account.cash.rounding", CASH_ROUNDING_ID, "Rp 100", name="Rp 100", rounding=CASH_ROUNDING_STEP,
        strategy="add_invoice_line", rounding_method="HALF-UP")
    for cid, name in POS_CONFIGS.items():
        # Shop 1 rounds cash to Rp 100: 18 counts it in pos.order.amount_total (pos_order.py
        # _compute_prices), 17 only in what is paid (_get_rounded_amount); 16 is left unrounded (not read).
        rounds = "cash_rounding" in scenarios and major >= 17 and cid == 1
        add("pos.config", cid, name, name=name, active=True, company_id=1, picking_type_id=POS_TYPE,
            cash_rounding=rounds, only_round_cash_method=False, rounding_method=CASH_ROUNDING_ID if rounds else None)
    for mid, name, cash, active in (
        (1, "Cash", True, True),
        (2, "Bank Card", False, True),
        (3, "QRIS", False, True),
        (4, "Voucher (old)", False, False),
    ):
        add("pos.payment.method", mid, name, name=name, is_cash_count=cash, active=active, company_id=1)
    for mid, model in enumerate(model_names, start=1):
        label = model_labels.get(model, model)
        add("ir.model", mid, label, name=label, model=model, state="base", transient=False)
    return data


def lot_by_product(static: dict[str, dict[int, dict]]) -> dict[int, int]:
    return {rec["product_id"]: rid for rid, rec in static.get("stock.lot", {}).items()}
