"""The guides match the commands (#17): every `nkpipe` command in the fenced blocks of
docs/operations.md and docs/panduan-operasional.md is run, in the guide's order, against a demo lake
(`nkpipe demo` with the clock pinned at 2026-11-22 10:00 WIB, so the guides' dates are the demo's
week), and each sample output is compared by shape with what the command printed: a table's column
names, the labels of the other lines (`last fully processed day:`, `restored`, `"status":` …), and the
exit code (the demo's KPI store is the embedded DuckDB without a mirror, so a sample's `tidb:` line is
matched by its `duckdb:` line). Both guides hold the same commands in the same order. Commands for the cloud (`curl`,
`gcloud`, `functions-framework`) are not run here; tests/test_main_http.py covers those entry points.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared import clock

REPO = Path(__file__).resolve().parents[1]
GUIDES = (REPO / "docs" / "operations.md", REPO / "docs" / "panduan-operasional.md")
PINNED = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 10:00 WIB: the demo's week ends on 2026-11-21
LOCAL = "nkpipe"
# Exit codes the guides promise for a command (all others must exit 0).
EXIT_CODES: dict[str, int] = {}
# A sample's `tidb:` line is printed as `duckdb:` on the demo, and it has no `supabase:` line.
KPI_SIDES = ("tidb:", "supabase:")
_FENCE = re.compile(r"^\s*```(\w*)\s*$")
_TABLE_RULE = re.compile(r"^-+(\s{2}-+)*$")
_JSON_KEY = re.compile(r'^\s*"(\w+)":')
_LABEL = re.compile(r"^\s*([A-Za-z][\w .()/-]*?):(\s|$)")
_WORD = re.compile(r"^\s*([A-Za-z][\w-]*)")


@dataclass
class Example:
    """One command of a guide, with the sample output the guide shows for it (may be empty)."""

    command: str
    line: int
    sample: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The command without its comment (the guides' comments differ by language)."""
        return " ".join(shlex.quote(w) for w in shlex.split(self.command, comments=True))


def _logical_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Join `\\` continuations and lines inside an open quote into one command."""
    joined: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, text in lines:
        if not buffer:
            start = number
        buffer = f"{buffer}\n{text}" if buffer else text
        if buffer.endswith("\\"):
            buffer = buffer[:-1]
            continue
        try:
            shlex.split(buffer, comments=True)
        except ValueError:  # an open quote: the command goes on
            continue
        joined.append((start, buffer))
        buffer = ""
    return joined


def examples(path: Path) -> list[Example]:
    """The local commands of a guide's fenced blocks, in order, with their sample outputs."""
    found: list[Example] = []
    block: list[tuple[int, str]] | None = None
    kind = ""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fence = _FENCE.match(text)
        if fence and block is None:
            block, kind = [], fence.group(1)
            continue
        if fence and block is not None:
            found += _examples_of_block(block, kind)
            block = None
            continue
        if block is not None:
            block.append((number, text))
    return [e for e in found if _is_local(e.command)]


def _examples_of_block(block: list[tuple[int, str]], kind: str) -> list[Example]:
    if kind == "bash":
        return [Example(command.strip(), number) for number, command in _logical_lines(block)]
    if kind != "text":
        return []
    found: list[Example] = []
    pending: list[tuple[int, str]] = []
    for number, text in block:
        if text.startswith("$ ") or pending:
            pending.append((number, text.removeprefix("$ ")))
            commands = _logical_lines(pending)
            if commands:
                found.append(Example(commands[0][1].strip(), commands[0][0]))
                pending = []
        elif found:
            found[-1].sample.append(text)
    return found


def _is_local(command: str) -> bool:
    words = [w for w in shlex.split(command, comments=True) if "=" not in w.split("/")[0] or w.startswith("-")]
    return bool(words) and words[0] == LOCAL


def _env_and_args(example: Example) -> tuple[dict[str, str], list[str]]:
    """`VAR=value nkpipe …` → ({VAR: value}, argv after `nkpipe`); `[--to E]` style parts dropped."""
    text = re.sub(r"\s\[[^\]]*\]", "", example.command)
    words = shlex.split(text, comments=True)
    env = {}
    while words and words[0] != LOCAL:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    return env, words[1:]


# ---------------------------------------------------------------- shape of an output


def tables(lines: list[str]) -> list[list[str]]:
    """The column names of every table (a header line followed by a line of dashes)."""
    return [
        re.split(r"\s{2,}", lines[i - 1].strip())
        for i in range(1, len(lines))
        if _TABLE_RULE.match(lines[i].strip()) and lines[i - 1].strip()
    ]


def labels(lines: list[str]) -> list[str]:
    """What a line outside a table starts with: `label:`, `"json_key":` or its first word."""
    rows = {i for i in range(1, len(lines)) if _TABLE_RULE.match(lines[i].strip())}
    in_table, found = False, []
    for i, text in enumerate(lines):
        if i + 1 in rows or i in rows:
            in_table = True
            continue
        if in_table and text.strip() and not text.startswith(("stale:", "refresh", "dry run", "deleted", "error:")):
            continue  # a table row
        in_table = False
        stripped = text.strip()
        if not stripped or stripped.startswith("…") or stripped in ("{", "}"):
            continue
        if key := _JSON_KEY.match(text):
            found.append(f'"{key.group(1)}":')
        elif label := _LABEL.match(text):
            found.append(label.group(1) + ":")
        elif word := _WORD.match(text):
            found.append(word.group(1))
    return found


def shape_differences(sample: list[str], printed: str) -> list[str]:
    """What of the sample's shape the printed output does not have."""
    lines = printed.splitlines()
    problems = []
    have_tables = tables(lines)
    for columns in tables(sample):
        if columns not in have_tables:
            problems.append(f"table {columns} not printed (printed: {have_tables})")
    have = labels(lines)
    for label in labels(sample):
        if label in KPI_SIDES:  # the demo's store is the embedded DuckDB, without a mirror
            label = "duckdb:" if label != "supabase:" else None
            if label is None:
                continue
        if label not in have and not any(line.lstrip().startswith(label) for line in lines):
            problems.append(f"no line starting with {label!r}")
    return problems


# ---------------------------------------------------------------- the demo lake and the runs


@pytest.fixture(scope="module")
def guide_runs(tmp_path_factory) -> list[tuple[str, subprocess.CompletedProcess]]:
    """Every command of operations.md run once, in order, on one demo lake: [(command, result)]."""
    base = tmp_path_factory.mktemp("guides")
    lake = base / "data-lake"
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("ODOO_", "TIDB_", "SUPABASE_", "DATA_LAKE", "KPI_", "NKPIPE_NOW", "BUSINESS_TZ"))
    }
    env.update(clock.env_for(PINNED))
    env.update(
        {
            "DATA_LAKE_ROOT": str(lake),
            "KPI_DUCKDB_PATH": str(lake / "embedded-kpi.duckdb"),
            "ODOO_HOST": "simulator",
            "NKPIPE_OPERATOR": "ops-test",
        }
    )

    def nkpipe(args: list[str], extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "functions.cli", *args],
            capture_output=True, text=True, timeout=600, cwd=base, env={**env, **(extra or {})},
        )

    demo = nkpipe(["demo", "--lake", str(lake)])
    assert demo.returncode == 0, demo.stderr[-2000:]
    results = []
    for example in examples(GUIDES[0]):
        extra, args = _env_and_args(example)
        results.append((example.key, nkpipe(args, extra)))
    return results


def test_both_guides_hold_the_same_commands_in_the_same_order():
    english, indonesian = ([e.key for e in examples(path)] for path in GUIDES)
    assert indonesian == english
    assert len(english) >= 25


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_command_runs_and_prints_what_the_guide_shows(guide, guide_runs):
    problems = []
    for example, (key, result) in zip(examples(guide), guide_runs, strict=True):
        assert key == example.key
        expected_code = EXIT_CODES.get(example.key, 0)
        if result.returncode != expected_code:
            problems.append(
                f"{guide.name}:{example.line}: `{example.command}` exited {result.returncode}, "
                f"expected {expected_code}: {result.stderr.strip()[-300:]}"
            )
            continue
        for problem in shape_differences(example.sample, result.stdout + result.stderr):
            problems.append(f"{guide.name}:{example.line}: `{example.command}`: {problem}")
    assert problems == [], "\n".join(problems)


def test_the_shape_check_finds_a_wrong_sample():
    sample = ["last fully processed day: 2026-11-19", "name  status", "----  ------", "pos   fresh"]
    printed = "last processed: 2026-11-19\nname  state\n----  -----\npos   fresh\n"
    assert shape_differences(sample, printed) == [
        "table ['name', 'status'] not printed (printed: [['name', 'state']])",
        "no line starting with 'last fully processed day:'",
    ]
    assert shape_differences(sample, "last fully processed day: x\nname  status\n----  ------\n") == []


# ---------------------------------------------------------------- the Indonesian guide's wording


def sections(path: Path) -> dict[str, str]:
    """`## N. Title` sections of a guide by their number."""
    found, number = {}, None
    for text in path.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^## (\d+)\. ", text):
            number = match.group(1)
            found[number] = ""
        elif number:
            found[number] += text + "\n"
    return found


def test_the_indonesian_guide_reads_as_written_for_indonesian_operators():
    text = GUIDES[1].read_text(encoding="utf-8")
    # what read as a translation: an HTTP answer is a "respons", a JSON key a "field", the lake is
    # not a person ("penulis"), and "Selain query ditolak" had no subject
    translated = [p for p in (r"\bjawaban\b", r"\bmenjawab\b", r"\bdijawab\b", r"\bisian\b", r"\bpenulis\b",
                              r"Selain query ditolak") if re.search(p, text)]
    assert translated == []
    assert "respons 4xx" in text.lower() and "field `error`" in text
    indonesian, english = sections(GUIDES[1]), sections(GUIDES[0])
    # paragraphs the English guide has and the Indonesian one lacked
    assert "on the rerun queue" in english["4"] and "antrean rerun" in indonesian["4"]
    assert "redeploy" in english["8"] and "Tidak perlu deploy ulang" in indonesian["8"]
    assert "cold start berikutnya" in indonesian["8"]
    assert sorted(indonesian) == sorted(english)
