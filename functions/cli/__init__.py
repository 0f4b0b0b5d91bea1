"""`nkpipe`: the command line. One module per verb in this package, listed in COMMANDS.

A verb module has `add_parser(subparsers) -> argparse.ArgumentParser` and `run(args) -> int`.
Heavy imports live inside `run`, so `nkpipe --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from shared.errors import ConfigError, InputError, NkpipeError

# Verb modules, in the order `nkpipe --help` lists them.
COMMANDS: list[str] = [
    "demo",
    "run",
    "catch_up",
    "health",
    "odoo_check",
    "reconcile",
    "sql",
    "validate_profit",
    "migrate",
    "kpi",
    "publish_sheet",
    "purge",
    "reset",
    "rebuild",
    "restore",
]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
# Every stage ran and the data is written, but a check found differences (an "unverified" day).
EXIT_UNVERIFIED = 3


def _load_verbs() -> list:
    return [importlib.import_module(f"{__name__}.{name}") for name in COMMANDS]


class OneLineErrorParser(argparse.ArgumentParser):
    """Usage mistakes end like every other failure: one `error:` line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="nkpipe",
        description="Odoo -> Parquet lake -> profit -> KPI pipeline. Dates are YYYY-MM-DD business days.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _load_verbs():
        verb = module.add_parser(sub)
        verb.set_defaults(handler=module.run)
        add_common_options(verb)
    return parser


def add_common_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("common options")
    group.add_argument("--lake", metavar="ROOT", help="lake root (overrides DATA_LAKE_ROOT)")
    group.add_argument("--env-file", default=".env", metavar="PATH", help="settings file (default: .env)")
    group.add_argument("-v", "--verbose", action="store_true", help="debug logging and full tracebacks")
    group.add_argument("--json-logs", action="store_true", default=None, help="log JSON lines even on a terminal")


def _fail(line: str, code: int) -> int:
    """The one `error:` line on stderr, redacted."""
    from shared.redact import redact

    print(redact(line), file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    from shared.log import configure_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(json_lines=args.json_logs, level="DEBUG" if args.verbose else "WARNING")
    try:
        code = args.handler(args)
    except (InputError, ConfigError) as exc:
        return _fail(f"error: {exc}", EXIT_BAD_INPUT)
    except NkpipeError as exc:
        return _fail(f"error: {exc}", EXIT_FAILED)
    except KeyboardInterrupt:
        return _fail("error: interrupted", EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 — one clear line for people; traceback with --verbose
        if args.verbose:
            logging.getLogger("nkpipe").exception("unexpected error")
        return _fail(f"error: unexpected {type(exc).__name__}: {exc}", EXIT_FAILED)
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
