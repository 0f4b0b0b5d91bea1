"""Drill 6: the Cloud Function entry points fed generated bad input (hypothesis).

Bodies that are not JSON or not an object, bad or future dates, impossible calendar dates, wrong
types, unknown fields, stages, targets and pipelines, ranges far too long, contradicting fields and
methods an entry does not take: every answer is a 4xx with a JSON error message (never a 500), and
the lake is byte for byte what it was. Generated requests go through the functions-framework app's
Flask test client (fast); a sample of them also over real HTTP to `functions-framework` processes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.pipeline import PIPELINES, STAGES, TARGETS
from shared import clock
from tests.fixtures.drills import DrillWorld, clean_environ, lake_files
from tests.fixtures.services import free_port

REPO = Path(__file__).resolve().parents[1]
ENTRIES = {  # entry -> the methods it takes
    "scheduled_pipeline": ("POST", "GET"),
    "rerun": ("POST",),
    "health": ("GET", "POST"),
    "catch_up": ("POST", "GET"),
}
ALL_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
MAX_RANGE_DAYS = 31
FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# ---------------------------------------------------------------- the functions, on a lake to keep


def lake_state(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in lake_files(root)}


@pytest.fixture(scope="module")
def function_env(drill_world: DrillWorld, tmp_path_factory) -> dict[str, str]:
    """A lake with a processed day in it; an Odoo that refuses connections (nothing may reach it)."""
    case = drill_world.copy_state("kpi", tmp_path_factory.mktemp("http-drill") / "case")
    return {
        "DATA_LAKE_ROOT": str(case / "lake"),
        "KPI_DUCKDB_PATH": str(case / "kpi.duckdb"),
        "ODOO_HOST": "127.0.0.1",
        "ODOO_PORT": str(free_port()),
        "ODOO_DB": "nk",
        "ODOO_USERNAME": "etl",
        "ODOO_API_KEY": "not-a-real-key",
        "ODOO_MAX_RETRIES": "0",
        "ODOO_TIMEOUT": "1",
        "BUSINESS_TZ": "Asia/Jakarta",
        "MAX_RANGE_DAYS": str(MAX_RANGE_DAYS),
    }


@pytest.fixture(scope="module")
def clients(function_env: dict[str, str], tmp_path_factory) -> Iterator[dict[str, object]]:
    import functions_framework

    workdir = tmp_path_factory.mktemp("http-drill-cwd")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)  # no .env
        for name, value in function_env.items():
            patch.setenv(name, value)
        apps = {entry: functions_framework.create_app(entry, str(REPO / "main.py")) for entry in ENTRIES}
        yield {entry: app.test_client() for entry, app in apps.items()}


def assert_rejected(status: int, content_type: str | None, body: bytes, what: object) -> None:
    assert 400 <= status < 500, f"{status} for {what!r}: {body[:300]!r}"
    assert content_type and content_type.startswith("application/json"), what
    answer = json.loads(body)
    assert answer["status"] == "error" and isinstance(answer["error"], str) and answer["error"], answer
    assert "\n" not in answer["error"]


# ---------------------------------------------------------------- generated bad input

YESTERDAY_OR_SO = clock.now().date() - timedelta(days=2)
not_a_date = st.text(max_size=14).filter(lambda t: t != "")  # "" means "not given"
impossible_date = st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
    st.integers(1900, 2100),
    st.sampled_from([0, 13, 14, 20, 99]),
    st.integers(0, 99),
) | st.builds(lambda y, d: f"{y:04d}-02-{d:02d}", st.integers(1900, 2100), st.integers(30, 31))
future_date = st.dates(min_value=clock.now().date() + timedelta(days=2)).map(date.isoformat)
bad_date = st.one_of(not_a_date, impossible_date, future_date)
# anything but a string, and never None (None means "not given")
wrong_type = st.one_of(
    st.integers(), st.floats(allow_nan=False), st.booleans(),
    st.lists(st.integers(), min_size=1, max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2),
)  # fmt: skip
unknown_name = st.text(min_size=1, max_size=12).filter(lambda t: t.strip() and t.strip() not in (*STAGES, *TARGETS, *PIPELINES) and "," not in t)


def names_with_an_unknown(known: tuple[str, ...]) -> st.SearchStrategy:
    """A list or comma string of names, at least one of them unknown."""
    return st.tuples(st.lists(st.sampled_from(known), max_size=3), unknown_name).map(
        lambda parts: [*parts[0], parts[1]]
    ).flatmap(lambda names: st.sampled_from([names, ",".join(names)]))


invalid_json = st.one_of(
    st.binary(min_size=1, max_size=40).filter(lambda b: not _is_json_object(b)),
    st.sampled_from([b"{", b'{"date": ', b"[1, 2]", b"null", b"42", b'"2026-01-01"', b"{'date': 1}"]),
)


def _is_json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def with_extra_field(base: dict) -> st.SearchStrategy:
    return st.tuples(st.text(min_size=1, max_size=8), st.integers()).map(lambda kv: {**base, f"x_{kv[0]}": kv[1]})


scheduled_body = st.one_of(
    st.fixed_dictionaries({"pipeline": st.one_of(unknown_name, wrong_type)}),
    st.fixed_dictionaries({"pipeline": st.sampled_from(sorted(PIPELINES)), "date": st.one_of(bad_date, wrong_type)}),
    st.sampled_from(sorted(PIPELINES)).flatmap(lambda p: with_extra_field({"pipeline": p})),
    st.just({}),
)
past = YESTERDAY_OR_SO.isoformat()
rerun_body = st.one_of(
    st.fixed_dictionaries({"date": st.one_of(bad_date, wrong_type)}),
    st.fixed_dictionaries({"start": st.one_of(bad_date, wrong_type)}),
    st.fixed_dictionaries({"start": st.just(past), "end": st.one_of(bad_date, wrong_type)}),
    # too long a range, or backwards
    st.integers(MAX_RANGE_DAYS, 50_000).map(
        lambda n: {"start": (YESTERDAY_OR_SO - timedelta(days=n)).isoformat(), "end": past}
    ),
    st.integers(1, 400).map(lambda n: {"start": past, "end": (YESTERDAY_OR_SO - timedelta(days=n)).isoformat()}),
    st.fixed_dictionaries({"date": st.just(past), "stages": st.one_of(names_with_an_unknown(STAGES), wrong_type)}),
    st.fixed_dictionaries({"date": st.just(past), "targets": st.one_of(names_with_an_unknown(TARGETS), wrong_type)}),
    st.fixed_dictionaries({"date": st.just(past), "pipeline": st.one_of(unknown_name, wrong_type)}),
    st.fixed_dictionaries({"date": st.just(past), "pipeline": st.sampled_from(sorted(PIPELINES)),
                           "stages": st.sampled_from(STAGES)}),  # both: contradicting
    st.fixed_dictionaries({"date": st.just(past), "start": st.just(past)}),
    st.fixed_dictionaries({"end": st.just(past)}),
    st.fixed_dictionaries({"date": st.just(past), "request_id": st.one_of(
        st.text(min_size=41, max_size=60, alphabet="abc"), st.text(min_size=1, max_size=10).filter(
            lambda t: any(not (c.isascii() and (c.isalnum() or c in "-_")) for c in t)), wrong_type)}),
    with_extra_field({"date": past}),
    st.just({}),
)  # fmt: skip


def fuzz_case(entry: str) -> st.SearchStrategy:
    """(method, query, body) for `entry`, always wrong."""
    methods = ENTRIES[entry]
    wrong_method = st.tuples(st.sampled_from([m for m in ALL_METHODS if m not in methods]), st.just({}), st.just(b""))
    not_json = st.tuples(st.just("POST"), st.just({}), invalid_json)
    cases = [wrong_method, not_json]
    if entry == "scheduled_pipeline":
        cases.append(st.tuples(st.just("POST"), st.just({}), scheduled_body.map(lambda b: json.dumps(b).encode())))
        cases.append(st.tuples(st.just("GET"), scheduled_body.filter(_query_able), st.just(b"")))
    elif entry == "rerun":
        cases.append(st.tuples(st.just("POST"), st.just({}), rerun_body.map(lambda b: json.dumps(b).encode())))
    else:  # health and catch_up: no fields but health's catch_up flag
        cases.append(st.tuples(st.just("POST"), st.just({}), with_extra_field({}).map(lambda b: json.dumps(b).encode())))
    return st.one_of(cases)


def _query_able(body: dict) -> bool:
    return all(isinstance(v, str) for v in body.values())


def send(client, method: str, query: dict, body: bytes):
    return client.open("/", method=method, query_string=query, data=body, content_type="application/json")


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_bad_requests_get_a_4xx_json_answer_and_change_nothing(entry, clients, function_env):
    lake = Path(function_env["DATA_LAKE_ROOT"])
    before = lake_state(lake)
    seen = {"n": 0}

    @FUZZ
    @given(case=fuzz_case(entry))
    def check(case):
        method, query, body = case
        response = send(clients[entry], method, query, body)
        assert_rejected(response.status_code, response.headers.get("Content-Type"), response.data, case)
        seen["n"] += 1

    check()
    assert seen["n"] >= 50
    assert lake_state(lake) == before


# ---------------------------------------------------------------- the same over real HTTP


@pytest.fixture(scope="module")
def served(function_env: dict[str, str], tmp_path_factory) -> Iterator[dict[str, str]]:
    """`functions-framework` processes for rerun and scheduled_pipeline on loopback ports."""
    workdir = tmp_path_factory.mktemp("http-drill-served")
    env = clean_environ(function_env)
    processes, urls = [], {}
    try:
        for entry in ("rerun", "scheduled_pipeline"):
            port = free_port()
            log = open(workdir / f"{entry}.log", "wb")  # noqa: SIM115 - closed with the process below
            process = subprocess.Popen(
                [sys.executable, "-m", "functions_framework", "--target", entry, "--source", str(REPO / "main.py"),
                 "--host", "127.0.0.1", "--port", str(port)],
                cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            processes.append((process, log))
            urls[entry] = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                assert process.poll() is None, (workdir / f"{entry}.log").read_text()[-2000:]
                with socket.socket() as sock:
                    if sock.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
        yield urls
    finally:
        for process, _log in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process, log in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()


@pytest.mark.parametrize("entry", ["rerun", "scheduled_pipeline"])
def test_bad_requests_over_real_http_get_a_4xx_json_answer_and_change_nothing(entry, served, function_env):
    lake = Path(function_env["DATA_LAKE_ROOT"])
    before = lake_state(lake)

    @settings(max_examples=15, deadline=None, database=None, derandomize=True)
    @given(case=fuzz_case(entry))
    def check(case):
        method, query, body = case
        response = requests.request(
            method, served[entry], params=query, data=body, headers={"Content-Type": "application/json"}, timeout=60
        )
        assert_rejected(response.status_code, response.headers.get("Content-Type"), response.content, case)

    check()
    assert lake_state(lake) == before
