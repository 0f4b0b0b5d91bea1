"""Model methods (search, read, search_read, read_group, ...) over the Dataset, with Odoo's signatures."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.odoo_sim import domain as D
from shared.odoo_sim.dataset import Dataset
from shared.odoo_sim.daygen import DAILY_BASE
from shared.odoo_sim.errors import OdooFault, access_error, attribute_error, type_error, value_error
from shared.odoo_sim.schema import DEFAULT_ORDER

NUMERIC = ("integer", "float", "monetary")
TEXTUAL = ("char", "text", "selection", "date", "datetime", "html")

# Fields that place a record on its business day (datetime: local day of the UTC value; date: the day itself).
DAY_DATETIME = {
    "pos.order": ("date_order",),
    "pos.payment": ("payment_date",),
    "pos.session": ("start_at",),
    "stock.picking": ("scheduled_date", "date_done"),
    "stock.move": ("date",),
    "stock.move.line": ("date",),
}
DAY_DATE = {"account.move": ("date", "invoice_date"), "account.move.line": ("date", "invoice_date")}
# many2one fields whose target always lives on the same day as the record.
SAME_DAY_PARENT = {
    "pos.order.line": {"order_id": "pos.order"},
    "pos.payment": {"pos_order_id": "pos.order", "session_id": "pos.session"},
    "pos.order": {"session_id": "pos.session"},
    "account.move.line": {"move_id": "account.move"},
    "stock.move": {"picking_id": "stock.picking"},
    "stock.move.line": {"move_id": "stock.move", "picking_id": "stock.picking"},
}

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
GRANULARITIES = ("day", "week", "month", "quarter", "year")
RECORD_METHODS = {"read"}
HIERARCHY = {"product.category": "parent_id", "stock.location": "location_id", "res.partner": "parent_id"}


class ModelMethods:
    """One instance per call: the model, the context, and the dataset."""

    def __init__(self, ds: Dataset, model: str, context: dict | None, version_major: int):
        self.ds = ds
        self.model = model
        self.fields = ds.models[model]
        self.context = context or {}
        self.major = version_major
        self._names: dict[tuple[str, int], str] = {}  # display names, memoised for one call

    # -- dispatch -------------------------------------------------------------------------------
    def public_method(self, name: str):
        if name.startswith("_"):
            raise access_error(f"Private methods (such as {name}) cannot be called remotely.")
        allowed = {
            "fields_get",
            "search",
            "search_read",
            "read",
            "search_count",
            "read_group",
            "context_get",
            "check_access_rights",
            "has_access",
            "name_search",
        }
        if self.major <= 16:
            allowed.add("name_get")
        if self.major >= 19:
            allowed.add("formatted_read_group")
        if name in ("write", "create", "unlink", "copy"):
            raise access_error("The Odoo simulator is read-only for RPC clients.")
        if name not in allowed or (name == "context_get" and self.model != "res.users"):
            raise attribute_error(self.model, name)
        return getattr(self, name)

    def call(self, name: str, args: list, kwargs: dict):
        func = self.public_method(name)
        try:
            inspect.signature(func).bind(*args, **kwargs)
        except TypeError as exc:
            raise type_error(f"{name}() {exc}") from None
        return func(*args, **kwargs)

    # -- helpers --------------------------------------------------------------------------------
    def _field(self, name: str, model: str | None = None):
        model = model or self.model
        spec = self.ds.models[model].get(name)
        if spec is None:
            raise value_error(f"Invalid field {name!r} on model {model!r}")
        return spec

    def _check_fields(self, fields) -> list[str]:
        if not fields:
            return list(self.fields)
        for name in fields:
            self._field(name)
        return list(fields)

    def _tz(self):
        name = self.context.get("tz")
        try:
            return ZoneInfo(name) if name else UTC
        except (ZoneInfoNotFoundError, ValueError):
            return UTC

    def _display_name(self, model: str, rid) -> str:
        key = (model, rid)
        name = self._names.get(key)
        if name is None:
            rec = self.ds.get(model, rid)
            name = self._names[key] = rec["display_name"] if rec else ""
        return name

    def _parse_domain(self, domain):
        try:
            tree = D.parse(domain)
        except D.DomainError as exc:
            raise value_error(str(exc)) from None
        for lf in D.leaves(tree):
            model = self.model
            for part in lf[1].split("."):
                spec = self.ds.models[model].get(part)
                if spec is None:
                    leaf_repr = repr(tuple([lf[1], lf[2], lf[3]]))
                    raise value_error(f"Invalid field {model}.{part} in leaf {leaf_repr}")
                model = spec.relation or model
        return tree

    def _make_leaf(self, path: str, op: str, value):
        """Prepare one leaf: returns record -> bool. Dotted paths follow many2one/x2many (any)."""
        models = self.ds.models
        parts = path.split(".")
        hops = []
        cur_model = self.model
        for part in parts[:-1]:
            spec = models[cur_model][part]
            if spec.relation is None:
                raise value_error(f"Invalid field {part!r} in path {path!r}: not a relational field")
            hops.append((part, spec.relation))
            cur_model = spec.relation
        last = parts[-1]
        spec = models[cur_model][last]
        rel = spec.relation
        if op in ("child_of", "parent_of"):
            target = rel if spec.type == "many2one" else cur_model if last == "id" else None
            if target not in HIERARCHY:
                raise value_error(f"Operator {op!r} needs a hierarchical many2one, not {path!r}")
            op, value = "in", sorted(self._hierarchy(target, value, op == "child_of"))
            if last == "id":
                spec = models[cur_model]["id"]
        try:
            name_of = None if rel is None else (lambda rid: self._display_name(rel, rid))
            cmp = D.make_comparator(spec.type, op, value, name_of)
        except D.DomainError as exc:
            raise value_error(str(exc)) from None
        except (TypeError, ValueError):
            raise value_error(f"Invalid value {value!r} in leaf ({path!r}, {op!r})") from None
        get = self.ds.get

        if not hops:
            return lambda rec: cmp(rec.get(last))

        def follow(rec: dict) -> bool:
            current = [rec]
            for field, relation in hops:
                nxt = []
                for r in current:
                    raw = r.get(field)
                    ids = raw if isinstance(raw, list) else ([raw] if raw else [])
                    nxt += [x for x in (get(relation, i) for i in ids) if x is not None]
                if not nxt:
                    return False
                current = nxt
            return any(cmp(r.get(last)) for r in current)

        return follow

    def _hierarchy(self, model: str, roots, down: bool) -> set[int]:
        """Ids of `roots` and their descendants (child_of) or ancestors (parent_of)."""
        parent_field = HIERARCHY[model]
        parent_of = {r["id"]: r.get(parent_field) for r in self.ds.iter_records(model)}
        found = {r for r in (roots if isinstance(roots, list | tuple) else [roots]) if isinstance(r, int)}
        changed = True
        while changed:
            changed = False
            for rid, parent in parent_of.items():
                if down and parent in found and rid not in found:
                    found.add(rid)
                    changed = True
                if not down and rid in found and parent and parent not in found:
                    found.add(parent)
                    changed = True
        return found

    # -- day pruning ----------------------------------------------------------------------------
    def _local_day(self, text: str) -> date:
        if len(text) == 10:
            return date.fromisoformat(text)
        utc = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return utc.astimezone(self.ds.tz).date()

    def _days_for_leaf(self, model: str, path: str, op: str, value, all_days: list[date]) -> set[date] | None:
        first, _, rest = path.partition(".")
        parents = SAME_DAY_PARENT.get(model, {})
        if rest:
            if first in parents and "." not in rest:
                return self._days_for_leaf(parents[first], rest, op, value, all_days)
            return None
        try:
            if first == "id" or first in parents:
                target = model if first == "id" else parents[first]
                ids = value if isinstance(value, list | tuple) else [value]
                if op in ("=", "in") and all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
                    return {d for i in ids if (d := self.ds.day_of_id(target, i)) is not None}
                if first == "id" and op in (">", ">=", "<", "<=") and isinstance(value, int):
                    if value < DAILY_BASE:
                        return None if op in (">", ">=") else set()
                    pivot = self.ds.day_of_id(model, value)
                    if pivot is None:
                        return None
                    return {d for d in all_days if (d >= pivot if op in (">", ">=") else d <= pivot)}
                return None
            kind = (
                "dt"
                if first in DAY_DATETIME.get(model, ())
                else "date"
                if first in DAY_DATE.get(model, ())
                else "write"
                if first in ("write_date", "create_date")
                else None
            )
            if kind is None or not isinstance(value, str | list | tuple):
                return None
            if op in ("=", "in"):
                vals = value if isinstance(value, list | tuple) else [value]
                if kind == "write" or not all(isinstance(v, str) and len(v) >= 10 for v in vals):
                    return None
                return {self._local_day(v) for v in vals}
            if op not in (">", ">=", "<", "<=") or not isinstance(value, str) or len(value) < 10:
                return None
            pivot = self._local_day(value)
            if op in (">", ">="):
                # write_date may fall up to a day after the record's business day.
                lo = pivot - timedelta(days=1) if kind == "write" else pivot
                return {d for d in all_days if d >= lo}
            return {d for d in all_days if d <= pivot}
        except (ValueError, TypeError):
            return None

    def _days_for(self, node, all_days: list[date]) -> set[date] | None:
        kind = node[0]
        if kind == "leaf":
            return self._days_for_leaf(self.model, node[1], node[2], node[3], all_days)
        if kind == "&":
            result = None
            for child in node[1]:
                days = self._days_for(child, all_days)
                if days is not None:
                    result = days if result is None else result & days
            return result
        if kind == "|":
            sets = [self._days_for(child, all_days) for child in node[1]]
            known = [s for s in sets if s is not None]
            if len(known) < len(sets):
                return None
            return set().union(*known)
        if kind == "false":
            return set()
        return None

    def _candidate_days(self, tree) -> list[date] | None:
        if not self.ds.is_daily(self.model):
            return None
        all_days = self.ds.all_days(self.model)
        days = self._days_for(tree, all_days)
        if days is None:
            return all_days
        days |= self.ds.edited_days(self.model)
        start, end = self.ds.day_range(self.model)
        return sorted(d for d in days if start <= d <= end)

    # -- searching ------------------------------------------------------------------------------
    def _order_keys(self, order: str | None) -> list[tuple[str, bool]]:
        text = order or DEFAULT_ORDER.get(self.model, "id")
        keys = []
        for part in text.split(","):
            bits = part.strip().split()
            if not bits:
                continue
            name = bits[0].strip('"')
            direction = bits[1].lower() if len(bits) > 1 else "asc"
            spec = self.fields.get(name)
            if spec is None or direction not in ("asc", "desc") or len(bits) > 3 or not spec.sortable:
                raise value_error(
                    f'Invalid "order" specified ({text}). A valid "order" specification is a '
                    f"comma-separated list of valid field names (optionally followed by asc/desc "
                    f"for the direction)"
                )
            keys.append((name, direction == "desc"))
        return keys

    def _search_records(self, domain, offset=0, limit=None, order=None) -> list[dict]:
        tree = self._parse_domain(domain)
        if (
            "active" in self.fields
            and self.context.get("active_test", True)
            and not D.uses_field(tree, "active")
        ):
            tree = ("&", [tree, ("leaf", "active", "=", True)])
        allowed = self.context.get("allowed_company_ids")
        if allowed and "company_id" in self.fields and self.model != "res.company":
            # Odoo's multi-company record rule: records of no company or of an allowed one
            rule = ("|", [("leaf", "company_id", "=", False), ("leaf", "company_id", "in", list(allowed))])
            tree = ("&", [tree, rule])
        predicate = D.compile_tree(tree, self._make_leaf)
        days = self._candidate_days(tree)
        keys = self._order_keys(order)
        offset = int(offset or 0)
        by_id = keys == [("id", False)]
        if by_id and limit and days is not None:
            # Daily records come in id order: a keyset page stops as soon as it is full, so it only
            # generates the days it needs.
            wanted = offset + int(limit)
            records = []
            with self.ds.lock:
                for rec in self.ds.iter_records(self.model, days):
                    if predicate(rec):
                        records.append(rec)
                        if len(records) >= wanted:
                            break
            return records[offset:]
        with self.ds.lock:
            records = [rec for rec in self.ds.iter_records(self.model, days) if predicate(rec)]
        if not by_id:
            for name, desc in reversed(keys):
                records.sort(key=partial(_record_sort_value, name), reverse=desc)
        if limit:
            return records[offset : offset + int(limit)]
        return records[offset:]

    def search(self, domain=None, offset=0, limit=None, order=None, count=False):
        records = self._search_records(domain or [], offset, limit, order)
        return len(records) if count else [r["id"] for r in records]

    def search_count(self, domain=None, limit=None):
        count = len(self._search_records(domain or []))
        return min(count, int(limit)) if limit else count

    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **kwargs):
        unexpected = set(kwargs) - {"load"}
        if unexpected:
            raise type_error(f"search_read() got an unexpected keyword argument '{sorted(unexpected)[0]}'")
        names = self._check_fields(fields)
        records = self._search_records(domain or [], offset, limit, order)
        fmt = self._formatter(names, kwargs.get("load", "_classic_read"))
        return [fmt(rec) for rec in records]

    def read(self, ids, fields=None, load="_classic_read"):
        names = self._check_fields(fields)
        if isinstance(ids, int):
            ids = [ids]
        fmt = self._formatter(names, load)
        out = []
        for rid in ids or []:
            rec = self.ds.get(self.model, rid)
            if rec is not None:  # missing ids are dropped silently, as Odoo's read does
                out.append(fmt(rec))
        return out

    def _formatter(self, names: list[str], load):
        """record -> dict in Odoo's read format, for these fields (prepared once per call)."""
        display = self._display_name
        plan: list[tuple[str, Callable[[Any], Any]]] = []
        for name in names:
            if name == "id":
                continue
            spec = self.fields[name]
            kind = spec.type
            if kind == "many2one":
                relation = spec.relation or ""
                if load == "_classic_read":
                    plan.append((name, partial(_classic_many2one, display, relation)))
                else:
                    plan.append((name, lambda v: v or False))
            elif kind in ("one2many", "many2many"):
                plan.append((name, lambda v: list(v or [])))
            elif kind in ("float", "monetary"):
                plan.append((name, lambda v: float(v or 0.0)))
            elif kind == "integer":
                plan.append((name, lambda v: int(v or 0)))
            elif kind == "boolean":
                plan.append((name, bool))
            else:
                plan.append((name, lambda v: False if v is None or v == "" else v))

        def fmt(rec: dict) -> dict:
            out = {"id": rec["id"]}
            get = rec.get
            for name, convert in plan:
                out[name] = convert(get(name))
            return out

        return fmt

    def fields_get(self, allfields=None, attributes=None):
        names = allfields or list(self.fields)
        out = {}
        for name in names:
            spec = self.fields.get(name)
            if spec is None:
                continue
            info = spec.describe(name)
            if self.major >= 18 and "group_operator" in info:
                info["aggregator"] = info.pop("group_operator")
            if attributes:
                info = {k: v for k, v in info.items() if k in attributes}
            out[name] = info
        return out

    def context_get(self):
        return {"lang": "en_US", "tz": self.ds.cfg.tz, "uid": 2}

    def check_access_rights(self, operation="read", raise_exception=True):
        return operation == "read"

    def has_access(self, operation="read"):
        return operation == "read"

    def name_search(self, name="", args=None, operator="ilike", limit=100):
        domain = list(args or [])
        if name:
            domain = ["&", ["display_name", operator, name]] + (domain or [[1, "=", 1]])
        records = self._search_records(domain, limit=limit)
        return [[r["id"], r["display_name"]] for r in records]

    def name_get(self, ids=None):
        return [[r["id"], r["display_name"]] for r in (self.ds.get(self.model, i) for i in ids or []) if r]

    # -- grouping -------------------------------------------------------------------------------
    def _group_value(self, spec_text: str, rec: dict, tz, with_range: bool):
        """-> (sort key, value as read_group shows it, domain part, range or None, raw start)."""
        name, _, granularity = spec_text.partition(":")
        spec = self._field(name)
        raw = rec.get(name)
        if spec.type in ("date", "datetime"):
            granularity = granularity or "month"
            if granularity not in GRANULARITIES:
                raise value_error(f"{granularity!r} isn't a valid granularity")
            if not raw:
                return ((1, ""), False, [[name, "=", False]], False, False)
            if spec.type == "datetime":
                utc = datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
                local = utc.astimezone(tz).replace(tzinfo=None)
                start = _truncate(local.date(), granularity)
                end = _next_bucket(start, granularity)
                start_utc = _local_to_utc(start, tz)
                end_utc = _local_to_utc(end, tz)
                lo, hi = start_utc, end_utc
            else:
                start = _truncate(date.fromisoformat(raw), granularity)
                end = _next_bucket(start, granularity)
                lo, hi = start.isoformat(), end.isoformat()
            label = _label(start, granularity)
            return ((0, lo), label, ["&", [name, ">=", lo], [name, "<", hi]], {"from": lo, "to": hi}, lo)
        if spec.type == "many2one":
            if not raw:
                return ((1, 0), False, [[name, "=", False]], None, False)
            return ((0, raw), [raw, self._display_name(spec.relation, raw)], [[name, "=", raw]], None, raw)
        if spec.type in ("one2many", "many2many"):
            raise value_error(f"Grouping on {spec.type} field {name!r} is not supported by the simulator")
        value = raw if raw not in (None, "") else False
        return (
            (0 if value is not False else 1, _sort_value(value)),
            value,
            [[name, "=", value]],
            None,
            value,
        )

    def _parse_aggregates(self, specs) -> list[tuple[str, str, str]]:
        """-> [(result key, function, field)]"""
        out = []
        for text in specs or []:
            if text == "__count":
                continue
            alias, _, rest = text.partition(":")
            if "(" in rest:
                func, _, field = rest.partition("(")
                field = field.rstrip(")")
            else:
                func, field = rest, alias
            spec = self._field(field)
            if not func:
                if spec.type not in NUMERIC:
                    continue
                func = spec.aggregator or "sum"
            if func not in (
                "sum",
                "avg",
                "min",
                "max",
                "count",
                "count_distinct",
                "array_agg",
                "bool_and",
                "bool_or",
            ):
                raise value_error(f"Invalid aggregation function {func!r}.")
            out.append((text if ":" in text and self._formatted else alias, func, field))
        return out

    _formatted = False

    def _grouped(self, domain, groupby: list[str], agg_specs):
        records = self._search_records(domain or [], order="id")
        tz = self._tz()
        groups: dict[tuple, dict] = {}
        for rec in records:
            parts = [self._group_value(g, rec, tz, True) for g in groupby]
            key = tuple(p[0] for p in parts)
            group = groups.get(key)
            if group is None:
                group = groups[key] = {"parts": parts, "records": []}
            group["records"].append(rec)
        ordered = [groups[k] for k in sorted(groups)]
        for group in ordered:
            group["aggregates"] = {
                key: _aggregate(func, [r.get(field) for r in group["records"]])
                for key, func, field in agg_specs
            }
        return ordered

    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
        if lazy and len(groupby) > 1:
            rest, groupby = groupby[1:], groupby[:1]
        else:
            rest = None
        aggs = self._parse_aggregates(fields)
        groups = self._grouped(domain, groupby, aggs)
        if orderby:
            for part in reversed([p.strip() for p in orderby.split(",") if p.strip()]):
                key_name, *direction = part.split()
                desc = bool(direction) and direction[0].lower() == "desc"
                if key_name in groupby:
                    idx = groupby.index(key_name)
                    groups.sort(key=lambda g, i=idx: g["parts"][i][0], reverse=desc)
                elif key_name in ("__count", f"{groupby[0].split(':')[0]}_count" if groupby else ""):
                    groups.sort(key=lambda g: len(g["records"]), reverse=desc)
                else:
                    groups.sort(key=lambda g, k=key_name: _sort_value(g["aggregates"].get(k)), reverse=desc)
        offset = int(offset or 0)
        groups = groups[offset : offset + int(limit)] if limit else groups[offset:]
        count_key = f"{groupby[0].split(':')[0]}_count" if (lazy and groupby) else "__count"
        result = []
        for group in groups:
            row: dict = {}
            ranges = {}
            domain_parts = []
            for spec_text, part in zip(groupby, group["parts"], strict=True):
                row[spec_text] = part[1]
                domain_parts.append(part[2])
                if part[3] is not None:
                    ranges[spec_text] = part[3]
            row[count_key] = len(group["records"])
            row.update(group["aggregates"])
            row["__domain"] = D.and_domains(*domain_parts, list(domain or []))
            if ranges:
                row["__range"] = ranges
            if rest:
                row["__context"] = {"group_by": rest}
            result.append(row)
        if not groupby and not result:
            result = [
                {"__count": 0, **{k: _aggregate(f, []) for k, f, _ in aggs}, "__domain": list(domain or [])}
            ]
        return result

    def formatted_read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        self._formatted = True
        groupby = list(groupby or [])
        for spec_text in groupby:
            name, _, gran = spec_text.partition(":")
            if self._field(name).type in ("date", "datetime") and not gran:
                raise value_error(f"Granularity is missing for {spec_text!r}")
        aggs = self._parse_aggregates(aggregates)
        groups = self._grouped(domain, groupby, aggs)
        offset = int(offset or 0)
        groups = groups[offset : offset + int(limit)] if limit else groups[offset:]
        result = []
        for group in groups:
            row: dict = {}
            parts = []
            for spec_text, part in zip(groupby, group["parts"], strict=True):
                value = part[1]
                if part[3] is not None:  # date buckets: [range start, label]
                    value = [part[4], part[1]] if part[4] else False
                row[spec_text] = value
                parts.append(part[2])
            row["__extra_domain"] = D.and_domains(*parts)
            if "__count" in (aggregates or []):
                row["__count"] = len(group["records"])
            row.update(group["aggregates"])
            result.append(row)
        return result


def _sort_value(value):
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value is False:
        return (1, 0)
    if isinstance(value, bool):
        return (0, int(value))
    return (0, value)


def _aggregate(func: str, values: list):
    if func == "count":
        return len([v for v in values if v not in (None, False)])
    if func == "count_distinct":
        return len({v for v in values if v not in (None, False)})
    if func == "array_agg":
        return list(values)
    if func in ("bool_and", "bool_or"):
        return (all if func == "bool_and" else any)(bool(v) for v in values)
    nums = [v for v in values if v is not None and v is not False]
    if func == "sum":
        return round(sum(float(v) for v in nums), 6) if nums else 0.0
    if not nums:
        return False
    if func == "avg":
        return sum(nums) / len(nums)
    return min(nums) if func == "min" else max(nums)


def _truncate(day: date, granularity: str) -> date:
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _next_bucket(start: date, granularity: str) -> date:
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    total = start.month - 1 + months
    return date(start.year + total // 12, total % 12 + 1, 1)


def _local_to_utc(day: date, tz) -> str:
    local = datetime(day.year, day.month, day.day, tzinfo=tz)
    return local.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _label(start: date, granularity: str) -> str:
    if granularity == "day":
        return f"{start.day:02d} {MONTHS[start.month - 1][:3]} {start.year}"
    if granularity == "week":
        year, week, _ = start.isocalendar()
        return f"W{week} {year}"
    if granularity == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if granularity == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def validate_model(ds: Dataset, model: str, via_service: bool = True) -> None:
    """Unknown model: the /jsonrpc object service raises UserError (service/model.py execute_cr);
    the web routes index the registry and raise KeyError."""
    if model in ds.models:
        return
    if via_service:
        raise OdooFault("odoo.exceptions.UserError", f"Object {model} doesn't exist", json2_status=422)
    raise OdooFault("builtins.KeyError", repr(model), [model], json2_status=404)


def _record_sort_value(name: str, record: dict) -> Any:
    return _sort_value(record.get(name))


def _classic_many2one(display: Callable[[str, Any], str], relation: str, value: Any) -> Any:
    """A many2one as `read` returns it: [id, display name], or False."""
    return [value, display(relation, value)] if value else False
