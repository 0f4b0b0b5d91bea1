"""The simulator's database: static master data, lazily generated days (bounded cache), late edits, deletes."""

from __future__ import annotations

import marshal
import random
import threading
import zlib
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared import clock
from shared.odoo_sim import catalog as C
from shared.odoo_sim.config import SimConfig
from shared.odoo_sim.daygen import (
    DAILY_BASE,
    DAILY_MODELS,
    EPOCH,
    POS_MODELS,
    DayData,
    DayGenerator,
    id_blocks,
)
from shared.odoo_sim.schema import build_models

STOCK_MODELS = ("stock.picking", "stock.move", "stock.move.line")
ACCOUNT_MODELS = ("account.move", "account.move.line")

MODEL_LABELS = {
    "pos.order": "Point of Sale Orders",
    "pos.order.line": "Point of Sale Order Lines",
    "pos.payment": "Point of Sale Payments",
    "pos.payment.method": "Point of Sale Payment Methods",
    "pos.session": "Point of Sale Session",
    "pos.config": "Point of Sale Configuration",
    "account.move": "Journal Entry",
    "account.move.line": "Journal Item",
    "stock.picking": "Transfer",
    "stock.picking.type": "Picking Type",
    "stock.move": "Stock Move",
    "stock.move.line": "Product Moves (Stock Move Line)",
    "stock.location": "Inventory Locations",
    "stock.quant": "Quants",
    "stock.lot": "Lot/Serial",
    "product.product": "Product Variant",
    "product.category": "Product Category",
    "product.brand": "Product Brand",
    "account.tax": "Tax",
    "res.partner": "Contact",
    "uom.uom": "Product Unit of Measure",
    "uom.category": "Product UoM Categories",
    "res.users": "User",
    "res.company": "Companies",
    "res.currency": "Currency",
    "ir.model": "Models",
    "account.cash.rounding": "Account Cash Rounding",
}

# Children deleted with their parent (ondelete cascade in Odoo).
CASCADE = {
    "pos.order": (("pos.order.line", "lines"), ("pos.payment", "payment_ids")),
    "account.move": (("account.move.line", "line_ids"),),
}


def default_end_day(tz: str, now: datetime | None = None) -> date:
    now = now or clock.now()
    return now.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def now_utc_str() -> str:
    return clock.now().strftime("%Y-%m-%d %H:%M:%S")


class Dataset:
    def __init__(self, cfg: SimConfig):
        self.cfg = cfg
        self.tz = ZoneInfo(cfg.tz)
        self.last_day = cfg.end_day or default_end_day(cfg.tz)
        self.first_day = self.last_day - timedelta(days=cfg.days - 1)
        self.books_first_day = self.first_day - timedelta(days=cfg.purchase_history_days)
        self.models = build_models(cfg.version, cfg.with_brand, cfg.cost_field)
        self.products = C.build_products(cfg.seed, cfg.scenarios, int(cfg.version.split(".")[0]))
        self.static = C.build_static(
            cfg.seed, cfg.version, cfg.with_brand, cfg.tz, sorted(self.models), MODEL_LABELS, cfg.scenarios
        )
        for model in self.models:
            if model not in DAILY_MODELS:
                self.static.setdefault(model, {})
        self.blocks = id_blocks(cfg.lines_per_day)
        self.generator = DayGenerator(
            cfg.seed, cfg.lines_per_day, cfg.tz, self.static, self.products,
            scenarios=cfg.scenarios, cost_field=cfg.cost_field, major=cfg.major,
        )
        self._pos_cache = _DayCache(cfg.cache_lines)
        self._books_cache = _DayCache(cfg.books_cache_records // 2)
        self._stock_cache = _DayCache(cfg.books_cache_records // 2)
        self._stock_packed: dict[date, bytes] = {}
        self._pos_summary: dict[date, dict] = {}  # small, kept for every day: drives the POS pickings
        self._stock_delta: dict[date, tuple[dict, dict]] = {}
        self._quants: dict[int, dict] | None = None
        self.overrides: dict[str, dict[int, dict]] = defaultdict(dict)
        self.deleted: dict[str, set[int]] = defaultdict(set)
        self.lock = threading.RLock()

    # -- days -----------------------------------------------------------------------------------
    def is_daily(self, model: str) -> bool:
        return model in DAILY_MODELS

    def day_range(self, model: str) -> tuple[date, date]:
        start = self.first_day if model in POS_MODELS else self.books_first_day
        return start, self.last_day

    def all_days(self, model: str) -> list[date]:
        start, end = self.day_range(model)
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]

    def local_day(self, utc_text: str) -> date:
        """Business day of an Odoo UTC datetime string."""
        utc = datetime.strptime(utc_text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return utc.astimezone(self.tz).date()

    def day_of_id(self, model: str, rid: int) -> date | None:
        if rid < DAILY_BASE:
            return None
        offset = (rid - DAILY_BASE) // self.blocks[model]
        return EPOCH + timedelta(days=offset) if offset < 3_000_000 else None

    def pos_part(self, day: date) -> DayData:
        with self.lock:
            data = self._pos_cache.get(day)
            if data is None:
                data = self.generator.pos_day(day)
                self._pos_summary[day] = data.pos_summary
                self._pos_cache.put(day, data)
            return data

    def books_part(self, day: date) -> DayData:
        """Accounting records of a day (account.move, account.move.line)."""
        with self.lock:
            data = self._books_cache.get(day)
            if data is None:
                data, _ = self._generate_books(day)
            return data

    def stock_part(self, day: date) -> DayData:
        """Stock records of a day, from the cache, else unpacked, else generated with the books."""
        with self.lock:
            data = self._stock_cache.get(day)
            if data is None:
                packed = self._stock_packed.get(day)
                if packed is not None:
                    data = _unpack(day, packed)
                    self._stock_cache.put(day, data)
                else:
                    _, data = self._generate_books(day)
            return data

    def _generate_books(self, day: date) -> tuple[DayData, DayData]:
        summary = None
        if self.first_day <= day <= self.last_day:
            if day not in self._pos_summary:
                self._pos_summary[day] = self.generator.pos_summary(day)
            summary = self._pos_summary[day]
        data = self.generator.books_day(day, summary)
        self._stock_delta[day] = (dict(data.stock_delta), dict(data.last_in))
        accounting, stock = DayData(day, ACCOUNT_MODELS), DayData(day, STOCK_MODELS)
        for model, records in data.records.items():
            (stock if model in STOCK_MODELS else accounting).records[model] = records
        # Stock days are small: kept packed for good, so scans over many later days (stock-quants
        # reconstruction) never regenerate a day twice.
        self._stock_packed[day] = _pack(stock)
        self._books_cache.put(day, accounting)
        self._stock_cache.put(day, stock)
        return accounting, stock

    def day_records(self, model: str, day: date) -> list[dict]:
        if model in POS_MODELS:
            return self.pos_part(day).records[model]
        if model in STOCK_MODELS:
            return self.stock_part(day).records[model]
        return self.books_part(day).records[model]

    def cached_days(self) -> int:
        """Days of POS records held in memory (the large part)."""
        return len(self._pos_cache)

    # -- records --------------------------------------------------------------------------------
    def _apply(self, model: str, rec: dict) -> dict:
        over = self.overrides.get(model)
        if over and rec["id"] in over:
            rec = {**rec, **over[rec["id"]]}
        return rec

    def get(self, model: str, rid: int) -> dict | None:
        if rid.__class__ is not int:
            return None
        deleted = self.deleted.get(model)
        if deleted and rid in deleted:
            return None
        static = self.static.get(model)
        if static is not None and model != "stock.quant":
            rec = static.get(rid)
        elif model == "stock.quant":
            rec = self.quants().get(rid)
        elif self.is_daily(model):
            day = self.day_of_id(model, rid)
            start, end = self.day_range(model)
            if day is None or not start <= day <= end:
                return None
            recs = self.day_records(model, day)
            if not recs:
                return None
            k = rid - recs[0]["id"]
            rec = recs[k] if 0 <= k < len(recs) else None
        else:
            rec = None
        if rec is None:
            return None
        if self.cfg.live and self.is_daily(model) and (rec.get("create_date") or "") > now_utc_str():
            return None  # created after the clock's now: not yet
        return self._apply(model, rec) if model in self.overrides else rec

    def iter_records(self, model: str, days: list[date] | None = None):
        """Yield the live records of `model` (on the given days for daily models)."""
        if self.cfg.live and self.is_daily(model):
            now = now_utc_str()
            for rec in self._iter_records(model, days):
                if (rec.get("create_date") or "") <= now:
                    yield rec
            return
        yield from self._iter_records(model, days)

    def _iter_records(self, model: str, days: list[date] | None = None):
        deleted = self.deleted.get(model, set())
        source: Iterable[Iterable[dict]]
        if model == "stock.quant":
            source = [self.quants().values()]
        elif self.is_daily(model):
            source = (
                self.day_records(model, d) for d in (days if days is not None else self.all_days(model))
            )
        else:
            source = [self.static.get(model, {}).values()]
        over = self.overrides.get(model)
        if not deleted and not over:
            for chunk in source:
                yield from chunk
            return
        for chunk in source:
            for rec in chunk:
                if rec["id"] in deleted:
                    continue
                yield self._apply(model, rec)

    def edited_days(self, model: str) -> set[date]:
        return {d for rid in self.overrides.get(model, {}) if (d := self.day_of_id(model, rid)) is not None}

    # -- late edits -----------------------------------------------------------------------------
    def write(self, model: str, rid: int, vals: dict, stamped_at: datetime | None = None) -> None:
        with self.lock:
            if self.get(model, rid) is None:
                raise KeyError(f"{model}({rid}) does not exist")
            unknown = set(vals) - set(self.models[model])
            if unknown:
                raise ValueError(f"Invalid field {sorted(unknown)[0]!r} on model {model!r}")
            stamp = now_utc_str() if stamped_at is None else stamped_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            self.overrides[model].setdefault(rid, {}).update(vals, write_date=stamp)

    def unlink(self, model: str, ids: list[int]) -> None:
        with self.lock:
            for rid in ids:
                rec = self.get(model, rid)
                if rec is None:
                    continue
                for child_model, field in CASCADE.get(model, ()):
                    self.deleted[child_model].update(rec.get(field) or [])
                self.deleted[model].add(rid)

    # -- stock.quant: current on-hand = initial stock + every done move up to the last day ---------
    def quants(self) -> dict[int, dict]:
        with self.lock:
            if self._quants is None:
                self._quants = self._build_quants()
            return self._quants

    def _build_quants(self) -> dict[int, dict]:
        rng = random.Random(f"{self.cfg.seed}:quants")
        scale = self.cfg.lines_per_day * (self.cfg.days + 30) / 20
        on_hand: dict[tuple[int, int | None, int], float] = {}
        lots = C.lot_by_product(self.static)
        for p in self.products:
            if p.kind == "product":
                on_hand[(p.id, lots.get(p.id), C.STOCK_LOC)] = float(round(scale * rng.uniform(0.8, 1.6)))
                if p.id % 7 == 0:
                    on_hand[(p.id, lots.get(p.id), C.SHELF_LOC)] = float(rng.randrange(5, 50))
        last_in: dict[int, str] = {}
        for day in self.all_days("stock.move.line"):
            if day not in self._stock_delta:
                self._generate_books(day)
            delta, incoming = self._stock_delta[day]
            for key, qty in delta.items():
                on_hand[key] = on_hand.get(key, 0.0) + qty
            for pid, when in incoming.items():
                last_in[pid] = max(when, last_in.get(pid, ""))
        products = {p.id: p for p in self.products}
        quants = {}
        for qid, (key, qty) in enumerate(
            sorted(on_hand.items(), key=lambda kv: (kv[0][0], kv[0][2])), start=1
        ):
            pid, lot, loc = key
            in_date = last_in.get(pid, C.STATIC_STAMP)
            reserved = float(rng.randrange(1, 5)) if qid % 10 == 0 and qty > 5 else 0.0
            quants[qid] = {
                "id": qid,
                "display_name": f"{products[pid].name}",
                "product_id": pid,
                "location_id": loc,
                "lot_id": lot,
                "quantity": round(qty, 4),
                "reserved_quantity": reserved,
                "product_uom_id": products[pid].uom_id,
                "company_id": C.COMPANY_ID,
                "in_date": in_date,
                "create_date": C.STATIC_STAMP,
                "write_date": max(in_date, C.STATIC_STAMP),
                "create_uid": 1,
                "write_uid": 2,
            }
        return quants


def _pack(data: DayData) -> bytes:
    tables = {}
    for model, records in data.records.items():
        keys = sorted(set().union(*records)) if records else []
        tables[model] = (keys, [tuple(rec.get(k) for k in keys) for rec in records])
    return zlib.compress(marshal.dumps(tables), 1)


def _unpack(day: date, packed: bytes) -> DayData:
    data = DayData(day, STOCK_MODELS)
    for model, (keys, rows) in marshal.loads(zlib.decompress(packed)).items():
        data.records[model] = [dict(zip(keys, row, strict=True)) for row in rows]
    return data


class _DayCache:
    """Least recently used days, bounded by the number of records held (never fewer than two days)."""

    def __init__(self, max_records: int):
        self.max_records = max_records
        self.days: OrderedDict[date, DayData] = OrderedDict()
        self.weight = 0

    def __len__(self) -> int:
        return len(self.days)

    def get(self, day: date) -> DayData | None:
        data = self.days.get(day)
        if data is not None:
            self.days.move_to_end(day)
        return data

    def put(self, day: date, data: DayData) -> None:
        self.days[day] = data
        self.weight += data.weight
        while len(self.days) > 2 and self.weight > self.max_records:
            _, old = self.days.popitem(last=False)
            self.weight -= old.weight
