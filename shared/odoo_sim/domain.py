"""Odoo domains: parse prefix notation into a tree, validate fields, evaluate on raw records.

Tree nodes: ("&", [nodes]), ("|", [nodes]), ("!", node), ("leaf", path, op, value), ("true",), ("false",).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import cast

OPERATORS = {
    "=",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not in",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "=like",
    "=ilike",
    "child_of",
    "parent_of",
    "=?",
}
TRUE_LEAF, FALSE_LEAF = ("true",), ("false",)


class DomainError(ValueError):
    pass


def parse(domain) -> tuple:
    """Prefix-notation list → tree. Implicit '&' between top-level terms, as in Odoo."""
    if domain is None or domain is False:
        domain = []
    if not isinstance(domain, list | tuple):
        raise DomainError(f"Invalid domain: {domain!r}")
    items = list(domain)
    pos = 0

    def term():
        nonlocal pos
        if pos >= len(items):
            raise DomainError(f"Invalid domain: {domain!r}")
        item = items[pos]
        pos += 1
        if item in ("&", "|"):
            return (item, [term(), term()])
        if item == "!":
            return ("!", term())
        return leaf(item)

    nodes = []
    while pos < len(items):
        nodes.append(term())
    if not nodes:
        return TRUE_LEAF
    return nodes[0] if len(nodes) == 1 else ("&", nodes)


def leaf(item) -> tuple:
    if not isinstance(item, list | tuple) or len(item) != 3:
        raise DomainError(f"Invalid leaf {item!r}")
    path, op, value = item
    if path in (1, True) and op == "=" and value == 1:
        return TRUE_LEAF
    if path in (0, False) and op == "=" and value == 1:
        return FALSE_LEAF
    if not isinstance(path, str) or op not in OPERATORS:
        raise DomainError(f"Invalid leaf {item!r}")
    return ("leaf", path, "!=" if op == "<>" else op, value)


def leaves(node):
    if node[0] == "leaf":
        yield node
    elif node[0] in ("&", "|"):
        for child in node[1]:
            yield from leaves(child)
    elif node[0] == "!":
        yield from leaves(node[1])


def uses_field(node, name: str) -> bool:
    return any(lf[1].split(".")[0] == name for lf in leaves(node))


def _like_regex(pattern: str, exact: bool, ignore_case: bool) -> re.Pattern:
    if exact:
        body = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    else:
        body = ".*" + re.escape(pattern) + ".*"
    return re.compile(f"^{body}$", re.S | (re.I if ignore_case else 0))


def _is_empty(value) -> bool:
    return value is None or value is False or value == [] or value == ""


def make_comparator(
    field_type: str, op: str, operand, name_of: Callable[[object], str] | None = None
) -> Callable[[object], bool]:
    """One leaf, prepared once: returns value -> bool for raw values (m2o = id or None, x2many = id list)."""
    if op == "=?":
        if operand in (None, False):
            return lambda value: True
        op = "="
    if field_type in ("one2many", "many2many"):
        if op in ("=", "in", "!=", "not in"):
            wanted = operand if isinstance(operand, list | tuple | set) else [operand]
            if list(wanted) in ([False], [None]) or (op in ("=", "!=") and operand is False):
                empty = op in ("=", "in")
                return lambda value: (not value) == empty
            wanted_set = frozenset(w for w in wanted if w is not False and w is not None)
            positive = op in ("=", "in")
            return lambda value: bool(value and not wanted_set.isdisjoint(cast(Iterable, value))) == positive
        raise DomainError(f"Operator {op!r} not supported on {field_type} in this simulator")
    if field_type == "many2one" and isinstance(operand, str) and op not in ("in", "not in"):
        # Odoo resolves a string against the related display name (name_search).
        text_cmp = make_comparator("char", "ilike" if op == "=" else op, operand)
        return lambda value: text_cmp(name_of(value) if (value is not None and name_of) else None)
    if field_type == "datetime" and isinstance(operand, str) and len(operand) == 10:
        operand = operand + (" 23:59:59" if op in (">", "<=") else " 00:00:00")
    if op in ("=", "!="):
        positive = op == "="  # Odoo's "!=" also matches NULLs: it is the exact negation here
        if operand is False or operand is None:
            if field_type == "boolean":
                return lambda value: (value is False or value is None) == positive
            return lambda value: _is_empty(value) == positive
        if field_type == "boolean":
            target = bool(operand)
            return lambda value: (bool(value) == target) == positive
        return lambda value: (value == operand) == positive
    if op in ("in", "not in"):
        wanted = list(operand) if isinstance(operand, list | tuple | set) else [operand]
        positive = op == "in"
        if field_type == "boolean":
            bools = {bool(w) for w in wanted}
            return lambda value: (bool(value) in bools) == positive
        with_empty = False in wanted or None in wanted
        try:
            wanted_set = frozenset(w for w in wanted if w is not False and w is not None)
        except TypeError:
            raise DomainError(f"Invalid value {operand!r} for operator {op!r}") from None
        return lambda value: ((value in wanted_set) or (with_empty and _is_empty(value))) == positive
    if op in ("<", "<=", ">", ">="):
        if operand is None or operand is False:
            return lambda value: False
        numeric = field_type in ("integer", "float", "monetary", "many2one")
        if numeric:
            operand = float(operand)
        elif not isinstance(operand, str):
            operand = str(operand)
        check = {
            "<": lambda v: v < operand,
            "<=": lambda v: v <= operand,
            ">": lambda v: v > operand,
            ">=": lambda v: v >= operand,
        }[op]

        def ordered(value) -> bool:
            if value is None or value is False:
                return False
            return check(float(value) if numeric else value)

        return ordered
    if op in ("like", "not like", "ilike", "not ilike", "=like", "=ilike"):
        negative = op.startswith("not")
        rx = _like_regex(
            "" if operand in (None, False) else str(operand),
            exact=op.startswith("="),
            ignore_case="ilike" in op,
        )

        def like(value) -> bool:
            if _is_empty(value):
                return negative
            return bool(rx.match(str(value))) != negative

        return like
    raise DomainError(f"Operator {op!r} is not supported by the simulator")


def compare(field_type: str, value, op: str, operand, name_of=None) -> bool:
    return make_comparator(field_type, op, operand, name_of)(value)


def compile_tree(
    node, make_leaf: Callable[[str, str, object], Callable[[dict], bool]]
) -> Callable[[dict], bool]:
    """Tree -> predicate(record); leaves are prepared once by make_leaf(path, op, value)."""
    kind = node[0]
    if kind == "leaf":
        return make_leaf(node[1], node[2], node[3])
    if kind in ("&", "|"):
        preds = [compile_tree(child, make_leaf) for child in node[1]]
        if kind == "&":
            return lambda rec: all(p(rec) for p in preds)
        return lambda rec: any(p(rec) for p in preds)
    if kind == "!":
        pred = compile_tree(node[1], make_leaf)
        return lambda rec: not pred(rec)
    result = kind == "true"
    return lambda rec: result


def to_prefix(node) -> list:
    """Tree → Odoo prefix list (used for __domain in read_group results)."""
    kind = node[0]
    if kind == "leaf":
        return [[node[1], node[2], node[3]]]
    if kind == "true":
        return []
    if kind == "false":
        return [[0, "=", 1]]
    if kind == "!":
        return ["!"] + to_prefix(node[1])
    children = [c for c in node[1] if c != TRUE_LEAF] if kind == "&" else node[1]
    if not children:
        return []
    out = [kind] * (len(children) - 1)
    for child in children:
        out += to_prefix(child)
    return out


def and_domains(*domains: list) -> list:
    parts = [d for d in domains if d]
    if not parts:
        return []
    out = ["&"] * (len(parts) - 1)
    for d in parts:
        tree = parse(d)
        out += to_prefix(tree) if tree != TRUE_LEAF else []
    return out
