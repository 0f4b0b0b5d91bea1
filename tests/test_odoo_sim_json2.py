"""Odoo 19 JSON-2 API, version modes (16/17/19), injected faults, late edits, deletes, key revocation."""

from __future__ import annotations

import socket
import urllib.error
from datetime import date

import odoorpc
import pytest
import requests

from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN, OdooSimulator, SimConfig

END_DAY = date(2026, 11, 20)
DAY_START, DAY_END = "2026-11-19 17:00:00", "2026-11-20 17:00:00"
WINDOW = [["date_order", ">=", DAY_START], ["date_order", "<", DAY_END]]


def json2(sim, model, method, body, key=DEMO_API_KEY, db=DEMO_DB):
    headers = {"Authorization": f"bearer {key}", "X-Odoo-Database": db}
    return requests.post(f"{sim.url}/json/2/{model}/{method}", json=body, headers=headers, timeout=10)


def jsonrpc_object(sim, model, method, args, kwargs=None):
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 5,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [DEMO_DB, 2, DEMO_API_KEY, model, method, args, kwargs or {}],
        },
    }
    return requests.post(f"{sim.url}/jsonrpc", json=payload, timeout=10)


@pytest.fixture(scope="module")
def sim19():
    with OdooSimulator(SimConfig(seed=3, lines_per_day=60, days=3, end_day=END_DAY, version="19.0")) as sim:
        yield sim


def test_json2_search_read_returns_bare_json(sim19):
    response = json2(
        sim19,
        "pos.order",
        "search_read",
        {
            "domain": WINDOW,
            "fields": ["name", "partner_id"],
            "limit": 3,
            "order": "id",
            "context": {"tz": "Asia/Jakarta"},
        },
    )
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list) and len(rows) == 3
    assert set(rows[0]) == {"id", "name", "partner_id"}
    read = json2(sim19, "pos.order", "read", {"ids": [rows[0]["id"], 999_999_999], "fields": ["name"]}).json()
    assert read == [{"id": rows[0]["id"], "name": rows[0]["name"]}]


def test_json2_errors_use_http_status_codes(sim19):
    bad_key = json2(sim19, "pos.order", "search", {"domain": []}, key="nope")
    assert bad_key.status_code == 401
    assert bad_key.json()["name"] == "werkzeug.exceptions.Unauthorized"
    missing = requests.post(f"{sim19.url}/json/2/pos.order/search", json={"domain": []}, timeout=5)
    assert missing.status_code == 401
    unknown_model = json2(sim19, "no.model", "search", {})
    assert unknown_model.status_code == 404
    assert unknown_model.json()["message"] == "the model 'no.model' does not exist"
    unknown_method = json2(sim19, "pos.order", "nope", {})
    assert unknown_method.status_code == 404
    bad_kwarg = json2(sim19, "pos.order", "search_read", {"feilds": ["name"]})
    assert bad_kwarg.status_code == 422
    with_ids = json2(sim19, "pos.order", "search", {"ids": [1], "domain": []})
    assert with_ids.status_code == 422
    bad_field = json2(sim19, "pos.order", "search_read", {"domain": [], "fields": ["nope"]})
    # Odoo 19 serialises exceptions that are not UserError/HTTPException as 500.
    assert bad_field.status_code == 500
    body = bad_field.json()
    assert set(body) == {"name", "message", "arguments", "context", "debug"}
    assert body["name"] == "builtins.ValueError"
    assert body["message"] == "Invalid field 'nope' on model 'pos.order'"


def test_formatted_read_group_on_19(sim19):
    response = json2(
        sim19,
        "pos.order",
        "formatted_read_group",
        {
            "domain": WINDOW,
            "groupby": ["date_order:day"],
            "aggregates": ["amount_total:sum", "__count"],
            "context": {"tz": "Asia/Jakarta"},
        },
    )
    assert response.status_code == 200
    groups = response.json()
    assert len(groups) == 1
    group = groups[0]
    assert group["date_order:day"] == [DAY_START, "20 Nov 2026"]
    assert group["__extra_domain"] == ["&", ["date_order", ">=", DAY_START], ["date_order", "<", DAY_END]]
    orders = json2(sim19, "pos.order", "search_read", {"domain": WINDOW, "fields": ["amount_total"]}).json()
    assert group["__count"] == len(orders)
    assert group["amount_total:sum"] == pytest.approx(sum(o["amount_total"] for o in orders))


def test_jsonrpc_still_works_on_19_and_reports_the_version(sim19):
    client = odoorpc.ODOO(sim19.host, port=sim19.port, protocol="jsonrpc")
    assert client.version == "19.0"
    client.login(DEMO_DB, DEMO_LOGIN, DEMO_API_KEY)
    assert client.execute_kw("pos.order", "search_count", [WINDOW]) > 0
    uom = client.execute_kw("uom.uom", "fields_get", [], {"attributes": ["type"]})
    assert "relative_factor" in uom and "category_id" not in uom
    assert requests.get(f"{sim19.url}/web/version", timeout=5).json()["version"] == "19.0"


def test_version_16_uses_qty_done_and_has_no_json2():
    with OdooSimulator(SimConfig(seed=3, lines_per_day=30, days=2, end_day=END_DAY, version="16.0")) as sim:
        client = odoorpc.ODOO(sim.host, port=sim.port, protocol="jsonrpc")
        client.login(DEMO_DB, DEMO_LOGIN, DEMO_API_KEY)
        fields = client.execute_kw("stock.move.line", "fields_get", [], {"attributes": ["type"]})
        assert "qty_done" in fields and "quantity" not in fields
        rows = client.execute_kw(
            "stock.move.line", "search_read", [[["state", "=", "done"]]], {"fields": ["qty_done"], "limit": 2}
        )
        assert rows and all(r["qty_done"] > 0 for r in rows)
        formatted = jsonrpc_object(sim, "pos.order", "formatted_read_group", [WINDOW]).json()
        assert formatted["error"]["data"]["name"] == "builtins.AttributeError"
        assert json2(sim, "pos.order", "search", {"domain": []}).status_code == 404


def test_version_18_product_types():
    with OdooSimulator(SimConfig(seed=3, lines_per_day=10, days=1, end_day=END_DAY, version="18.0")) as sim:
        fields = jsonrpc_object(sim, "product.product", "fields_get", [], {"attributes": ["type", "selection"]})
        fields = fields.json()["result"]
        assert "is_storable" in fields and "detailed_type" not in fields
        assert ["consu", "Goods"] in fields["type"]["selection"]
        amount = jsonrpc_object(sim, "pos.order", "fields_get", [["amount_total"]], {}).json()["result"]
        assert amount["amount_total"]["aggregator"] == "sum"
        storable = jsonrpc_object(sim, "product.product", "search_count", [[["is_storable", "=", True]]])
        assert storable.json()["result"] > 0
        assert json2(sim, "pos.order", "search", {"domain": []}).status_code == 404


def test_with_brand_adds_the_brand_model():
    with OdooSimulator(SimConfig(seed=3, lines_per_day=10, days=1, end_day=END_DAY, with_brand=True)) as sim:
        client = odoorpc.ODOO(sim.host, port=sim.port, protocol="jsonrpc")
        client.login(DEMO_DB, DEMO_LOGIN, DEMO_API_KEY)
        assert "product.brand" in client.env
        rows = client.execute_kw(
            "product.product",
            "search_read",
            [[["product_brand_id", "!=", False]]],
            {"fields": ["product_brand_id"], "limit": 1},
        )
        assert rows[0]["product_brand_id"][1]


@pytest.fixture
def sim17():
    with OdooSimulator(SimConfig(seed=5, lines_per_day=40, days=3, end_day=END_DAY)) as sim:
        yield sim


def test_fault_502_on_the_nth_call_of_a_model_then_recovers(sim17):
    sim17.inject_fault("pos.order", "search_read", nth=2, kind="502")
    first = jsonrpc_object(sim17, "pos.order", "search_read", [WINDOW], {"fields": ["name"], "limit": 1})
    assert first.status_code == 200
    other_model = jsonrpc_object(
        sim17, "pos.payment", "search_read", [[]], {"fields": ["amount"], "limit": 1}
    )
    assert other_model.status_code == 200
    second = jsonrpc_object(sim17, "pos.order", "search_read", [WINDOW], {"fields": ["name"], "limit": 1})
    assert second.status_code == 502
    third = jsonrpc_object(sim17, "pos.order", "search_read", [WINDOW], {"fields": ["name"], "limit": 1})
    assert third.status_code == 200
    assert sim17.calls[("pos.order", "search_read")] == 3


def test_faults_429_503_access_denied_reset_timeout(sim17):
    sim17.inject_fault("pos.order", kind="429", times=2)
    assert jsonrpc_object(sim17, "pos.order", "search", [[]]).status_code == 429
    limited = jsonrpc_object(sim17, "pos.order", "search_count", [[]])
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    sim17.inject_fault("pos.order", kind="503")
    assert jsonrpc_object(sim17, "pos.order", "search", [[]]).status_code == 503
    sim17.inject_fault("pos.order", kind="access_denied")
    denied = jsonrpc_object(sim17, "pos.order", "search", [[]])
    assert (
        denied.status_code == 200 and denied.json()["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    )
    sim17.inject_fault("pos.order", kind="reset")
    with pytest.raises(requests.ConnectionError):
        jsonrpc_object(sim17, "pos.order", "search", [[]])
    sim17.inject_fault("pos.order", kind="timeout")
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{sim17.url}/jsonrpc",
            timeout=0.3,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [DEMO_DB, 2, DEMO_API_KEY, "pos.order", "search", [[]], {}],
                },
            },
        )
    assert jsonrpc_object(sim17, "pos.order", "search_count", [[]]).json()["result"] > 0


def test_fault_on_login_through_odoorpc(sim17):
    sim17.inject_fault("common", "login", kind="503")
    client = odoorpc.ODOO(sim17.host, port=sim17.port, protocol="jsonrpc")
    with pytest.raises(urllib.error.HTTPError, match="503"):
        client.login(DEMO_DB, DEMO_LOGIN, DEMO_API_KEY)
    client.login(DEMO_DB, DEMO_LOGIN, DEMO_API_KEY)
    assert sim17.calls[("common", "login")] == 2


def test_inject_fault_rejects_unknown_kinds(sim17):
    with pytest.raises(ValueError, match="unknown fault kind"):
        sim17.inject_fault("pos.order", kind="boom")


def test_late_edit_sets_write_date_and_delete_hides_records(sim17):
    order = jsonrpc_object(
        sim17,
        "pos.order",
        "search_read",
        [WINDOW],
        {"fields": ["write_date", "amount_total", "lines"], "limit": 1, "order": "id"},
    ).json()
    order = order["result"][0]
    sim17.write("pos.order", order["id"], {"amount_total": 1.5})
    edited = jsonrpc_object(
        sim17, "pos.order", "read", [[order["id"]]], {"fields": ["amount_total", "write_date"]}
    ).json()["result"][0]
    assert edited["amount_total"] == 1.5
    assert edited["write_date"] > order["write_date"]
    changed = jsonrpc_object(
        sim17, "pos.order", "search", [[["write_date", ">", order["write_date"]], ["id", "=", order["id"]]]]
    ).json()["result"]
    assert changed == [order["id"]]
    sim17.unlink("pos.order", [order["id"]])
    assert (
        jsonrpc_object(sim17, "pos.order", "read", [[order["id"]]], {"fields": ["name"]}).json()["result"]
        == []
    )
    lines = jsonrpc_object(sim17, "pos.order.line", "search", [[["id", "in", order["lines"]]]]).json()[
        "result"
    ]
    assert lines == []


def test_revoked_key_gets_access_denied(sim17):
    client = odoorpc.ODOO(sim17.host, port=sim17.port, protocol="jsonrpc")
    client.login(DEMO_DB, DEMO_LOGIN, DEMO_API_KEY)
    sim17.revoke_key()
    with pytest.raises(odoorpc.error.RPCError, match="Access Denied"):
        client.execute_kw("pos.order", "search", [[]])
    with pytest.raises(odoorpc.error.RPCError, match="Wrong login"):
        client.login(DEMO_DB, DEMO_LOGIN, DEMO_API_KEY)


def test_start_binds_loopback_on_a_free_port_and_stop_closes_it():
    sim = OdooSimulator(SimConfig(lines_per_day=5, days=1, end_day=END_DAY)).start()
    port = sim.port
    assert sim.url == f"http://127.0.0.1:{port}"
    sim.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


@pytest.mark.parametrize("protocol", ["jsonrpc", "json2"])
def test_silent_data_faults_answer_200_with_records_left_out(sim19, protocol):
    def read() -> list[dict]:
        if protocol == "json2":
            return json2(sim19, "pos.order", "search_read", {"domain": WINDOW, "fields": ["id"], "order": "id"}).json()
        return jsonrpc_object(sim19, "pos.order", "search_read", [WINDOW], {"fields": ["id"], "order": "id"}).json()["result"]

    expected = [r["id"] for r in read()]
    assert len(expected) >= 6
    sim19.inject_fault("pos.order", "search_read", kind="drop_records")
    dropped = [r["id"] for r in read()]
    sim19.inject_fault("pos.order", "search_read", kind="drop_page")
    assert read() == []
    assert [r["id"] for r in read()] == expected  # each fired once, then the reads are whole again
    assert dropped == [rid for i, rid in enumerate(expected) if i % 5]
