"""RPC dispatcher: Odoo's JSON-RPC services (common, object, db), web session routes and the JSON-2 API.

Transport-free: the HTTP server hands in parsed bodies and gets back results or OdooFault.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter

from shared.odoo_sim.config import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN, DEMO_PASSWORD, DEMO_UID, SimConfig
from shared.odoo_sim.dataset import Dataset
from shared.odoo_sim.errors import OdooFault, access_denied, type_error
from shared.odoo_sim.orm import RECORD_METHODS, ModelMethods, validate_model


class SessionExpired(Exception):
    pass


class Dispatcher:
    def __init__(self, cfg: SimConfig, ds: Dataset):
        self.cfg = cfg
        self.ds = ds
        self.calls: Counter = Counter()
        self.key_revoked = False
        self._sessions: set[str] = set()
        self._lock = threading.Lock()

    # -- identity -------------------------------------------------------------------------------
    def version_info(self) -> dict:
        major, minor = (int(x) for x in self.cfg.version.split(".")[:2])
        return {
            "server_version": self.cfg.version,
            "server_version_info": [major, minor, 0, "final", 0, ""],
            "server_serie": self.cfg.version,
            "protocol_version": 1,
        }

    def _valid_secret(self, secret, allow_password: bool = True) -> bool:
        if not isinstance(secret, str):
            return False
        if secret == DEMO_API_KEY and not self.key_revoked:
            return True
        return allow_password and secret == DEMO_PASSWORD

    def _check_db(self, db) -> None:
        if db != DEMO_DB:
            raise OdooFault(
                "psycopg2.OperationalError",
                f'connection to server failed: FATAL:  database "{db}" does not exist',
            )

    def count(self, model: str, method: str) -> None:
        with self._lock:
            self.calls[(model, method)] += 1

    # -- /jsonrpc -------------------------------------------------------------------------------
    def jsonrpc(self, params: dict):
        service = params.get("service")
        method = params.get("method")
        args = list(params.get("args") or [])
        if service == "common":
            self.count("common", str(method))
            return self._common(method, args)
        if service == "object":
            return self._object(method, args)
        if service == "db":
            if method == "list":
                return [DEMO_DB]
            if method == "server_version":
                return self.cfg.version
            raise OdooFault("builtins.KeyError", repr(method), [method])
        raise OdooFault("builtins.KeyError", repr(service), [service])

    def _common(self, method, args):
        if method == "version":
            info = self.version_info()
            return {
                k: info[k]
                for k in ("server_version", "server_version_info", "server_serie", "protocol_version")
            }
        if method in ("login", "authenticate"):
            if len(args) < 3:
                raise type_error(f"exp_{method}() missing required positional arguments")
            db, login, secret = args[0], args[1], args[2]
            self._check_db(db)
            # Odoo answers a wrong login with False, never an error.
            return DEMO_UID if (login == DEMO_LOGIN and self._valid_secret(secret)) else False
        if method == "about":
            return "See http://openerp.com"
        raise OdooFault(
            "builtins.AttributeError", f"module 'odoo.service.common' has no attribute 'exp_{method}'"
        )

    def _object(self, method, args):
        if method not in ("execute", "execute_kw"):
            raise OdooFault("builtins.NameError", f"Method not available {method}")
        if len(args) < 5:
            raise type_error(f"{method}() missing required positional arguments")
        db, uid, secret, model, model_method = args[:5]
        self.count(str(model), str(model_method))
        self._check_db(db)
        if uid != DEMO_UID or not self._valid_secret(secret):
            raise access_denied()
        if method == "execute":
            call_args, kwargs = list(args[5:]), {}
        else:
            call_args = list(args[5]) if len(args) > 5 and args[5] else []
            kwargs = dict(args[6]) if len(args) > 6 and args[6] else {}
        return self.call_model(model, model_method, call_args, kwargs)

    def call_model(self, model, method, args: list, kwargs: dict, via_service: bool = True):
        validate_model(self.ds, model, via_service)
        context = kwargs.pop("context", None) or {}
        methods = ModelMethods(self.ds, model, context, self.cfg.major)
        return methods.call(method, args, kwargs)

    # -- web session routes ---------------------------------------------------------------------
    def session_authenticate(self, params: dict) -> tuple[dict, str]:
        db, login, password = params.get("db"), params.get("login"), params.get("password")
        self._check_db(db)
        # Interactive login accepts the password only: Odoo refuses API keys here.
        if login != DEMO_LOGIN or password != DEMO_PASSWORD:
            raise access_denied()
        sid = secrets.token_hex(20)
        with self._lock:
            self._sessions.add(sid)
        info = {
            "uid": DEMO_UID,
            "is_system": True,
            "is_admin": True,
            "db": DEMO_DB,
            "username": DEMO_LOGIN,
            "name": "Administrator",
            "partner_id": 3,
            "company_id": 1,
            "user_context": {"lang": "en_US", "tz": self.cfg.tz, "uid": DEMO_UID},
            **self.version_info(),
        }
        return info, sid

    def call_kw(self, sid: str | None, params: dict):
        if not sid or sid not in self._sessions:
            raise SessionExpired()
        model, method = params.get("model"), params.get("method")
        self.count(str(model), str(method))
        return self.call_model(
            model, method, list(params.get("args") or []), dict(params.get("kwargs") or {}), via_service=False
        )

    # -- JSON-2 (Odoo 19) -----------------------------------------------------------------------
    def json2(self, model: str, method: str, authorization: str | None, database: str | None, body: dict):
        """-> result; raises OdooFault whose json2_status is the HTTP status."""
        self.count(model, method)
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not self._valid_secret(key.strip(), allow_password=False):
            raise OdooFault(
                "werkzeug.exceptions.Unauthorized",
                "Invalid apikey",
                ["Invalid apikey", 401],
                json2_status=401,
            )
        if database and database != DEMO_DB:
            raise OdooFault(
                "werkzeug.exceptions.NotFound",
                f"database {database!r} not found",
                [f"database {database!r} not found", 404],
                json2_status=404,
            )
        if model not in self.ds.models:
            message = f"the model {model!r} does not exist"
            raise OdooFault("werkzeug.exceptions.NotFound", message, [message, 404], json2_status=404)
        body = dict(body or {})
        ids = body.pop("ids", None)
        context = body.pop("context", None) or {}
        methods = ModelMethods(self.ds, model, context, self.cfg.major)
        try:
            func = methods.public_method(method)
        except OdooFault as exc:
            if exc.json2_status == 404:
                raise OdooFault(
                    "werkzeug.exceptions.NotFound", exc.message, [exc.message, 404], json2_status=404
                ) from None
            raise
        if method in RECORD_METHODS:
            return methods.call(method, [list(ids or [])], body)
        if ids:
            message = f"cannot call {model}.{method} with ids"
            raise OdooFault(
                "werkzeug.exceptions.UnprocessableEntity", message, [message, 422], json2_status=422
            )
        del func
        try:
            return methods.call(method, [], body)
        except OdooFault as exc:
            if exc.name == "builtins.TypeError":
                raise OdooFault(
                    "werkzeug.exceptions.UnprocessableEntity",
                    exc.message,
                    [exc.message, 422],
                    json2_status=422,
                ) from None
            raise
