"""Odoo domains: parse prefix notation into a tree, validate fields, evaluate on raw records.

Tree nodes: ("&", [nodes]), ("|", [nodes]), ("!", node), ("leaf", path, op, value), ("true",), ("false",).
"""

from __future__ import annotations

import re
from collections.abc import Callable

OPERATORS = {"=", "!=", "<>", "<", "<=", ">", ">=", "in", "not in", "like", "not like", "ilike", "not ilike",
             "=like", "=ilike", "child_of", "parent_of", "=?"}
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


def compare(field_type: str, value, op: str, operand, name_of: Callable[[object], str] | None = None) -> bool:
    """One leaf against one raw value (m2o = id or None, x2many = list of ids)."""
    if op == "=?":
        return True if operand in (None, False) else compare(field_type, value, "=", operand, name_of)
    if field_type in ("one2many", "many2many"):
        ids = value or []
        if op in ("=", "in"):
            wanted = operand if isinstance(operand, list | tuple) else [operand]
            if wanted in ([False], [None]) or (op == "=" and operand is False):
                return not ids
            return any(i in ids for i in wanted)
        if op in ("!=", "not in"):
            return not compare(field_type, value, "in", operand, name_of)
        raise DomainError(f"Operator {op!r} not supported on {field_type} in this simulator")
    if field_type == "many2one" and isinstance(operand, str) and op not in ("in", "not in"):
        # Odoo resolves a string against the related display name (name_search).
        text = name_of(value) if (value is not None and name_of) else None
        return compare("char", text, "ilike" if op == "=" else op, operand)
    if field_type == "datetime" and isinstance(operand, str) and len(operand) == 10:
        operand = operand + (" 23:59:59" if op in (">", "<=") else " 00:00:00")
    if op in ("=", "!="):
        if operand is False or operand is None:
            hit = value is False if field_type == "boolean" else _is_empty(value)
        elif field_type == "boolean":
            hit = bool(value) == bool(operand)
        else:
            hit = value == operand
        # Odoo's "!=" also matches NULLs.
        return hit if op == "=" else not hit
    if op in ("in", "not in"):
        wanted = list(operand) if isinstance(operand, list | tuple | set) else [operand]
        hit = value in wanted or (_is_empty(value) and field_type != "boolean" and False in wanted)
        if field_type == "boolean":
            hit = bool(value) in [bool(w) for w in wanted]
        return hit if op == "in" else not hit
    if op in ("<", "<=", ">", ">="):
        if value is None or value is False or operand is None or operand is False:
            return False
        if field_type in ("integer", "float", "monetary", "many2one"):
            value, operand = float(value), float(operand)
        elif not isinstance(operand, str):
            operand = str(operand)
        return {"<": value < operand, "<=": value <= operand, ">": value > operand, ">=": value >= operand}[op]
    if op in ("like", "not like", "ilike", "not ilike", "=like", "=ilike"):
        negative = op.startswith("not")
        if _is_empty(value):
            return negative
        if operand is False or operand is None:
            operand = ""
        rx = _like_regex(str(operand), exact=op.startswith("="), ignore_case="ilike" in op)
        hit = bool(rx.match(str(value)))
        return not hit if negative else hit
    raise DomainError(f"Operator {op!r} is not supported by the simulator")


def evaluate(node, rec: dict, leaf_fn: Callable[[dict, str, str, object], bool]) -> bool:
    kind = node[0]
    if kind == "leaf":
        return leaf_fn(rec, node[1], node[2], node[3])
    if kind == "&":
        return all(evaluate(child, rec, leaf_fn) for child in node[1])
    if kind == "|":
        return any(evaluate(child, rec, leaf_fn) for child in node[1])
    if kind == "!":
        return not evaluate(node[1], rec, leaf_fn)
    return kind == "true"


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
