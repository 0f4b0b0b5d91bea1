"""HTTP transport of the simulator (stdlib ThreadingHTTPServer on loopback) and the OdooSimulator facade."""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shared.odoo_sim.config import SimConfig
from shared.odoo_sim.dataset import Dataset
from shared.odoo_sim.errors import OdooFault, access_denied
from shared.odoo_sim.rpc import Dispatcher, SessionExpired

FAULT_KINDS = ("502", "503", "429", "timeout", "reset", "access_denied", "drop_records", "drop_page")
# Faults that answer normally but lose data silently (a buggy proxy or Odoo quirk): the call succeeds
# with one record in five left out (the first, sixth, ...) or with an empty page.
DATA_FAULTS = ("drop_records", "drop_page")


def _lose_data(kind: str, result):
    if not isinstance(result, list):
        return result
    return [] if kind == "drop_page" else [r for i, r in enumerate(result) if i % 5]
JSON2_PATH = re.compile(r"^/json/2/([^/]+)/([^/]+)$")


@dataclass
class _Fault:
    model: str
    method: str | None
    nth: int
    kind: str
    times: int
    seen: int = 0
    fired: int = 0

    def matches(self, model: str, method: str) -> bool:
        return self.model == model and (self.method is None or self.method == method)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # bursts from concurrent extract workers
    sim: OdooSimulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Werkzeug/3.0.1"
    sys_version = "Python/3"

    def log_message(self, format, *args):  # noqa: A002 - quiet: never print request bodies (keys)
        return

    # -- plumbing -------------------------------------------------------------------------------
    server: _Server

    @property
    def sim(self) -> OdooSimulator:
        return self.server.sim

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, obj, headers: dict | None = None) -> None:
        body = json.dumps(obj, separators=(",", ":")).encode()
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _send_html(self, status: int, title: str, text: str, headers: dict | None = None) -> None:
        body = (
            f"<!doctype html>\n<html lang=en>\n<title>{status} {title}</title>\n<h1>{title}</h1>\n"
            f"<p>{text}</p>\n"
        ).encode()
        self._send(status, body, "text/html; charset=utf-8", headers)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _apply_fault(self, kind: str, json2: bool, request_id=None) -> None:
        if kind in ("502", "503"):
            title = "Bad Gateway" if kind == "502" else "Service Unavailable"
            self._send_html(int(kind), title, "The upstream server is unavailable (injected fault).")
        elif kind == "429":
            self._send_html(
                429, "Too Many Requests", "Rate limit reached (injected fault).", {"Retry-After": "1"}
            )
        elif kind == "timeout":
            time.sleep(self.sim.config.fault_timeout_s)
            self.close_connection = True
        elif kind == "reset":
            # RST instead of a response: SO_LINGER with a zero timeout.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif kind == "access_denied":
            fault = access_denied()
            if json2:
                self._send_json(401, fault.data())
            else:
                self._send_json(
                    200,
                    {
                        "jsonrpc": "2.0",
                        "id": request_id,
                        "error": {"code": 200, "message": "Odoo Server Error", "data": fault.data()},
                    },
                )

    # -- routes ---------------------------------------------------------------------------------
    def do_GET(self):  # noqa: N802
        self.sim.sleep()
        path = self.path.split("?")[0]
        if path in ("/web/version", "/json/version"):
            info = self.sim.dispatcher.version_info()
            self._send_json(
                200, {"version_info": info["server_version_info"], "version": info["server_version"]}
            )
        elif path in (
            "/jsonrpc",
            "/web/webclient/version_info",
            "/web/session/authenticate",
        ) or path.startswith("/json/2/"):
            self._send_html(
                405,
                "Method Not Allowed",
                "The method is not allowed for the requested URL.",
                {"Allow": "POST"},
            )
        else:
            self._send_html(404, "Not Found", "The requested URL was not found on the server.")

    def do_POST(self):  # noqa: N802
        self.sim.sleep()
        path = self.path.split("?")[0]
        raw = self._read_body()
        match = JSON2_PATH.match(path)
        if match and self.sim.config.major >= 19:
            return self._json2(match.group(1), match.group(2), raw)
        if path not in (
            "/jsonrpc",
            "/web/webclient/version_info",
            "/web/session/authenticate",
        ) and not path.startswith("/web/dataset/call_kw"):
            return self._send_html(404, "Not Found", "The requested URL was not found on the server.")
        try:
            request = json.loads(raw or b"{}")
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            return self._send_html(400, "Bad Request", "Invalid JSON data")
        request_id = request.get("id")
        params = request.get("params") or {}
        if not isinstance(params, dict):
            fault = OdooFault("builtins.TypeError", "params must be an object")
            error = {"code": 200, "message": "Odoo Server Error", "data": fault.data()}
            return self._send_json(200, {"jsonrpc": "2.0", "id": request_id, "error": error})
        target = None
        if path == "/jsonrpc" and params.get("service") == "object" and len(params.get("args") or []) >= 5:
            target = str(params["args"][3]), str(params["args"][4])
        elif path == "/jsonrpc" and params.get("service") == "common":
            target = "common", str(params.get("method"))
        if target:
            model, method = target
            kind = self.sim.take_fault(model, method)
            if kind and kind not in DATA_FAULTS:
                self.sim.dispatcher.count(model, method)
                return self._apply_fault(kind, False, request_id)
        else:
            kind = None
        headers = {}
        try:
            if path == "/jsonrpc":
                result = self.sim.dispatcher.jsonrpc(params)
            elif path == "/web/webclient/version_info":
                result = self.sim.dispatcher.version_info()
            elif path == "/web/session/authenticate":
                result, sid = self.sim.dispatcher.session_authenticate(params)
                headers["Set-Cookie"] = f"session_id={sid}; HttpOnly; Path=/; SameSite=Lax"
            else:
                result = self.sim.dispatcher.call_kw(self._session_id(), params)
        except OdooFault as fault:
            error = {"code": 200, "message": "Odoo Server Error", "data": fault.data()}
            return self._send_json(200, {"jsonrpc": "2.0", "id": request_id, "error": error})
        except SessionExpired:
            error = {
                "code": 100,
                "message": "Odoo Session Expired",
                "data": {
                    "name": "odoo.http.SessionExpiredException",
                    "debug": "",
                    "message": "Session expired",
                    "arguments": ["Session expired"],
                    "context": {},
                },
            }
            return self._send_json(200, {"jsonrpc": "2.0", "id": request_id, "error": error})
        except Exception as exc:  # noqa: BLE001 - any bug becomes a server error object, as in Odoo
            crash = OdooFault(f"builtins.{type(exc).__name__}", str(exc))
            error = {"code": 200, "message": "Odoo Server Error", "data": crash.data()}
            return self._send_json(200, {"jsonrpc": "2.0", "id": request_id, "error": error})
        if kind in DATA_FAULTS:
            result = _lose_data(kind, result)
        self._send_json(200, {"jsonrpc": "2.0", "id": request_id, "result": result}, headers)

    def _session_id(self) -> str | None:
        for part in (self.headers.get("Cookie") or "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == "session_id":
                return value
        return None

    def _json2(self, model: str, method: str, raw: bytes):
        kind = self.sim.take_fault(model, method)
        if kind and kind not in DATA_FAULTS:
            self.sim.dispatcher.count(model, method)
            return self._apply_fault(kind, True)
        try:
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as exc:
            message = f"could not parse the body as json: {exc}"
            return self._send_json(
                400, OdooFault("werkzeug.exceptions.BadRequest", message, [message, 400]).data()
            )
        try:
            result = self.sim.dispatcher.json2(
                model, method, self.headers.get("Authorization"), self.headers.get("X-Odoo-Database"), body
            )
        except OdooFault as fault:
            headers = {"WWW-Authenticate": 'Bearer realm="odoo"'} if fault.json2_status == 401 else None
            return self._send_json(fault.json2_status, fault.data(), headers)
        except Exception as exc:  # noqa: BLE001
            return self._send_json(500, OdooFault(f"builtins.{type(exc).__name__}", str(exc)).data())
        self._send_json(200, _lose_data(kind, result) if kind in DATA_FAULTS else result)


class OdooSimulator:
    """A loopback Odoo speaking JSON-RPC (and JSON-2 on 19.0) over a deterministic synthetic retailer."""

    def __init__(self, config: SimConfig | None = None):
        self.config = config or SimConfig()
        self.dataset = Dataset(self.config)
        self.dispatcher = Dispatcher(self.config, self.dataset)
        self._faults: list[_Fault] = []
        self._fault_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> OdooSimulator:
        if self._server is not None:
            return self
        server = _Server((self.config.host, self.config.port), _Handler)
        server.sim = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="odoo-sim", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> OdooSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return self.config.host

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def first_day(self) -> date:
        return self.dataset.first_day

    @property
    def last_day(self) -> date:
        return self.dataset.last_day

    # -- observation and control ----------------------------------------------------------------
    @property
    def calls(self) -> Counter:
        return self.dispatcher.calls

    def warm(self, days: int = 1) -> None:
        """Generate the last `days` days now rather than on the first request."""
        ds = self.dataset
        for offset in range(min(days, self.config.days)):
            day = ds.last_day - timedelta(days=offset)
            ds.pos_part(day)
            ds.books_part(day)
            ds.stock_part(day)

    def reset_calls(self) -> None:
        self.dispatcher.calls.clear()

    def sleep(self) -> None:
        if self.config.latency_s > 0:
            time.sleep(self.config.latency_s)

    def inject_fault(
        self, model: str, method: str | None = None, nth: int = 1, kind: str = "502", times: int = 1
    ) -> None:
        """From now on, the `nth` matching call and the `times - 1` after it fail with `kind`."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {FAULT_KINDS}")
        if nth < 1 or times < 1:
            raise ValueError("nth and times must be >= 1")
        with self._fault_lock:
            self._faults.append(_Fault(model, method, nth, kind, times))

    def clear_faults(self) -> None:
        with self._fault_lock:
            self._faults.clear()

    def take_fault(self, model: str, method: str) -> str | None:
        with self._fault_lock:
            for fault in self._faults:
                if fault.fired >= fault.times or not fault.matches(model, method):
                    continue
                fault.seen += 1
                if fault.seen >= fault.nth:
                    fault.fired += 1
                    return fault.kind
        return None

    def write(self, model: str, record_id: int, vals: dict, stamped_at: datetime | None = None) -> None:
        """A late edit, visible from now on. `stamped_at`: a change committed late — Odoo stamps
        write_date with its transaction's start (odoo/sql_db.py: the cursor's `now()`), so a long
        transaction (an import, a cron, closing a POS session) commits rows stamped in the past."""
        self.dataset.write(model, record_id, vals, stamped_at)

    def unlink(self, model: str, ids) -> None:
        self.dataset.unlink(model, [ids] if isinstance(ids, int) else list(ids))

    def revoke_key(self) -> None:
        self.dispatcher.key_revoked = True

    # -- expected figures for tests (computed from the data, not through the API) ----------------
    def expected_pos_totals(self, day: date) -> dict:
        """Orders in states paid/done/invoiced with date_order in the business day: count, lines, totals."""
        ds = self.dataset
        start, end = ds.day_range("pos.order")
        # Late edits may have moved an order to another day: look at the edited days too.
        days = sorted(d for d in {day} | ds.edited_days("pos.order") if start <= d <= end)
        orders = [
            o
            for o in ds.iter_records("pos.order", days)
            if o["state"] in ("paid", "done", "invoiced") and ds.local_day(o["date_order"]) == day
        ]
        order_ids = {o["id"] for o in orders}
        line_days = sorted({d for o in orders if (d := ds.day_of_id("pos.order", o["id"])) is not None})
        lines = [ln for ln in ds.iter_records("pos.order.line", line_days) if ln["order_id"] in order_ids]
        return {
            "orders": len(orders),
            "lines": len(lines),
            "amount_total": round(sum(o["amount_total"] for o in orders), 2),
            "price_subtotal": round(sum(ln["price_subtotal"] for ln in lines), 2),
            "price_subtotal_incl": round(sum(ln["price_subtotal_incl"] for ln in lines), 2),
        }

    def records(self, model: str, day: date | None = None) -> list[dict]:
        """Raw records (many2one = id) of a model, on one day for daily models."""
        days = [day] if (day is not None and self.dataset.is_daily(model)) else None
        return list(self.dataset.iter_records(model, days))
