"""`nkpipe demo` end to end, as a user runs it: the installed command, offline, twice."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from shared.schemas import FACT_SALES, STAR_FACTS

FACT_SALES_CONTRACT = (
    "date order_id order_name line_id date_order company_id partner_id user_id product_id quantity "
    "price_unit discount revenue_tax_ex revenue_tax_in tax_ids"
).split()


def run_demo(lake: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "TIDB_", "SUPABASE_", "DATA_LAKE"))}
    return subprocess.run(
        [sys.executable, "-m", "functions.cli", "demo", "--lake", str(lake), "--lines-per-day", "60"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=env,
    )


def star_digest(lake: Path) -> dict[str, str]:
    """A digest of every star-schema partition's rows (sorted), so two runs can be compared."""
    digests = {}
    for path in sorted((lake / "star-schema").rglob("*.parquet")):
        table = pq.read_table(path)
        rows = sorted(map(repr, table.to_pylist()))
        digests[str(path.relative_to(lake))] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    lake = base / "data-lake"
    first = run_demo(lake, base)
    first_digest = star_digest(lake)
    second = run_demo(lake, base)
    return lake, first, first_digest, second, star_digest(lake)


def test_demo_exits_0_and_prints_the_report(demo_runs):
    lake, first, *_ = demo_runs
    assert first.returncode == 0, first.stderr[-2000:]
    out = first.stdout
    for heading in ("Sales per business day", "Gross profit per day", f"Lake: {lake}", "0 failed"):
        assert heading in out
    assert out.count("\n20") >= 7  # a row per day


def test_demo_fills_every_star_fact_by_the_contract(demo_runs):
    lake, *_ = demo_runs
    for spec in STAR_FACTS:
        assert list((lake / "star-schema" / spec.name).glob("date=*/part-0.parquet")), spec.name
    dates = sorted(p.name for p in (lake / "star-schema" / FACT_SALES.name).iterdir())
    assert len(dates) == 7
    table = pq.read_table(lake / "star-schema" / FACT_SALES.name / dates[-1] / "part-0.parquet")
    assert set(FACT_SALES_CONTRACT) <= set(table.column_names)
    assert table.num_rows > 0
    assert not list(lake.rglob("*.part"))  # no temp file left where readers look


def test_demo_is_deterministic(demo_runs):
    _, first, first_digest, second, second_digest = demo_runs
    assert second.returncode == 0, second.stderr[-2000:]
    assert first_digest and first_digest == second_digest
