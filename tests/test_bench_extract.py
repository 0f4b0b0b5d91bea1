"""The extraction benchmark runs end to end at a tiny scale and writes its figures (no timing asserts)."""

from __future__ import annotations

import json
from datetime import date

from bench.extract import SIM_SEED, main
from shared.odoo_sim import OdooSimulator, SimConfig

DAY = date(2026, 11, 18)


def test_extract_benchmark_smoke(tmp_path, capsys):
    code = main(["--scale", "0.005", "--latency", "0.0", "--batch-sizes", "50,100", "--repeat", "1",
                 "--targets", "pos,invoice-sales", "--day", DAY.isoformat(), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    result = json.loads((tmp_path / "extract.json").read_text())
    assert [run["batch_size"] for run in result["runs"]] == [50, 100]
    small, large = result["runs"]
    assert small["datasets"]["pos"]["calls"] > large["datasets"]["pos"]["calls"] > 0
    # the benchmark's simulator (same seed, size and day) says how many POS lines the day has
    expected = OdooSimulator(SimConfig(seed=SIM_SEED, lines_per_day=100, days=1, end_day=DAY)).expected_pos_totals(DAY)
    assert expected["lines"] > 0
    assert large["datasets"]["pos"]["rows"]["pos.order.line"] == expected["lines"]
    assert "floor =" in out and "latency share" in out
