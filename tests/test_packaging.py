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


def _pins(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a `uv pip compile --generate-hashes` file."""
    import re

    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line):
            current = match.group(1).lower().replace("_", "-")
            pins[current] = (match.group(2), 0)
        elif "--hash=sha256:" in line and current:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif line.strip() and not line.lstrip().startswith(("#", "--hash")):
            raise AssertionError(f"{path.name}: not a pinned requirement: {line!r}")
    return pins


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def test_deploy_and_ci_locks_pin_every_package_with_hashes_above_known_cves():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for lock, extras in (("requirements.txt", []), ("requirements-dev.txt", project["optional-dependencies"]["dev"])):
        pins = _pins(REPO / lock)
        assert pins and all(hashes >= 1 for _, hashes in pins.values()), f"{lock}: a package without a hash"
        for requirement in [*project["dependencies"], *extras]:
            name = requirement.split(">")[0].split("[")[0].split("=")[0].strip().lower().replace("_", "-")
            assert name in pins, f"{lock}: {name} from pyproject.toml is not pinned"
        # PyMySQL < 1.1.1: CVE-2024-36039; requests < 2.32.4: CVE-2024-47081
        assert _version(pins["pymysql"][0]) >= (1, 1, 1)
        assert _version(pins["requests"][0]) >= (2, 32, 4)


def test_locks_satisfy_every_requirement_of_pyproject():
    """Offline (the suite also runs under a moved clock): each pin meets its pyproject.toml specifier.
    `scripts/lock --check` re-resolves from PyPI to see whether a lock is also the newest possible."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for lock, requirements in (
        ("requirements.txt", project["dependencies"]),
        ("requirements-dev.txt", [*project["dependencies"], *project["optional-dependencies"]["dev"]]),
    ):
        pins = _pins(REPO / lock)
        for text in requirements:
            requirement = Requirement(text)
            version, _ = pins[requirement.name.lower().replace("_", "-")]
            assert requirement.specifier.contains(version, prereleases=True), f"{lock}: {requirement} vs {version}"
