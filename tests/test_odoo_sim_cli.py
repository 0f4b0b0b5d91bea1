"""`python -m shared.odoo_sim`: runs standalone, prints its URL and the demo credentials."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests

from shared.odoo_sim import DEMO_API_KEY, DEMO_DB


def test_module_runs_standalone_and_serves_jsonrpc():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shared.odoo_sim",
            "--port",
            "0",
            "--lines-per-day",
            "10",
            "--days",
            "2",
            "--end-day",
            "2026-11-20",
            "--version",
            "19.0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        first = proc.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:(\d+))", first)
        assert match, first
        assert "2026-11-19 .. 2026-11-20" in first
        credentials = proc.stdout.readline()
        assert f"ODOO_DB={DEMO_DB}" in credentials and DEMO_API_KEY in credentials
        body = requests.post(
            f"{match.group(1)}/web/webclient/version_info",
            json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1},
            timeout=10,
        ).json()
        assert body["result"]["server_version"] == "19.0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
