"""The Odoo client through the real odoorpc client (and JSON-2) against the simulator: login, fields,
keyset pagination and batching call counts, retries, access errors, key hygiene, read_group."""

from __future__ import annotations

import logging
import math
from collections import Counter

import pytest

from shared.config import Secret, Settings
from shared.errors import ConfigError, OdooError, TransientError
from shared.odoo import (
    ChildrenRequest,
    Json2Client,
    JsonRpcClient,
    OdooAccessDenied,
    OdooSchemaError,
    connect,
    major_of,
    split_host,
)
from shared.odoo_sim import DEMO_API_KEY, OdooSimulator, SimConfig
from tests.odoo_helpers import calls_delta, sim_settings

ORDER_STATES = [("state", "in", ["paid", "done", "invoiced"])]


@pytest.fixture(scope="module")
def sim():
    with OdooSimulator(SimConfig(seed=11, lines_per_day=60, days=3, fault_timeout_s=2.0)).start() as server:
        yield server


@pytest.fixture()
def odoo(sim):
    client = connect(sim_settings(sim, odoo_batch_size=1000))
    yield client
    client.close()


def test_connect_logs_in_through_jsonrpc_and_reads_the_version(sim, odoo):
    assert isinstance(odoo, JsonRpcClient)
    assert (odoo.server_version, odoo.major_version) == ("17.0", 17)
    assert odoo.uid > 0
    assert odoo.calls[("common", "login")] == 1
    # odoorpc >= 0.10 logs in through /jsonrpc common.login, never /web/session/authenticate
    assert not any("authenticate" in str(key) for key in sim.calls)


def test_major_version_parsing():
    assert [major_of(v) for v in ("16.0", "17.0+e", "saas~17.2", "19.0")] == [16, 17, 17, 19]


def test_pick_fields_names_every_missing_required_field(odoo):
    with pytest.raises(OdooSchemaError, match=r"pos\.order missing: field 'nope_a', field 'nope_b'"):
        odoo.pick_fields("pos.order", ["id", "name", "nope_a", "nope_b"])


def test_pick_fields_optional_and_alternatives(odoo):
    result = odoo.pick_fields(
        "stock.move.line", ["id", "product_id"], optional=["not_here"],
        alternatives={"quantity": ["quantity", "qty_done"]},
    )
    assert result == ["id", "product_id", "quantity"]
    with pytest.raises(OdooSchemaError, match=r"field 'qty_x' or 'qty_y'"):
        odoo.pick_fields("stock.move.line", ["id"], alternatives={"q": ["qty_x", "qty_y"]})


def test_fields_get_is_cached(odoo):
    odoo.fields("pos.order")
    odoo.fields("pos.order")
    assert odoo.calls[("pos.order", "fields_get")] == 1


def test_search_read_all_pages_by_id_with_the_expected_number_of_calls(odoo):
    expected_ids = odoo.search_ids("pos.order", ORDER_STATES)
    assert len(expected_ids) > 7
    batch = 7
    before = Counter(odoo.calls)
    records = odoo.search_read_all("pos.order", ORDER_STATES, ["name"], batch_size=batch)
    assert [r["id"] for r in records] == sorted(expected_ids)
    # one call per full page plus the short (possibly empty) last page
    expected_calls = len(expected_ids) // batch + 1
    assert calls_delta(odoo.calls, before) == {("pos.order", "search_read"): expected_calls}


def test_read_children_reads_by_lists_of_parent_ids(odoo):
    order_ids = odoo.search_ids("pos.order", ORDER_STATES)
    expected_lines = odoo.search_ids("pos.order.line", [("order_id", "in", order_ids)])
    before = Counter(odoo.calls)
    lines = odoo.read_children("pos.order.line", "order_id", order_ids, ["order_id", "qty"], batch_size=10)
    assert [line["id"] for line in lines] == sorted(expected_lines)
    calls = calls_delta(odoo.calls, before)[("pos.order.line", "search_read")]
    # never one call per order: at least one call per chunk of 10 orders, far fewer than the orders
    assert math.ceil(len(order_ids) / 10) <= calls < len(order_ids)


def test_search_count_and_read_group_agree(odoo):
    count = odoo.search_count("pos.order", ORDER_STATES)
    groups = odoo.read_group(
        "pos.order", ORDER_STATES, ["amount_total:sum"], ["date_order:day"], context={"tz": "Asia/Jakarta"}
    )
    assert sum(g["__count"] for g in groups) == count
    records = odoo.search_read_all("pos.order", ORDER_STATES, ["amount_total"])
    assert sum(g["amount_total"] for g in groups) == pytest.approx(sum(r["amount_total"] for r in records))


def test_has_model(odoo):
    assert odoo.has_model("pos.order")
    assert not odoo.has_model("product.brand")  # the simulator runs without the brand module here


@pytest.mark.parametrize("kind", ["502", "503", "429", "reset", "timeout"])
def test_transient_failures_are_retried(sim, kind):
    client = connect(sim_settings(sim, odoo_timeout=1.0))
    try:
        expected = client.search_count("pos.order", [])
        sim.inject_fault("pos.order", "search_count", nth=1, kind=kind, times=1)
        before = Counter(client.calls)
        assert client.search_count("pos.order", []) == expected
        assert calls_delta(client.calls, before) == {("pos.order", "search_count"): 2}
    finally:
        client.close()


def test_retries_give_up_after_max_retries_with_one_clear_line(sim):
    client = connect(sim_settings(sim, odoo_max_retries=2))
    try:
        sim.inject_fault("pos.order", "search_count", nth=1, kind="502", times=3)
        with pytest.raises(TransientError, match=r"pos\.order\.search_count failed after 3 attempts: HTTP 502"):
            client.search_count("pos.order", [])
    finally:
        client.close()


def test_a_bad_field_fails_fast_without_retries(odoo):
    before = Counter(odoo.calls)
    with pytest.raises(OdooSchemaError, match="not_a_field"):
        odoo.search_read_all("pos.order", [], ["not_a_field"])
    assert calls_delta(odoo.calls, before) == {("pos.order", "search_read"): 1}


def test_a_wrong_key_is_refused_and_never_shown(sim, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-key-1234567890"
    with pytest.raises(OdooAccessDenied, match="refused the login") as info:
        connect(sim_settings(sim, odoo_api_key=Secret(wrong)))
    assert wrong not in str(info.value)
    assert wrong not in caplog.text


def test_access_denied_mid_run_fails_fast(sim):
    client = connect(sim_settings(sim))
    try:
        sim.inject_fault("pos.order", "search_count", nth=1, kind="access_denied", times=1)
        before = Counter(client.calls)
        with pytest.raises(OdooAccessDenied, match="denied access"):
            client.search_count("pos.order", [])
        assert calls_delta(client.calls, before) == {("pos.order", "search_count"): 1}
    finally:
        client.close()


def test_the_key_never_reaches_the_logs_even_at_debug(sim, caplog):
    caplog.set_level(logging.DEBUG)
    assert logging.getLogger("odoorpc").getEffectiveLevel() >= logging.WARNING
    client = connect(sim_settings(sim))
    try:
        client.search_read_all("pos.order", [], ["name"])
    finally:
        client.close()
    assert DEMO_API_KEY not in caplog.text


def test_no_odoo_host_is_a_config_error():
    with pytest.raises(ConfigError, match="ODOO_HOST is not set"):
        connect(Settings())


def test_simulator_host_starts_the_built_in_simulator():
    client = connect(Settings(odoo_host="simulator"))
    try:
        assert client.search_count("pos.order", []) > 0
    finally:
        client.close()


def test_json2_on_odoo_19_gives_the_same_answers():
    config = dict(seed=11, lines_per_day=60, days=2)
    with OdooSimulator(SimConfig(version="19.0", **config)).start() as sim19, \
            OdooSimulator(SimConfig(version="17.0", **config)).start() as sim17:
        new = connect(sim_settings(sim19))
        old = connect(sim_settings(sim17))
        try:
            assert isinstance(new, Json2Client) and new.major_version == 19
            assert new.uid == old.uid
            fields = ["name", "amount_total", "partner_id", "date_order"]
            assert new.search_read_all("pos.order", ORDER_STATES, fields, batch_size=5) == \
                old.search_read_all("pos.order", ORDER_STATES, fields, batch_size=5)
            groups = new.read_group("pos.order", ORDER_STATES, ["amount_total:sum"], ["date_order:day"],
                                    context={"tz": "Asia/Jakarta"})
            assert sum(g["__count"] for g in groups) == old.search_count("pos.order", ORDER_STATES)
            assert any(model == "pos.order" and method == "formatted_read_group" for model, method in new.calls)
            with pytest.raises(OdooSchemaError, match="not_a_field"):
                new.search_read_all("pos.order", [], ["not_a_field"])
            with pytest.raises(OdooSchemaError, match=r"product\.brand missing: the model does not exist"):
                new.fields("product.brand")
        finally:
            new.close()
            old.close()
        bad = sim_settings(sim19, odoo_api_key=Secret("wrong-key-abcdef"))
        with pytest.raises(OdooAccessDenied, match="refused the API key") as info:
            connect(bad)
        assert "wrong-key-abcdef" not in str(info.value)
        with pytest.raises(OdooError, match="database 'nope'.*check ODOO_DB"):
            connect(sim_settings(sim19, odoo_db="nope"))


def test_read_children_many_reads_several_child_models_side_by_side(odoo):
    order_ids = tuple(odoo.search_ids("pos.order", ORDER_STATES))
    lines, payments = odoo.read_children_many(
        [
            ChildrenRequest("pos.order.line", "order_id", order_ids, ("order_id",)),
            ChildrenRequest("pos.payment", "pos_order_id", order_ids, ("amount",)),
        ],
        batch_size=10,
    )
    assert [r["id"] for r in lines] == odoo.search_ids("pos.order.line", [("order_id", "in", list(order_ids))])
    assert [r["id"] for r in payments] == odoo.search_ids("pos.payment", [("pos_order_id", "in", list(order_ids))])


@pytest.mark.parametrize(
    ("n_parents", "batch", "concurrency", "expected"),
    [(10, 1000, 4, 250), (1664, 2000, 4, 500), (4000, 2000, 4, 1000), (9000, 1000, 4, 1000), (7, 5, 1, 5)],
)
def test_parent_chunks_keep_workers_busy_without_splitting_small_days(odoo, n_parents, batch, concurrency, expected):
    odoo.concurrency = concurrency
    assert odoo.parent_chunk_size(n_parents, batch) == expected


def test_prefetch_fields_asks_once_per_model(odoo):
    odoo.prefetch_fields(["pos.order", "pos.payment", "pos.order"])
    odoo.prefetch_fields(["pos.order", "pos.payment"])
    odoo.fields("pos.payment")
    assert odoo.calls[("pos.order", "fields_get")] == 1
    assert odoo.calls[("pos.payment", "fields_get")] == 1


def test_odoo_host_may_be_a_url():
    assert split_host("https://nk.odoo.com", 8069, "jsonrpc") == ("nk.odoo.com", 443, "jsonrpc+ssl")
    assert split_host("http://10.0.0.5:8070", 8069, "jsonrpc") == ("10.0.0.5", 8070, "jsonrpc")
    assert split_host("odoo.internal", 8069, "jsonrpc") == ("odoo.internal", 8069, "jsonrpc")


def test_a_url_host_connects(sim):
    client = connect(sim_settings(sim, odoo_host=f"http://127.0.0.1:{sim.port}", odoo_port=1))
    try:
        assert client.search_count("pos.order", []) > 0
    finally:
        client.close()


def test_the_api_can_be_forced(sim):
    with pytest.raises(OdooError, match="does not serve the JSON-2 API"):
        connect(sim_settings(sim, odoo_api="json2"))
    with OdooSimulator(SimConfig(version="19.0", seed=11, lines_per_day=20, days=1)).start() as sim19:
        client = connect(sim_settings(sim19, odoo_api="jsonrpc"))
        try:
            assert isinstance(client, JsonRpcClient)
            groups = client.read_group("pos.order", [], ["amount_total:sum"], ["date_order:day"])
            assert sum(g["__count"] for g in groups) == client.search_count("pos.order", [])
            assert client.calls[("pos.order", "formatted_read_group")] == 1
        finally:
            client.close()


def test_a_missing_model_is_named(odoo):
    before = Counter(odoo.calls)
    with pytest.raises(OdooSchemaError, match=r"product\.brand missing: the model does not exist"):
        odoo.pick_fields("product.brand", ["id", "name"])
    assert calls_delta(odoo.calls, before) == {("product.brand", "fields_get"): 1}


def test_an_unknown_database_is_named_and_not_retried(sim):
    before = sim.calls.copy()
    with pytest.raises(OdooError, match="Odoo has no database 'nope'.*check ODOO_DB"):
        connect(sim_settings(sim, odoo_db="nope"))
    logins = {key: n for key, n in (sim.calls - before).items() if "login" in str(key)}
    assert sum(logins.values()) == 1
