"""Helpers the verb modules share: settings and lake from the common options, progress output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from shared.config import Settings, load_settings
from shared.lake import Lake, open_lake
from shared.metadata import StageResult


def settings_from(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Settings from .env + environment, with --lake (and the verb's own overrides) on top."""
    if getattr(args, "lake", None):
        overrides.setdefault("data_lake_root", args.lake)
    return load_settings(env_file=getattr(args, "env_file", ".env"), **overrides)


def lake_from(settings: Settings) -> Lake:
    return open_lake(settings.data_lake_root, settings.local_versions_days)


def add_date_range(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--date", required=required, metavar="D", help="business day YYYY-MM-DD (`run`: or today)")
    parser.add_argument("--to", metavar="E", help="last day of a range (inclusive)")


def progress_printer(stream: TextIO | None = None) -> Callable[[StageResult], None] | None:
    """Progress lines on a terminal; nothing otherwise (logs carry the detail)."""
    stream = stream or sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None

    def show(result: StageResult) -> None:
        rows = sum(result.rows.values())
        mark = "ERR" if not result.ok else "ok " if result.verified else "UNV"
        stream.write(
            f"{mark} {result.day}  {result.stage:<9} {result.dataset:<16} {rows:>9,} rows  {result.duration_s:6.1f}s"
            + (f"  {result.message}" if result.message and not (result.ok and result.verified) else "")
            + "\n"
        )
        stream.flush()

    return show


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None, stream: TextIO | None = None) -> None:
    """A plain aligned text table (numbers right-aligned, thousands separated)."""
    stream = stream or sys.stdout
    if not rows:
        stream.write("(no rows)\n")
        return
    columns = list(columns or dict.fromkeys(key for row in rows for key in row))

    def cell(value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, float):
            return f"{value:,.2f}"
        return str(value)

    text = [[cell(r.get(c)) for c in columns] for r in rows]
    numeric = [all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows) for c in columns]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(columns)]

    def fmt(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True))

    stream.write(fmt(columns).rstrip() + "\n")
    stream.write("  ".join("-" * w for w in widths) + "\n")
    for t in text:
        stream.write(fmt(t).rstrip() + "\n")


def report_unverified(results: Sequence[StageResult], stream: TextIO | None = None) -> int:
    """Print every difference of the unverified results (one line each, then one `error:` line);
    returns how many results were unverified."""
    stream = stream or sys.stderr
    unverified = [r for r in results if r.ok and not r.verified]
    for result in unverified:
        for difference in result.differences or [result.message]:
            stream.write(f"unverified: {result.day} {result.stage} {result.dataset}: {difference}\n")
    if unverified:
        days = sorted({r.day.isoformat() for r in unverified})
        stream.write(
            f"error: {len(days)} day(s) unverified ({', '.join(days)}): the data is kept, the checks above "
            "differ; see 'Unverified days' in docs/operations.md\n"
        )
    return len(unverified)
