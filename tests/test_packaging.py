"""`pip install .` (a wheel, not an editable install) carries every package-data file the code needs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA_SUFFIXES = (".sql", ".json", ".html")


def test_wheel_contains_code_and_package_data(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("nkpipe-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        p.relative_to(REPO).as_posix()
        for package in ("functions", "shared")
        for p in (REPO / package).rglob("*")
        if p.is_file() and (p.suffix == ".py" or p.suffix in DATA_SUFFIXES) and "__pycache__" not in p.parts
    }
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel: {missing}"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "nkpipe = functions.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
