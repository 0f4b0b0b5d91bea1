"""The one redaction path: `redact(text)` removes credentials from any text nkpipe shows or keeps.

Every error message (shared.errors), log line (shared.log), run record (shared.metadata), HTTP body
(functions.cloud.http), sheet cell (functions.sheets) and CLI error line passes through it. Two layers:

- shapes: the userinfo of any URL (`scheme://user:PASSWORD@host` — up to the last `@`, so an
  unencoded `@` in the password is covered), `password=…`-style pairs of a libpq/ODBC connection
  string, `Authorization`/`apikey` headers, bearer tokens and JWTs;
- values: every `shared.config.Secret` registers its value here when it is made, with the password
  inside it when it is a DSN and the pieces of that password, because a driver may echo only a part
  (libpq: `invalid percent-encoded token: "PG%zz…"`, or the tail after an unencoded `@` as the host).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import TypeVar
from urllib.parse import quote, unquote

MASK = "***"
# A known value shorter than this is not searched for on its own (it would mask ordinary words).
MIN_SECRET_LENGTH = 4

_KNOWN: set[str] = set()
_KNOWN_LOCK = threading.Lock()
_known_sorted: tuple[str, ...] = ()

_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s\"'<>/]*@)+")
_KEYS = r"password|passwd|pwd|api[_-]?key|apikey|service[_-]?key|secret|token|access[_-]?token"
# `key=value` (libpq, ODBC, query strings) or `"key": value` (JSON); never English prose ("password: …").
_PAIR = re.compile(
    rf"(?P<key>\b(?:{_KEYS})(?:\s*=\s*|[\"']\s*:\s*))"
    r"(?P<value>'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?|[^\s,;&\"')]+)",
    re.IGNORECASE,
)
_KEY_HEADER = re.compile(r"(?P<key>\b(?:apikey|x-api-key)\s*:\s*)[^\s,;\"']+", re.IGNORECASE)
_AUTH_HEADER = re.compile(
    r"(?P<key>\bauthorization\s*[=:]\s*)(?:(?:bearer|basic|token)\s+)?[^\s,;\"']+", re.IGNORECASE
)
_BEARER = re.compile(r"(?P<key>\bbearer\s+)[A-Za-z0-9._~+/\-]+=*", re.IGNORECASE)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*")
_SUPABASE_KEY = re.compile(r"\bsb_(?:secret|publishable)_[A-Za-z0-9_\-]{8,}")


def _userinfo_sub(match: re.Match[str]) -> str:
    userinfo = match.group(0)[len(match.group("scheme")) :]
    user, colon, _ = userinfo[:-1].partition(":")
    return f"{match.group('scheme')}{user}:{MASK}@" if colon else f"{match.group('scheme')}{MASK}@"


def _password_of(value: str) -> list[str]:
    """The password inside a DSN (URL or key=value form), as written; empty when there is none."""
    found = []
    if "://" in value:
        rest = value.split("://", 1)[1]
        if "@" in rest:
            userinfo = rest.rsplit("@", 1)[0]
            if ":" in userinfo:
                found.append(userinfo.split(":", 1)[1])
    for match in _PAIR.finditer(value):
        found.append(match.group("value").strip("'\""))
    return [p for p in found if p]


def _variants(value: str) -> set[str]:
    variants = {value, value.strip(), unquote(value), quote(value, safe="")}
    for password in _password_of(value):
        variants |= {password, unquote(password), quote(unquote(password), safe="")}
        # A driver may echo one piece of it (the part after an unencoded '@', a bad %-token).
        variants |= set(re.split(r"[^A-Za-z0-9]+", password))
    return {v for v in variants if len(v) >= MIN_SECRET_LENGTH}


def register_secret(value: str) -> None:
    """Remember a credential so `redact` masks it wherever it appears, whole or in part."""
    global _known_sorted
    if not value or len(value.strip()) < MIN_SECRET_LENGTH:
        return
    new = _variants(value)
    with _KNOWN_LOCK:
        if new <= _KNOWN:
            return
        _KNOWN.update(new)
        _known_sorted = tuple(sorted(_KNOWN, key=len, reverse=True))


def redact(text: str) -> str:
    """`text` with every credential replaced by `***`."""
    if not text:
        return text
    text = _URL_USERINFO.sub(_userinfo_sub, text)
    text = _PAIR.sub(lambda m: m.group("key") + MASK, text)
    text = _AUTH_HEADER.sub(lambda m: m.group("key") + MASK, text)
    text = _KEY_HEADER.sub(lambda m: m.group("key") + MASK, text)
    text = _BEARER.sub(lambda m: m.group("key") + MASK, text)
    text = _JWT.sub(MASK, text)
    text = _SUPABASE_KEY.sub(MASK, text)
    for known in _known_sorted:
        if known in text:
            text = text.replace(known, MASK)
    return text


Data = TypeVar("Data")


def redact_data(value: Data) -> Data:
    """A copy of a JSON-like value (dicts, lists, tuples, strings) with every string redacted."""
    if isinstance(value, str):
        return redact(value)  # type: ignore[return-value]
    if isinstance(value, Mapping):
        return {k: redact_data(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return type(value)(redact_data(v) for v in value)
    return value
