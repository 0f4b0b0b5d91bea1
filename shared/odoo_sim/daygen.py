"""Generate one business day of transactional records, deterministically from (seed, day, lines_per_day).

Ids come from per-day blocks (see `id_blocks`), so a day can be generated alone, in any order, any time.
Records are plain dicts: many2one = id or None, x2many = list of ids, datetimes = UTC strings.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.odoo_sim import catalog as C

EPOCH = date(2000, 1, 1)
DAILY_BASE = 1_000_000

POS_MODELS = ("pos.session", "pos.order", "pos.order.line", "pos.payment")
BOOK_MODELS = ("account.move", "account.move.line", "stock.picking", "stock.move", "stock.move.line")
DAILY_MODELS = POS_MODELS + BOOK_MODELS


def id_blocks(lines_per_day: int) -> dict[str, int]:
    n = lines_per_day
    return {
        "pos.session": 10,
        "pos.order": n + 100,
        "pos.order.line": 2 * n + 200,
        "pos.payment": 2 * n + 200,
        "account.move": 60 + n // 40,
        "account.move.line": 12 * (60 + n // 40),
        "stock.picking": 60 + n // 100,
        "stock.move": 1000 + n // 5,
        "stock.move.line": 1000 + n // 5,
    }


def day_index(day: date) -> int:
    return (day - EPOCH).days


def fmt_utc(dt: datetime) -> str:
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"


class DayData:
    """Generated records of one day for one part (POS, or books = accounting + stock)."""

    def __init__(self, day: date, models: tuple[str, ...]):
        self.day = day
        self.records: dict[str, list[dict]] = {m: [] for m in models}
        # (product_id, lot_id, location_id) -> quantity in the product's UoM, done moves only
        self.stock_delta: dict[tuple[int, int | None, int], float] = defaultdict(float)
        self.last_in: dict[int, str] = {}  # product -> latest incoming done move datetime
        # POS part only: what each shop's session sold, for the books part's stock pickings.
        self.pos_summary: dict[int, tuple[float, dict[int, float]]] = {}

    @property
    def weight(self) -> int:
        return sum(len(v) for v in self.records.values()) + 1


class _Ids:
    def __init__(self, day: date, blocks: dict[str, int]):
        self.next = {m: DAILY_BASE + day_index(day) * b for m, b in blocks.items()}
        self.limit = {m: self.next[m] + b for m, b in blocks.items()}

    def take(self, model: str) -> int:
        rid = self.next[model]
        if rid >= self.limit[model]:
            raise RuntimeError(f"id block of {model} exhausted; raise its size in id_blocks")
        self.next[model] = rid + 1
        return rid


class DayGenerator:
    def __init__(
        self,
        seed: int,
        lines_per_day: int,
        tz: str,
        static: dict[str, dict[int, dict]],
        products: list[C.Product],
        scenarios: tuple[str, ...] = (),
        cost_field: str | None = "actual_price",
        major: int = 17,
    ):
        self.scenarios = frozenset(scenarios)
        self.cost_field = cost_field
        self.major = major
        # Goods that get stock moves: storable products, and (as in Odoo) consumables too.
        self.moved_kinds = ("product", "consu") if "consumables" in self.scenarios else ("product",)
        self.seed = seed
        self.lines_per_day = lines_per_day
        self.tz = ZoneInfo(tz)
        self.blocks = id_blocks(lines_per_day)
        self.static = static
        self.products = {p.id: p for p in products}
        sellable = [p for p in products]
        self.sale_ids = [p.id for p in sellable]
        self.sale_weights = _cumulative([p.sale_weight for p in sellable])
        buyable = [p for p in products if p.purchase_weight > 0]
        self.buy_ids = [p.id for p in buyable]
        self.buy_weights = _cumulative([p.purchase_weight for p in buyable])
        self.lots = C.lot_by_product(static)
        self.sale_rate = {p.id: sum(C.ALL_TAXES[t][1] for t in p.taxes) / 100 for p in products}
        self._fixed_day: date | None = None
        self._fixed_base: datetime | None = None

    # -- helpers ---------------------------------------------------------------------------------
    def _utc(self, day: date, seconds: float) -> str:
        """Local time `seconds` after midnight of `day` → Odoo UTC string."""
        midnight = datetime.combine(day, time(), tzinfo=self.tz)
        if self._fixed_day != day:
            next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=self.tz)
            fixed = midnight.utcoffset() == next_midnight.utcoffset()
            self._fixed_day, self._fixed_base = day, midnight.astimezone(UTC) if fixed else None
        if self._fixed_base is not None:  # no DST change that day: plain offset arithmetic
            return fmt_utc(self._fixed_base + timedelta(seconds=int(seconds)))
        return fmt_utc((midnight + timedelta(seconds=int(seconds))).astimezone(UTC))

    def _name(self, model: str, rid: int) -> str:
        rec = self.static[model].get(rid)
        return rec["display_name"] if rec else ""

    def _combo_parent(self, lid: int, oid: int, order_name: str, cfg_name: str, company: int, stamp: dict) -> dict:
        combo = next(p for p in self.products.values() if p.kind == "combo")
        return {
            "id": lid, "display_name": f"{order_name} - {combo.name}", "name": f"{cfg_name}/L{lid}",
            "order_id": oid, "product_id": combo.id, "full_product_name": combo.name, "qty": 1.0,
            "price_unit": 0.0, "discount": 0.0, "price_subtotal": 0.0, "price_subtotal_incl": 0.0,
            "tax_ids": list(combo.taxes), "tax_ids_after_fiscal_position": list(combo.taxes),
            "refunded_orderline_id": None, "total_cost": 0.0, "company_id": company,
            "combo_parent_id": None, "combo_line_ids": [], **stamp,
        }

    @staticmethod
    def _combo_prices() -> list[tuple[int, float]]:
        """Odoo 17 (compute_combo_lines.js) and 18 (compute_combo_items.js): the combo's price spread over
        its items by their base prices, the last item taking what rounding left; the parent line at 0."""
        base_total = sum(base for _, base in C.COMBO_ITEMS)
        prices, left = [], C.COMBO_PRICE
        for k, (pid, base) in enumerate(C.COMBO_ITEMS):
            price = round(left, 2) if k == len(C.COMBO_ITEMS) - 1 else round(base * C.COMBO_PRICE / base_total, 2)
            left -= price
            prices.append((pid, price))
        return prices

    def _pos_rounds(self, cfg_id: int) -> bool:
        config = self.static.get("pos.config", {}).get(cfg_id) or {}
        return bool(config.get("cash_rounding")) and not config.get("only_round_cash_method")

    def _bill_taxes(self, pid: int, tax: int) -> list[int]:
        """A bill line's taxes; scenario "purchase_taxes": of a day's lines with PPN 11% (6), the first,
        fourth, ... get PPh 22 withholding listed before it, the second, fifth, ... a second mapped tax
        whose multiplier disagrees (5 = 1.0 beside 6 = 1.11), the rest keep 6 alone."""
        if "purchase_taxes" not in self.scenarios or tax != 6:
            return [tax]
        self._ppn_lines += 1
        return [[C.WITHHOLDING_TAX, 6], [5, 6], [6]][(self._ppn_lines - 1) % 3]

    # -- entry point -----------------------------------------------------------------------------
    def pos_day(self, day: date) -> DayData:
        data = DayData(day, POS_MODELS)
        self._pos(day, data, _Ids(day, self.blocks))
        return data

    def books_day(self, day: date, pos_summary: dict | None) -> DayData:
        """Accounting and stock of a day; `pos_summary` (None outside the POS span) drives the POS pickings."""
        data = DayData(day, BOOK_MODELS)
        ids = _Ids(day, self.blocks)
        self._bills(day, data, ids)
        if pos_summary is not None:
            self._pos_pickings(day, data, ids, pos_summary)
            self._invoices(day, data, ids)
        self._adjustments(day, data, ids)
        return data

    # -- POS -------------------------------------------------------------------------------------
    def pos_summary(self, day: date) -> dict[int, tuple[float, dict[int, float]]]:
        """What each shop sold that day (for the stock pickings), without building the POS records."""
        return self._summary(self._pos_specs(day))

    def _summary(self, specs: list[dict]) -> dict[int, tuple[float, dict[int, float]]]:
        summary = {}
        for cfg_id in C.POS_CONFIGS:
            secs = [s["sec"] for s in specs if s["config"] == cfg_id]
            stop = min(86399.0, max(secs) + 300) if secs else 22 * 3600
            sold: dict[int, float] = defaultdict(float)
            for spec in specs:
                if spec["config"] != cfg_id or spec["state"] not in ("paid", "done", "invoiced"):
                    continue
                for pid, qty, _, _ in spec["lines"]:
                    if self.products[pid].kind in self.moved_kinds:
                        sold[pid] += qty
            summary[cfg_id] = (stop, dict(sorted(sold.items())))
        return summary

    def _pos_specs(self, day: date) -> list[dict]:
        rng = random.Random(f"{self.seed}:{day.isoformat()}:pos")
        specs: list[dict[str, Any]] = []
        left = self.lines_per_day
        while left > 0:
            n = min(left, rng.choices((1, 2, 3, 4, 5, 6), cum_weights=(20, 45, 65, 80, 92, 100))[0])
            left -= n
            r = rng.random()
            if len(specs) == 0:
                sec = rng.uniform(60, 599)  # 00:01-00:09 local: the previous UTC day
            elif len(specs) == 1:
                sec = rng.uniform(23 * 3600 + 50 * 60, 86399)  # 23:50-23:59 local
            elif r < 0.02:
                sec = rng.uniform(0, 599)
            elif r < 0.04:
                sec = rng.uniform(23 * 3600 + 50 * 60, 86399)
            else:
                sec = rng.uniform(8 * 3600, 22 * 3600)
            s = rng.random()
            state = (
                "cancel"
                if s < 0.015
                else "draft"
                if s < 0.025
                else "invoiced"
                if s < 0.06
                else "paid"
                if s < 0.16
                else "done"
            )
            partner = rng.choice(C.CUSTOMERS) if (state == "invoiced" or rng.random() < 0.3) else None
            lines = []
            for _ in range(n):
                pid = self.sale_ids[_pick(rng, self.sale_weights)]
                p = self.products[pid]
                qty = (
                    round(rng.uniform(0.2, 3.0), 3)
                    if p.uom_id == C.KG
                    else float(rng.choice((1, 1, 1, 1, 2, 2, 3, 4, 6, 12)))
                )
                d = rng.random()
                discount = (
                    100.0 if d < 0.003 else rng.choice((5.0, 10.0, 15.0, 20.0, 50.0)) if d < 0.08 else 0.0
                )
                lines.append((pid, qty, p.list_price, discount))
            specs.append(
                {
                    "sec": sec,
                    "state": state,
                    "partner": partner,
                    "config": 1 if rng.random() < 0.6 else 2,
                    "user": rng.choice(C.CASHIERS),
                    "lines": lines,
                    "refund_of": None,
                    "split": rng.random() < 0.15,
                    "method": rng.choices((1, 2, 3), (50, 30, 20))[0],
                    "split_ratio": rng.uniform(0.3, 0.7),
                    "write_lag": rng.randrange(5, 1800),
                }
            )
        if "combo" in self.scenarios and self.major >= 17:
            for k, spec in enumerate(specs):
                if k % 10 == 3:
                    spec["combo_from"] = len(spec["lines"])
                    spec["lines"].extend((pid, 1.0, price, 0.0) for pid, price in self._combo_prices())
        # Same-day returns: about 1% of closed orders come back later that day, as their own order.
        done = [s for s in specs if s["state"] in ("done", "paid") and s["sec"] < 20 * 3600]
        for orig in rng.sample(done, k=min(len(done), max(1, len(specs) // 100))):
            k = rng.randrange(len(orig["lines"]))
            pid, qty, price, disc = orig["lines"][k]
            specs.append(
                {
                    "sec": min(orig["sec"] + rng.uniform(600, 7200), 86399),
                    "state": "done",
                    "partner": orig["partner"],
                    "config": orig["config"],
                    "user": orig["user"],
                    "lines": [(pid, -qty, price, disc)],
                    "refund_of": (orig, k),
                    "split": False,
                    "method": 1,
                    "split_ratio": 1.0,
                    "write_lag": rng.randrange(5, 600),
                }
            )
        specs.sort(key=lambda s: s["sec"])
        return specs

    def _pos(self, day: date, data: DayData, ids: _Ids) -> None:
        didx = day_index(day)
        specs = self._pos_specs(day)
        data.pos_summary = self._summary(specs)
        sessions = {}
        for cfg_id, cfg_name in C.POS_CONFIGS.items():
            secs = [s["sec"] for s in specs if s["config"] == cfg_id]
            sid = ids.take("pos.session")
            start = max(0.0, min(secs) - 600) if secs else 7 * 3600
            stop = min(86399.0, max(secs) + 300) if secs else 22 * 3600
            rec = {
                "id": sid,
                "display_name": f"{cfg_name}/{didx:05d}",
                "name": f"{cfg_name}/{didx:05d}",
                "config_id": cfg_id,
                "user_id": C.CASHIERS[cfg_id - 1],
                "start_at": self._utc(day, start),
                "stop_at": self._utc(day, stop),
                "state": "closed",
                "company_id": C.COMPANY_ID,
                "create_date": self._utc(day, start),
                "write_date": self._utc(day, stop),
                "create_uid": 2,
                "write_uid": 2,
            }
            data.records["pos.session"].append(rec)
            sessions[cfg_id] = (sid, stop)

        seq: defaultdict[Any, int] = defaultdict(int)
        orders, lines_out, payments = (
            data.records[m] for m in ("pos.order", "pos.order.line", "pos.payment")
        )
        for spec in specs:
            cfg_id = spec["config"]
            seq[cfg_id] += 1
            oid = ids.take("pos.order")
            cfg_name = C.POS_CONFIGS[cfg_id]
            name = f"{cfg_name}/{didx * 100000 + seq[cfg_id]:09d}"
            if spec["refund_of"]:
                name += " REFUND"
            date_order = self._utc(day, spec["sec"])
            write_date = self._utc(day, spec["sec"] + spec["write_lag"])
            stamp = {
                "create_date": date_order,
                "write_date": write_date,
                "create_uid": spec["user"],
                "write_uid": spec["user"],
            }
            line_ids, excl, incl = [], 0.0, 0.0
            spec["line_ids"] = []
            exempt = "fiscal_position" in self.scenarios and spec["partner"] in C.EXEMPT_CUSTOMERS
            company = (
                C.SECOND_COMPANY_ID if "multi_company" in self.scenarios and cfg_id == 2 else C.COMPANY_ID
            )
            parent = None
            for k, (pid, qty, price, disc) in enumerate(spec["lines"]):
                if k == spec.get("combo_from"):
                    parent = self._combo_parent(ids.take("pos.order.line"), oid, name, cfg_name, company, stamp)
                    lines_out.append(parent)
                    line_ids.append(parent["id"])
                lid = ids.take("pos.order.line")
                p = self.products[pid]
                # the fiscal position decides the taxes charged (tax_ids keeps the product's)
                charged = [C.FISCAL_MAP.get(t, t) for t in p.taxes] if exempt else list(p.taxes)
                rate = sum(C.ALL_TAXES[t][1] for t in charged) / 100
                sub = round(qty * price * (1 - disc / 100), 2)
                sub_incl = round(sub * (1 + rate), 2)
                excl += sub
                incl += sub_incl
                refunded = None
                if spec["refund_of"]:
                    orig, ok = spec["refund_of"]
                    refunded = orig["line_ids"][ok]
                rec = {
                    "id": lid,
                    "display_name": f"{name} - {p.name}",
                    "name": f"{cfg_name}/L{lid}",
                    "order_id": oid,
                    "product_id": pid,
                    "full_product_name": p.name,
                    "qty": qty,
                    "price_unit": price,
                    "discount": disc,
                    "price_subtotal": sub,
                    "price_subtotal_incl": sub_incl,
                    "tax_ids": list(p.taxes),
                    "tax_ids_after_fiscal_position": charged,
                    "refunded_orderline_id": refunded,
                    "total_cost": round(qty * p.standard_price, 2),
                    "company_id": company,
                    **stamp,
                }
                if self.major >= 17:  # combo fields exist from 17 on (filled by the combo scenario)
                    rec["combo_parent_id"] = parent["id"] if parent else None
                    rec["combo_line_ids"] = []
                    if parent:
                        parent["combo_line_ids"].append(lid)
                lines_out.append(rec)
                line_ids.append(lid)
                spec["line_ids"].append(lid)
            total = round(incl, 2)
            # What the customer pays: the total rounded to the config's step (pos_order.py 17
            # _get_rounded_amount / _is_pos_order_paid). 18's _compute_prices counts the rounding in
            # amount_total itself; 17's _onchange_amount_all leaves amount_total = tax + untaxed.
            due = _round_half_up(total, C.CASH_ROUNDING_STEP) if self._pos_rounds(cfg_id) else total
            if self.major >= 18:
                total = due
            paid = spec["state"] in ("paid", "done", "invoiced")
            pay_ids = []
            if paid:
                parts = [(spec["method"], due)]
                if spec["split"] and due > 0:
                    first = round(due * spec["split_ratio"], 2)
                    parts = [
                        (spec["method"], first),
                        (1 if spec["method"] != 1 else 2, round(due - first, 2)),
                    ]
                for method, amount in parts:
                    pay_id = ids.take("pos.payment")
                    payments.append(
                        {
                            "id": pay_id,
                            "display_name": f"{self._name('pos.payment.method', method)} {amount:.2f}",
                            "name": None,
                            "pos_order_id": oid,
                            "payment_method_id": method,
                            "amount": amount,
                            "payment_date": date_order,
                            "session_id": sessions[cfg_id][0],
                            "company_id": company,
                            "is_change": False,
                            **stamp,
                        }
                    )
                    pay_ids.append(pay_id)
            orders.append(
                {
                    "id": oid,
                    "display_name": name,
                    "name": name,
                    "date_order": date_order,
                    "state": spec["state"],
                    "partner_id": spec["partner"],
                    "user_id": spec["user"],
                    "company_id": company,
                    "session_id": sessions[cfg_id][0],
                    "config_id": cfg_id,
                    "amount_total": total,
                    "amount_tax": round(incl - excl, 2),
                    "amount_paid": due if paid else 0.0,
                    "amount_return": 0.0,
                    "lines": line_ids,
                    "payment_ids": pay_ids,
                    "pos_reference": f"Order {sessions[cfg_id][0] % 100000:05d}-{cfg_id:03d}-{seq[cfg_id]:04d}",
                    "account_move": None,
                    "is_refund": bool(spec["refund_of"]),
                    **stamp,
                }
            )

    def _pos_pickings(self, day: date, data: DayData, ids: _Ids, summary: dict) -> None:
        """One delivery per session for what left the shop, one return picking for what came back."""
        didx = day_index(day)
        for cfg_id, (stop, sold) in sorted(summary.items()):
            out = [(pid, q) for pid, q in sold.items() if q > 0]
            back = [(pid, -q) for pid, q in sold.items() if q < 0]
            when = self._utc(day, stop)
            for items, src, dst, suffix in (
                (out, C.STOCK_LOC, C.CUSTOMER_LOC, ""),
                (back, C.CUSTOMER_LOC, C.STOCK_LOC, "-RET"),
            ):
                if items:
                    self._picking(
                        data,
                        ids,
                        day,
                        f"WH/POS/{didx:05d}{cfg_id}{suffix}",
                        C.POS_TYPE,
                        "outgoing",
                        src,
                        dst,
                        None,
                        f"{C.POS_CONFIGS[cfg_id]}/{didx:05d}",
                        when,
                        [(pid, q, self.products[pid].uom_id) for pid, q in items],
                        "done",
                    )

    # -- vendor bills and their receipts ----------------------------------------------------------
    def _bills(self, day: date, data: DayData, ids: _Ids) -> None:
        rng = random.Random(f"{self.seed}:{day.isoformat()}:bill")
        self._ppn_lines = 0  # scenario "purchase_taxes": PPN lines of the day so far
        didx = day_index(day)
        n_bills = 1 + rng.randrange(1 + self.lines_per_day // 2000) if rng.random() < 0.6 else 0
        docs = []
        for k in range(n_bills):
            vendor = rng.choice(C.VENDORS)
            items = []
            for _ in range(rng.randrange(2, 9)):
                pid = self.buy_ids[_pick(rng, self.buy_weights)]
                p = self.products[pid]
                uom = p.uom_id
                qty = float(rng.randrange(6, 121)) if uom != C.KG else round(rng.uniform(5, 50), 1)
                price = round(p.standard_price * rng.uniform(0.92, 1.08), 2)
                if uom == C.UNITS and rng.random() < 0.15:
                    uom, qty, price = C.DOZENS, float(rng.randrange(1, 11)), round(price * 12, 2)
                tax = rng.choices(*C.PURCHASE_TAX_CHOICES)[0]
                if C.ALL_TAXES[tax][3]:
                    price = round(price * (1 + C.ALL_TAXES[tax][1] / 100), 2)
                disc = rng.choice((5.0, 10.0)) if rng.random() < 0.1 else 0.0
                items.append(
                    (pid, qty, price, disc, self._bill_taxes(pid, tax), uom, round(price * (1 - disc / 100), 2))
                )
            if rng.random() < 0.2:  # a bonus line: free goods, price 0 and actual_price 0
                pid = items[0][0]
                items.append((pid, float(rng.randrange(1, 13)), 0.0, 0.0, [], self.products[pid].uom_id, 0.0))
            s = rng.random()
            state = "cancel" if s < 0.03 else "draft" if s < 0.10 else "posted"
            docs.append(
                (
                    "in_invoice",
                    f"BILL/{day:%Y/%m}/{didx % 10000:04d}{k:02d}",
                    vendor,
                    state,
                    items,
                    rng.randrange(9 * 3600, 17 * 3600),
                )
            )
        if rng.random() < 0.08 or didx % 5 == 0:  # vendor refunds: at least every fifth day
            pid = self.buy_ids[_pick(rng, self.buy_weights)]
            p = self.products[pid]
            docs.append(
                (
                    "in_refund",
                    f"RBILL/{day:%Y/%m}/{didx % 10000:04d}",
                    rng.choice(C.VENDORS),
                    "posted",
                    [
                        (
                            pid,
                            float(rng.randrange(1, 6)),
                            p.standard_price,
                            0.0,
                            [6],
                            p.uom_id,
                            p.standard_price,
                        )
                    ],
                    rng.randrange(9 * 3600, 17 * 3600),
                )
            )
        for n, (move_type, name, partner, state, items, sec) in enumerate(docs):
            self._move(data, ids, day, move_type, name, partner, state, items, sec, rng)
            if state == "cancel":
                continue
            if move_type == "in_invoice":
                pick_name, ptype, code = f"WH/IN/{didx:05d}-{n:03d}", C.RECEIPT_TYPE, "incoming"
                src, dst = C.VENDOR_LOC, C.STOCK_LOC
            else:
                pick_name, ptype, code = f"WH/OUT/{didx:05d}-R{n:02d}", C.DELIVERY_TYPE, "outgoing"
                src, dst = C.STOCK_LOC, C.VENDOR_LOC
            self._picking(
                data,
                ids,
                day,
                pick_name,
                ptype,
                code,
                src,
                dst,
                partner,
                name,
                self._utc(day, sec - 1800),
                [
                    (pid, qty, uom)
                    for pid, qty, _, _, _, uom, _ in items
                    if self.products[pid].kind in self.moved_kinds
                ],
                "done" if state == "posted" else "assigned",
            )

    # -- customer invoices and credit notes -------------------------------------------------------
    def _invoices(self, day: date, data: DayData, ids: _Ids) -> None:
        rng = random.Random(f"{self.seed}:{day.isoformat()}:inv")
        didx = day_index(day)
        docs = []
        for k in range(1 + self.lines_per_day // 150):
            items = []
            for _ in range(rng.randrange(1, 6)):
                pid = self.sale_ids[_pick(rng, self.sale_weights)]
                p = self.products[pid]
                disc = 10.0 if rng.random() < 0.1 else 0.0
                items.append(
                    (pid, float(rng.randrange(1, 21)), p.list_price, disc, list(p.taxes), p.uom_id, 0.0)
                )
            s = rng.random()
            state = "cancel" if s < 0.04 else "draft" if s < 0.09 else "posted"
            partner = None if state == "draft" and rng.random() < 0.5 else rng.choice(C.CUSTOMERS)
            docs.append(
                (
                    "out_invoice",
                    f"INV/{day:%Y}/{didx:05d}{k:03d}",
                    partner,
                    state,
                    items,
                    rng.randrange(9 * 3600, 20 * 3600),
                )
            )
        if rng.random() < 0.3 or didx % 3 == 0:  # credit notes: at least every third day
            pid = self.sale_ids[_pick(rng, self.sale_weights)]
            p = self.products[pid]
            docs.append(
                (
                    "out_refund",
                    f"RINV/{day:%Y}/{didx:05d}",
                    rng.choice(C.CUSTOMERS),
                    "posted",
                    [(pid, float(rng.randrange(1, 4)), p.list_price, 0.0, list(p.taxes), p.uom_id, 0.0)],
                    rng.randrange(9 * 3600, 20 * 3600),
                )
            )
        for k, (move_type, name, partner, state, items, sec) in enumerate(docs):
            self._move(data, ids, day, move_type, name, partner, state, items, sec, rng)
            if state != "posted":
                continue
            # Invoiced goods leave the warehouse; credited goods come back.
            if move_type == "out_invoice":
                pick_name, ptype, code = f"WH/OUT/{didx:05d}-{k:03d}", C.DELIVERY_TYPE, "outgoing"
                src, dst = C.STOCK_LOC, C.CUSTOMER_LOC
            else:
                pick_name, ptype, code = f"WH/IN/{didx:05d}-C{k:03d}", C.RECEIPT_TYPE, "incoming"
                src, dst = C.CUSTOMER_LOC, C.STOCK_LOC
            self._picking(
                data,
                ids,
                day,
                pick_name,
                ptype,
                code,
                src,
                dst,
                partner,
                name,
                self._utc(day, min(sec + 3600, 86399)),
                [
                    (pid, qty, uom)
                    for pid, qty, _, _, _, uom, _ in items
                    if self.products[pid].kind in self.moved_kinds
                ],
                "done",
            )

    def _move(
        self,
        data: DayData,
        ids: _Ids,
        day: date,
        move_type: str,
        name: str,
        partner: int | None,
        state: str,
        items: list,
        sec: int,
        rng: random.Random,
    ) -> int:
        move_id = ids.take("account.move")
        if state == "draft":
            name = "/"
        created = self._utc(day, sec)
        stamp = {
            "create_date": created,
            "write_date": self._utc(day, sec + rng.randrange(60, 7200)),
            "create_uid": 2,
            "write_uid": 2,
        }
        # Odoo keeps line amounts positive; the sign lives in move_type and in balance.
        sign = -1.0 if move_type in ("out_invoice", "in_refund") else 1.0
        total_sign = {"out_invoice": 1, "out_refund": -1, "in_invoice": -1, "in_refund": 1}[move_type]
        common = {
            "move_id": move_id,
            "move_name": name,
            "move_type": move_type,
            "parent_state": state,
            "date": day.isoformat(),
            "invoice_date": day.isoformat(),
            "partner_id": partner,
            "company_id": C.COMPANY_ID,
            "currency_id": C.IDR_CURRENCY_ID,
            "company_currency_id": C.IDR_CURRENCY_ID,
            **stamp,
        }
        lines = data.records["account.move.line"]
        line_ids = []
        untaxed = 0.0
        per_tax: dict[int, float] = defaultdict(float)
        if len(items) > 2 and rng.random() < 0.3:
            lid = ids.take("account.move.line")
            lines.append(
                self._aml(
                    lid,
                    common,
                    "line_section",
                    "Goods",
                    None,
                    None,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    [],
                    None,
                    0.0,
                )
            )
            line_ids.append(lid)
        for pid, qty, price, disc, taxes, uom, actual in items:
            p = self.products[pid]
            gross = qty * price * (1 - disc / 100)
            included = [t for t in taxes if C.ALL_TAXES[t][3]]
            rate = sum(C.ALL_TAXES[t][1] for t in taxes) / 100
            if included:
                total = round(gross, 2)
                subtotal = round(gross / (1 + rate), 2)
            else:
                subtotal = round(gross, 2)
                total = round(gross * (1 + rate), 2)
            for t in taxes:
                per_tax[t] += subtotal * C.ALL_TAXES[t][1] / 100
            untaxed += subtotal
            lid = ids.take("account.move.line")
            label = f"[{p.code}] {p.name}"
            lines.append(
                self._aml(
                    lid,
                    common,
                    "product",
                    label,
                    pid,
                    uom,
                    qty,
                    price,
                    disc,
                    subtotal,
                    total,
                    sign * subtotal,
                    list(taxes),
                    None,
                    actual if move_type.startswith("in_") else 0.0,
                )
            )
            line_ids.append(lid)
        if rng.random() < 0.1:
            lid = ids.take("account.move.line")
            lines.append(
                self._aml(
                    lid,
                    common,
                    "line_note",
                    "Terima kasih",
                    None,
                    None,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    [],
                    None,
                    0.0,
                )
            )
            line_ids.append(lid)
        tax_total = 0.0
        for t, amount in sorted(per_tax.items()):
            amount = round(amount, 2)
            if amount == 0:
                continue
            tax_total += amount
            lid = ids.take("account.move.line")
            lines.append(
                self._aml(
                    lid,
                    common,
                    "tax",
                    C.ALL_TAXES[t][0],
                    None,
                    None,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    sign * amount,
                    [],
                    t,
                    0.0,
                )
            )
            line_ids.append(lid)
        untaxed, total_amount = round(untaxed, 2), round(untaxed + tax_total, 2)
        rounding = 0.0
        if "cash_rounding" in self.scenarios:
            # account_move.py _compute_amount: a 'rounding' line (strategy add_invoice_line) counts in
            # amount_untaxed and amount_total.
            rounding = round(_round_half_up(total_amount, C.CASH_ROUNDING_STEP) - total_amount, 2)
        if rounding:
            lid = ids.take("account.move.line")
            lines.append(
                self._aml(
                    lid, common, "rounding", "Rounding", None, None, 1.0, rounding, 0.0, rounding, rounding,
                    sign * rounding, [], None, 0.0,
                )
            )
            line_ids.append(lid)
            untaxed, total_amount = round(untaxed + rounding, 2), round(total_amount + rounding, 2)
        # Balanced entry: the payment-term line takes the opposite of everything else, to the cent.
        lid = ids.take("account.move.line")
        lines.append(
            self._aml(
                lid,
                common,
                "payment_term",
                name if name != "/" else "",
                None,
                None,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                -sign * total_amount,
                [],
                None,
                0.0,
            )
        )
        line_ids.append(lid)
        data.records["account.move"].append(
            {
                "id": move_id,
                "display_name": name if name != "/" else f"Draft ({move_id})",
                "name": name,
                "ref": None,
                "move_type": move_type,
                "state": state,
                "date": day.isoformat(),
                "invoice_date": day.isoformat(),
                "partner_id": partner,
                "company_id": C.COMPANY_ID,
                "currency_id": C.IDR_CURRENCY_ID,
                "amount_untaxed": untaxed,
                "amount_tax": round(total_amount - untaxed, 2),
                "amount_total": total_amount,
                "amount_untaxed_signed": total_sign * untaxed,
                "amount_total_signed": total_sign * total_amount,
                "line_ids": line_ids,
                "invoice_line_ids": [
                    i
                    for i in line_ids
                    if lines[i - lines[0]["id"]]["display_type"] in ("product", "line_section", "line_note")
                ],
                "invoice_origin": None,
                "reversed_entry_id": None,
                "payment_state": "not_paid" if state != "posted" else "paid",
                "invoice_cash_rounding_id": C.CASH_ROUNDING_ID if "cash_rounding" in self.scenarios else None,
                **stamp,
            }
        )
        return move_id

    def _aml(self, *args) -> dict:
        return self._cost_key(self._aml_values(*args))

    @staticmethod
    def _aml_values(
        lid,
        common,
        display_type,
        label,
        pid,
        uom,
        qty,
        price,
        disc,
        subtotal,
        total,
        balance,
        taxes,
        tax_line,
        actual,
    ) -> dict:
        balance = round(balance, 2)
        return {
            "id": lid,
            "display_name": f"{common['move_name']} {label}".strip(),
            "name": label or None,
            **common,
            "display_type": display_type,
            "product_id": pid,
            "product_uom_id": uom,
            "quantity": qty,
            "price_unit": price,
            "discount": disc,
            "price_subtotal": subtotal,
            "price_total": total,
            "balance": balance,
            "debit": max(balance, 0.0),
            "credit": max(-balance, 0.0),
            "tax_ids": taxes,
            "tax_line_id": tax_line,
            "actual_price": actual,
        }

    def _cost_key(self, line: dict) -> dict:
        """The custom cost field under the database's own name (or none)."""
        actual = line.pop("actual_price")
        if self.cost_field:
            line[self.cost_field] = actual
        return line

    # -- stock -----------------------------------------------------------------------------------
    def _picking(
        self,
        data: DayData,
        ids: _Ids,
        day: date,
        name: str,
        ptype: int,
        code: str,
        src: int,
        dst: int,
        partner: int | None,
        origin: str,
        when: str,
        items: list[tuple[int, float, int]],
        state: str,
    ) -> None:
        if not items:
            return
        pick_id = ids.take("stock.picking")
        stamp = {"create_date": when, "write_date": when, "create_uid": 2, "write_uid": 2}
        move_ids, line_ids = [], []
        for pid, qty, uom in items:
            mid, mlid = ids.take("stock.move"), ids.take("stock.move.line")
            p = self.products[pid]
            lot = self.lots.get(pid)
            data.records["stock.move"].append(
                {
                    "id": mid,
                    "display_name": f"{name}: {p.name}",
                    "name": p.name,
                    "reference": name,
                    "origin": origin,
                    "picking_id": pick_id,
                    "picking_type_id": ptype,
                    "product_id": pid,
                    "product_uom_qty": qty,
                    "product_qty": self._in_product_uom(pid, uom, qty),
                    "quantity": qty,
                    "quantity_done": qty if state == "done" else 0.0,
                    "product_uom": uom,
                    "location_id": src,
                    "location_dest_id": dst,
                    "partner_id": partner,
                    "state": state,
                    "date": when,
                    "company_id": C.COMPANY_ID,
                    "move_line_ids": [mlid],
                    **stamp,
                }
            )
            data.records["stock.move.line"].append(
                self._sml(
                    mlid, mid, pick_id, ptype, code, pid, lot, uom, qty, src, dst, state, when, name, stamp
                )
            )
            move_ids.append(mid)
            line_ids.append(mlid)
            if state == "done":
                self._apply_stock(data, pid, lot, uom, qty, src, dst, when)
        data.records["stock.picking"].append(
            {
                "id": pick_id,
                "display_name": name,
                "name": name,
                "origin": origin,
                "picking_type_id": ptype,
                "picking_type_code": code,
                "location_id": src,
                "location_dest_id": dst,
                "partner_id": partner,
                "state": state,
                "scheduled_date": when,
                "date_done": when if state == "done" else None,
                "company_id": C.COMPANY_ID,
                "move_ids": move_ids,
                "move_line_ids": line_ids,
                **stamp,
            }
        )

    def _in_product_uom(self, pid: int, uom: int, qty: float) -> float:
        return round(qty * C.UOM_RATIO[uom] / C.UOM_RATIO[self.products[pid].uom_id], 4)

    def _sml(
        self, mlid, mid, pick_id, ptype, code, pid, lot, uom, qty, src, dst, state, when, ref, stamp
    ) -> dict:
        in_product_uom = self._in_product_uom(pid, uom, qty)
        return {
            "quantity_product_uom": in_product_uom,
            "reserved_qty": 0.0 if state == "done" else in_product_uom,
            "id": mlid,
            "display_name": ref,
            "reference": ref,
            "move_id": mid,
            "picking_id": pick_id,
            "picking_type_id": ptype,
            "picking_code": code,
            "product_id": pid,
            "lot_id": lot,
            # a receipt that creates lots keeps the name typed for the lot (stock_move_line.py
            # _create_and_assign_production_lot makes lot_id from lot_name); other lines pick a lot
            "lot_name": self._name("stock.lot", lot) if lot and code == "incoming" else None,
            "product_uom_id": uom,
            "quantity": qty,
            "picked": state == "done",
            "qty_done": qty if state == "done" else 0.0,
            "reserved_uom_qty": 0.0 if state == "done" else qty,
            "location_id": src,
            "location_dest_id": dst,
            "state": state,
            "date": when,
            "company_id": C.COMPANY_ID,
            **stamp,
        }

    def _apply_stock(
        self, data: DayData, pid: int, lot: int | None, uom: int, qty: float, src: int, dst: int, when: str
    ) -> None:
        if self.products[pid].kind != "product":
            return  # Odoo keeps quants of storable products only
        base_qty = qty * C.UOM_RATIO[uom] / C.UOM_RATIO[self.products[pid].uom_id]
        if src in (C.STOCK_LOC, C.SHELF_LOC):
            data.stock_delta[(pid, lot, src)] -= base_qty
        if dst in (C.STOCK_LOC, C.SHELF_LOC):
            data.stock_delta[(pid, lot, dst)] += base_qty
            data.last_in[pid] = max(when, data.last_in.get(pid, ""))

    def _adjustments(self, day: date, data: DayData, ids: _Ids) -> None:
        rng = random.Random(f"{self.seed}:{day.isoformat()}:adj")
        if rng.random() < 0.25:
            pid = self.buy_ids[_pick(rng, self.buy_weights)]
            p = self.products[pid]
            if p.kind == "product":
                qty = float(rng.randrange(1, 11))
                src, dst = (
                    (C.INVENTORY_LOC, C.STOCK_LOC) if rng.random() < 0.5 else (C.STOCK_LOC, C.INVENTORY_LOC)
                )
                when = self._utc(day, 20 * 3600 + rng.randrange(3600))
                mid, mlid = ids.take("stock.move"), ids.take("stock.move.line")
                stamp = {"create_date": when, "write_date": when, "create_uid": 2, "write_uid": 2}
                ref = "Product Quantity Updated"
                data.records["stock.move"].append(
                    {
                        "id": mid,
                        "display_name": ref,
                        "name": ref,
                        "reference": ref,
                        "origin": None,
                        "picking_id": None,
                        "picking_type_id": None,
                        "product_id": pid,
                        "product_uom_qty": qty,
                        "product_qty": qty,
                        "quantity": qty,
                        "quantity_done": qty,
                        "product_uom": p.uom_id,
                        "location_id": src,
                        "location_dest_id": dst,
                        "partner_id": None,
                        "state": "done",
                        "date": when,
                        "company_id": C.COMPANY_ID,
                        "move_line_ids": [mlid],
                        **stamp,
                    }
                )
                data.records["stock.move.line"].append(
                    self._sml(
                        mlid,
                        mid,
                        None,
                        None,
                        None,
                        pid,
                        self.lots.get(pid),
                        p.uom_id,
                        qty,
                        src,
                        dst,
                        "done",
                        when,
                        ref,
                        stamp,
                    )
                )
                self._apply_stock(data, pid, self.lots.get(pid), p.uom_id, qty, src, dst, when)
        if rng.random() < 0.2:  # a cancelled move: never counts, has no move line
            pid = self.buy_ids[_pick(rng, self.buy_weights)]
            when = self._utc(day, 15 * 3600)
            mid = ids.take("stock.move")
            data.records["stock.move"].append(
                {
                    "id": mid,
                    "display_name": "Cancelled",
                    "name": self.products[pid].name,
                    "reference": None,
                    "origin": None,
                    "picking_id": None,
                    "picking_type_id": C.INTERNAL_TYPE,
                    "product_id": pid,
                    "product_uom_qty": 1.0,
                    "product_qty": self._in_product_uom(pid, C.UNITS, 1.0),
                    "quantity": 0.0,
                    "quantity_done": 0.0,
                    "product_uom": C.UNITS,
                    "location_id": C.STOCK_LOC,
                    "location_dest_id": C.SHELF_LOC,
                    "partner_id": None,
                    "state": "cancel",
                    "date": when,
                    "company_id": C.COMPANY_ID,
                    "move_line_ids": [],
                    "create_date": when,
                    "write_date": when,
                    "create_uid": 2,
                    "write_uid": 2,
                }
            )


def _round_half_up(amount: float, step: float) -> float:
    """`amount` to a multiple of `step`, halves away from zero (Odoo's HALF-UP cash rounding)."""
    from decimal import ROUND_HALF_UP, Decimal

    steps = (Decimal(str(amount)) / Decimal(str(step))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(steps * Decimal(str(step)))


def _cumulative(weights: list[float]) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def _pick(rng: random.Random, cum: list[float]) -> int:
    from bisect import bisect_right

    return min(bisect_right(cum, rng.random() * cum[-1]), len(cum) - 1)
