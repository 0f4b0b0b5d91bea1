"""The extraction benchmark runs end to end at a tiny scale and writes its figures (no timing asserts)."""

from __future__ import annotations

import json

from bench.extract import main


def test_extract_benchmark_smoke(tmp_path, capsys):
    code = main(["--scale", "0.005", "--latency", "0.0", "--batch-sizes", "50,100", "--repeat", "1",
                 "--targets", "pos,invoice-sales", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    result = json.loads((tmp_path / "extract.json").read_text())
    assert [run["batch_size"] for run in result["runs"]] == [50, 100]
    small, large = result["runs"]
    assert small["datasets"]["pos"]["calls"] > large["datasets"]["pos"]["calls"] > 0
    assert large["datasets"]["pos"]["rows"]["pos.order.line"] == 100
    assert "floor =" in out and "latency share" in out
