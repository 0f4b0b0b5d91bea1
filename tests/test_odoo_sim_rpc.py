"""The simulator through the real odoorpc client and raw JSON-RPC: login, read formats, errors, domains."""

from __future__ import annotations

from datetime import date

import odoorpc
import pytest
import requests

from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN, OdooSimulator, SimConfig
from shared.odoo_sim.config import DEMO_PASSWORD

END_DAY = date(2026, 11, 20)
# Business day END_DAY in Asia/Jakarta = [2026-11-19 17:00, 2026-11-20 17:00) UTC.
DAY_START, DAY_END = "2026-11-19 17:00:00", "2026-11-20 17:00:00"


@pytest.fixture(scope="module")
def sim():
    with OdooSimulator(SimConfig(seed=7, lines_per_day=120, days=5, end_day=END_DAY)) as server:
        yield server


@pytest.fixture(scope="module")
def odoo(sim):
    client = odoorpc.ODOO(sim.host, port=sim.port, protocol="jsonrpc")
    client.login(DEMO_DB, DEMO_LOGIN, DEMO_API_KEY)
    return client


def rpc(sim, path, params, request_id=17):
    response = requests.post(
        f"{sim.url}{path}",
        json={"jsonrpc": "2.0", "method": "call", "params": params, "id": request_id},
        timeout=10,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == request_id
    return body


def execute_kw(sim, model, method, args, kwargs=None, key=DEMO_API_KEY):
    return rpc(
        sim,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": [DEMO_DB, 2, key, model, method, args, kwargs or {}],
        },
    )


def test_odoorpc_logs_in_with_the_api_key_through_jsonrpc(sim, odoo):
    assert odoo.version == "17.0"
    assert odoo.env.uid == 2
    assert odoo.env.context["tz"] == "Asia/Jakarta"
    assert odoo.db.list() == [DEMO_DB]
    assert sim.calls[("common", "login")] >= 1
    assert sim.calls[("res.users", "context_get")] >= 1


def test_version_info_and_common_login(sim):
    result = rpc(sim, "/web/webclient/version_info", {})["result"]
    assert result["server_version"] == "17.0"
    assert result["server_version_info"][:2] == [17, 0]
    assert (
        rpc(
            sim,
            "/jsonrpc",
            {"service": "common", "method": "login", "args": [DEMO_DB, DEMO_LOGIN, DEMO_API_KEY]},
        )["result"]
        == 2
    )
    wrong = rpc(
        sim, "/jsonrpc", {"service": "common", "method": "login", "args": [DEMO_DB, DEMO_LOGIN, "nope"]}
    )
    assert wrong == {"jsonrpc": "2.0", "id": 17, "result": False}
    assert (
        rpc(
            sim,
            "/jsonrpc",
            {"service": "common", "method": "authenticate", "args": [DEMO_DB, "someone", DEMO_API_KEY, {}]},
        )["result"]
        is False
    )


def test_get_is_refused(sim):
    assert requests.get(f"{sim.url}/jsonrpc", timeout=5).status_code == 405


def test_bad_key_on_object_call_is_access_denied(sim):
    body = execute_kw(sim, "pos.order", "search", [[]], key="wrong-key")
    error = body["error"]
    assert error["code"] == 200 and error["message"] == "Odoo Server Error"
    assert set(error["data"]) == {"name", "message", "debug", "arguments", "context"}
    assert error["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert error["data"]["message"] == "Access Denied"


def test_api_key_is_refused_on_session_authenticate(sim):
    body = rpc(
        sim, "/web/session/authenticate", {"db": DEMO_DB, "login": DEMO_LOGIN, "password": DEMO_API_KEY}
    )
    assert body["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    session = requests.Session()
    ok = session.post(
        f"{sim.url}/web/session/authenticate",
        timeout=10,
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 3,
            "params": {"db": DEMO_DB, "login": DEMO_LOGIN, "password": DEMO_PASSWORD},
        },
    ).json()
    assert ok["result"]["uid"] == 2
    # The web client route indexes the registry: an unknown model is a KeyError there.
    unknown = session.post(
        f"{sim.url}/web/dataset/call_kw",
        timeout=10,
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 4,
            "params": {"model": "no.such.model", "method": "search", "args": [[]], "kwargs": {}},
        },
    ).json()
    assert unknown["error"]["data"]["name"] == "builtins.KeyError"
    expired = rpc(
        sim, "/web/dataset/call_kw", {"model": "pos.order", "method": "search", "args": [[]], "kwargs": {}}
    )
    assert expired["error"]["code"] == 100


def test_unknown_model_and_field_errors(sim, odoo):
    error = execute_kw(sim, "no.such.model", "search", [[]])["error"]
    # The object service checks the registry itself (odoo/service/model.py execute_cr).
    assert error["data"]["name"] == "odoo.exceptions.UserError"
    assert error["data"]["message"] == "Object no.such.model doesn't exist"
    error = execute_kw(sim, "pos.order", "search_read", [[]], {"fields": ["nope"], "limit": 1})["error"]
    assert error["data"]["name"] == "builtins.ValueError"
    assert error["data"]["message"] == "Invalid field 'nope' on model 'pos.order'"
    with pytest.raises(odoorpc.error.RPCError, match="Invalid field 'qty_done' on model 'stock.move.line'"):
        odoo.execute_kw("stock.move.line", "search_read", [[]], {"fields": ["qty_done"], "limit": 1})


def test_read_formats(sim, odoo):
    orders = odoo.execute_kw(
        "pos.order",
        "search_read",
        [[["date_order", ">=", DAY_START], ["date_order", "<", DAY_END]]],
        {
            "fields": [
                "name",
                "partner_id",
                "session_id",
                "lines",
                "date_order",
                "amount_total",
                "account_move",
            ],
            "order": "id",
        },
    )
    assert orders, "a business day has orders"
    without_partner = [o for o in orders if o["partner_id"] is False]
    with_partner = [o for o in orders if o["partner_id"]]
    assert without_partner and with_partner
    partner = with_partner[0]["partner_id"]
    assert isinstance(partner, list) and isinstance(partner[0], int) and isinstance(partner[1], str)
    assert all(isinstance(o["lines"], list) and o["lines"] for o in orders)
    assert all(len(o["date_order"]) == 19 and DAY_START <= o["date_order"] < DAY_END for o in orders)
    assert all(o["account_move"] is False for o in orders)
    lines = odoo.execute_kw(
        "pos.order.line",
        "read",
        [orders[0]["lines"]],
        {"fields": ["qty", "discount", "tax_ids", "refunded_orderline_id"]},
    )
    assert all(isinstance(ln["discount"], float) and ln["refunded_orderline_id"] is False for ln in lines)
    moves = odoo.execute_kw(
        "account.move",
        "search_read",
        [[["invoice_date", "=", END_DAY.isoformat()]]],
        {"fields": ["invoice_date", "ref"]},
    )
    assert moves and all(m["invoice_date"] == "2026-11-20" and m["ref"] is False for m in moves)


def test_read_drops_missing_ids_silently(odoo):
    ids = odoo.execute_kw(
        "pos.order", "search", [[["date_order", ">=", DAY_START]]], {"limit": 2, "order": "id"}
    )
    result = odoo.execute_kw("pos.order", "read", [[ids[1], 999_999_999, 3, ids[0]]], {"fields": ["name"]})
    assert [r["id"] for r in result] == [ids[1], ids[0]]


def test_fields_get(odoo):
    fields = odoo.execute_kw("stock.move.line", "fields_get", [], {"attributes": ["type", "relation"]})
    assert fields["quantity"] == {"type": "float"}
    assert "qty_done" not in fields
    assert fields["product_id"] == {"type": "many2one", "relation": "product.product"}
    aml = odoo.execute_kw("account.move.line", "fields_get", [["actual_price", "display_type"]], {})
    assert set(aml) == {"actual_price", "display_type"}
    assert ["product", "Product"] in aml["display_type"]["selection"]
    assert "product.brand" not in odoo.env


def test_archived_products_hidden_unless_active_test_false(odoo):
    active = odoo.execute_kw("product.product", "search", [[]])
    every = odoo.execute_kw("product.product", "search", [[]], {"context": {"active_test": False}})
    archived = sorted(set(every) - set(active))
    assert archived
    explicit = odoo.execute_kw("product.product", "search", [[["active", "=", False]]])
    assert sorted(explicit) == archived


def test_archived_products_still_sell(sim, odoo):
    archived = odoo.execute_kw("product.product", "search", [[["active", "=", False]]])
    sold = odoo.execute_kw("pos.order.line", "search_count", [[["product_id", "in", archived]]])
    assert sold > 0


def test_keyset_paging_by_id_covers_the_day_once(odoo):
    window = [["date_order", ">=", DAY_START], ["date_order", "<", DAY_END]]
    expected = odoo.execute_kw("pos.order", "search", [window], {"order": "id"})
    seen, last = [], 0
    while True:
        page = odoo.execute_kw(
            "pos.order",
            "search_read",
            [window + [["id", ">", last]]],
            {"fields": ["id"], "order": "id", "limit": 7},
        )
        if not page:
            break
        seen += [r["id"] for r in page]
        last = page[-1]["id"]
    assert seen == expected and len(expected) > 7


def test_children_by_parent_ids_dotted_paths_and_order(odoo):
    orders = odoo.execute_kw(
        "pos.order",
        "search_read",
        [
            [
                ["date_order", ">=", DAY_START],
                ["date_order", "<", DAY_END],
                ["state", "in", ["paid", "done", "invoiced"]],
            ]
        ],
        {"fields": ["lines"]},
    )
    order_ids = [o["id"] for o in orders]
    expected_lines = sorted(i for o in orders for i in o["lines"])
    lines = odoo.execute_kw(
        "pos.order.line",
        "search_read",
        [[["order_id", "in", order_ids]]],
        {"fields": ["order_id", "price_subtotal_incl"], "order": "id"},
    )
    assert [ln["id"] for ln in lines] == expected_lines
    dotted = odoo.execute_kw(
        "pos.order.line",
        "search",
        [
            [
                ["order_id.state", "in", ["paid", "done", "invoiced"]],
                ["order_id.date_order", ">=", DAY_START],
                ["order_id.date_order", "<", DAY_END],
            ]
        ],
        {"order": "id"},
    )
    assert dotted == expected_lines
    by_total = odoo.execute_kw(
        "pos.order",
        "search_read",
        [[["id", "in", order_ids]]],
        {"fields": ["amount_total"], "order": "amount_total desc, id", "limit": 5, "offset": 2},
    )
    totals = sorted(
        (
            o["amount_total"]
            for o in odoo.execute_kw("pos.order", "read", [order_ids], {"fields": ["amount_total"]})
        ),
        reverse=True,
    )
    assert [o["amount_total"] for o in by_total] == totals[2:7]


def test_search_count_and_states(odoo):
    window = [["date_order", ">=", DAY_START], ["date_order", "<", DAY_END]]
    total = odoo.execute_kw("pos.order", "search_count", [window])
    by_state = {
        s: odoo.execute_kw("pos.order", "search_count", [window + [["state", "=", s]]])
        for s in ("draft", "cancel", "paid", "done", "invoiced")
    }
    assert sum(by_state.values()) == total
    assert by_state["done"] > 0 and by_state["paid"] > 0


def test_read_group_day_buckets_follow_the_context_timezone(sim):
    two_days = [["date_order", ">=", "2026-11-18 17:00:00"], ["date_order", "<", DAY_END]]
    jakarta = execute_kw(
        sim,
        "pos.order",
        "read_group",
        [two_days, ["amount_total:sum"], ["date_order:day"]],
        {"lazy": False, "context": {"tz": "Asia/Jakarta"}},
    )["result"]
    assert [g["date_order:day"] for g in jakarta] == ["19 Nov 2026", "20 Nov 2026"]
    day = jakarta[1]
    assert day["__range"] == {"date_order:day": {"from": DAY_START, "to": DAY_END}}
    assert ["date_order", ">=", DAY_START] in day["__domain"]
    counted = execute_kw(sim, "pos.order", "search_count", [day["__domain"]])["result"]
    assert counted == day["__count"]
    utc = execute_kw(
        sim,
        "pos.order",
        "read_group",
        [two_days, ["amount_total:sum"], ["date_order:day"]],
        {"lazy": False, "context": {"tz": "UTC"}},
    )["result"]
    # Orders between 00:00 and 07:00 local time belong to the previous UTC day.
    assert [g["date_order:day"] for g in utc] == ["18 Nov 2026", "19 Nov 2026", "20 Nov 2026"]
    assert sum(g["__count"] for g in utc) == sum(g["__count"] for g in jakarta)


def test_read_group_lazy_count_key_and_many2one_groups(odoo):
    window = [["date_order", ">=", DAY_START], ["date_order", "<", DAY_END]]
    groups = odoo.env["pos.order"].read_group(window, ["amount_total"], ["state", "config_id"])
    assert all("state_count" in g and "__context" in g for g in groups)
    assert {g["state"] for g in groups} <= {"draft", "cancel", "paid", "done", "invoiced"}
    by_config = odoo.env["pos.order"].read_group(window, ["amount_total:sum"], ["config_id"], lazy=False)
    assert sorted(g["config_id"][0] for g in by_config) == [1, 2]
    assert all(["config_id", "=", g["config_id"][0]] in g["__domain"] for g in by_config)


def test_expected_totals_match_server_side_read_group(sim, odoo):
    expected = sim.expected_pos_totals(END_DAY)
    groups = odoo.env["pos.order"].read_group(
        [
            ["date_order", ">=", DAY_START],
            ["date_order", "<", DAY_END],
            ["state", "in", ["paid", "done", "invoiced"]],
        ],
        ["amount_total:sum"],
        ["date_order:day"],
        lazy=False,
    )
    assert len(groups) == 1
    assert groups[0]["__count"] == expected["orders"]
    assert groups[0]["amount_total"] == pytest.approx(expected["amount_total"])


def test_midnight_orders_exist_on_both_sides(odoo):
    # 00:00-00:10 local = 17:00-17:10 UTC the day before; 23:50-24:00 local = 16:50-17:00 UTC.
    early = odoo.execute_kw(
        "pos.order",
        "search_count",
        [[["date_order", ">=", DAY_START], ["date_order", "<", "2026-11-19 17:10:00"]]],
    )
    late = odoo.execute_kw(
        "pos.order",
        "search_count",
        [[["date_order", ">=", "2026-11-20 16:50:00"], ["date_order", "<", DAY_END]]],
    )
    assert early >= 1 and late >= 1


def test_execute_positional_and_context_get(sim):
    body = rpc(
        sim,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute",
            "args": [DEMO_DB, 2, DEMO_API_KEY, "res.users", "context_get"],
        },
    )
    assert body["result"]["tz"] == "Asia/Jakarta"
    ids = rpc(
        sim,
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute",
            "args": [DEMO_DB, 2, DEMO_API_KEY, "res.partner", "search", [["supplier_rank", ">", 0]]],
        },
    )["result"]
    assert len(ids) == 8


def test_unknown_method_private_method_and_bad_kwarg(sim):
    assert (
        execute_kw(sim, "pos.order", "do_magic", [[]])["error"]["data"]["name"] == "builtins.AttributeError"
    )
    assert (
        execute_kw(sim, "pos.order", "_read", [[]])["error"]["data"]["name"] == "odoo.exceptions.AccessError"
    )
    bad = execute_kw(sim, "pos.order", "search_read", [[]], {"feilds": ["name"]})["error"]["data"]
    assert bad["name"] == "builtins.TypeError"
    bad_domain = execute_kw(sim, "pos.order", "search", [[["nope", "=", 1]]])["error"]["data"]
    assert bad_domain["name"] == "builtins.ValueError" and "nope" in bad_domain["message"]


def test_ir_model_lists_the_models(odoo):
    models = {r["model"] for r in odoo.execute_kw("ir.model", "search_read", [[]], {"fields": ["model"]})}
    assert {"pos.order", "account.move.line", "stock.move.line", "stock.quant", "uom.uom"} <= models
    assert "product.brand" not in models


def test_child_of_on_locations_and_categories(odoo):
    under_wh = odoo.execute_kw(
        "stock.location",
        "search",
        [[["id", "child_of", 7]]],
        {"context": {"active_test": False}, "order": "id"},
    )
    assert under_wh == [7, 8, 9, 11]
    quants = odoo.execute_kw(
        "stock.quant", "search_read", [[["location_id", "child_of", 7]]], {"fields": ["location_id"]}
    )
    assert quants and {q["location_id"][0] for q in quants} <= {8, 9}
    food = odoo.execute_kw("product.product", "search_count", [[["categ_id", "child_of", 1]]])
    assert food == odoo.execute_kw("product.product", "search_count", [[]])


def test_keyset_page_over_many_days_stops_when_full(sim, odoo):
    # Done move lines after a date, paged by id: the page is the first ids in order, whatever the span.
    domain = [["date", ">=", "2026-11-16 17:00:00"], ["state", "=", "done"]]
    every = odoo.execute_kw("stock.move.line", "search", [domain], {"order": "id"})
    page = odoo.execute_kw(
        "stock.move.line", "search", [domain + [["id", ">", every[2]]]], {"order": "id", "limit": 4}
    )
    assert page == every[3:7]
    offset_page = odoo.execute_kw(
        "stock.move.line", "search", [domain], {"order": "id", "limit": 3, "offset": 5}
    )
    assert offset_page == every[5:8]


def test_malformed_requests(sim):
    assert requests.post(f"{sim.url}/jsonrpc", data=b"{not json", timeout=5).status_code == 400
    body = rpc(sim, "/jsonrpc", ["not", "an", "object"])
    assert body["error"]["data"]["name"] == "builtins.TypeError"
    unknown_service = rpc(sim, "/jsonrpc", {"service": "nope", "method": "x", "args": []})
    assert unknown_service["error"]["code"] == 200
    assert requests.post(f"{sim.url}/no/such/route", json={}, timeout=5).status_code == 404
