"""Odoo prefix-notation domains: parsing, operators, NULL semantics (no server)."""

from __future__ import annotations

import pytest

from shared.odoo_sim.domain import DomainError, and_domains, compare, compile_tree, parse, to_prefix


def matches(domain, rec, types):
    tree = parse(domain)

    def make_leaf(path, op, value):
        return lambda r: compare(types[path], r.get(path), op, value)

    return compile_tree(tree, make_leaf)(rec)


TYPES = {
    "name": "char",
    "qty": "float",
    "partner_id": "many2one",
    "tax_ids": "many2many",
    "active": "boolean",
    "date_order": "datetime",
    "state": "selection",
}
REC = {
    "name": "Shop/0001",
    "qty": 2.0,
    "partner_id": None,
    "tax_ids": [1, 7],
    "active": False,
    "date_order": "2026-11-19 17:04:24",
    "state": "done",
}


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ([], True),
        ([("qty", ">", 1)], True),
        ([("qty", "<=", 1)], False),
        (["|", ("qty", "<", 1), ("state", "=", "done")], True),
        (["!", ("state", "=", "done")], False),
        ([("state", "in", ["paid", "done"]), ("qty", "!=", 2)], False),
        ([("partner_id", "=", False)], True),
        ([("partner_id", "!=", 5)], True),  # Odoo's != matches NULL
        ([("partner_id", ">", 0)], False),
        ([("partner_id", "in", [False, 3])], True),
        ([("partner_id", "not in", [3])], True),
        ([("tax_ids", "in", [7, 9])], True),
        ([("tax_ids", "=", False)], False),
        ([("tax_ids", "not in", [2])], True),
        ([("active", "=", False)], True),
        ([("name", "like", "shop")], False),
        ([("name", "ilike", "shop")], True),
        ([("name", "=like", "Shop/%1")], True),
        ([("name", "=ilike", "shop/____")], True),
        ([("name", "not ilike", "xyz")], True),
        ([("date_order", ">=", "2026-11-19")], True),
        ([("date_order", "<=", "2026-11-18")], False),
        ([(1, "=", 1)], True),
        ([(0, "=", 1)], False),
    ],
)
def test_leaf_semantics(domain, expected):
    assert matches(domain, REC, TYPES) is expected


def test_parse_nested_prefix_and_back():
    domain = ["|", "&", ("a", "=", 1), ("b", "=", 2), "!", ("c", "=", 3)]
    tree = parse(domain)
    assert tree[0] == "|"
    assert to_prefix(tree) == ["|", "&", ["a", "=", 1], ["b", "=", 2], "!", ["c", "=", 3]]


def test_and_domains_normalises_implicit_and():
    result = and_domains([("a", "=", 1)], [("b", "=", 2), ("c", "=", 3)])
    assert result == ["&", ["a", "=", 1], "&", ["b", "=", 2], ["c", "=", 3]]


@pytest.mark.parametrize("bad", [["&", ("a", "=", 1)], [("a", "~", 1)], "nope", [("a", "=")]])
def test_malformed_domains_raise(bad):
    with pytest.raises(DomainError):
        parse(bad)
