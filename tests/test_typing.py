"""Types are checked: `mypy` and `ruff` run in scripts/test; this keeps the interfaces typed that
mypy cannot insist on by itself."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TYPED_PARAMETERS = {"settings": "Settings", "lake": "Lake", "odoo": "OdooClient"}


def production_files() -> list[Path]:
    return sorted([*(REPO / "functions").rglob("*.py"), *(REPO / "shared").rglob("*.py"), REPO / "main.py"])


def test_settings_lake_and_odoo_parameters_have_their_real_types():
    untyped = []
    for path in production_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                if arg.arg in TYPED_PARAMETERS and arg.annotation is not None:
                    if "Any" in ast.unparse(arg.annotation):
                        untyped.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}({arg.arg})")
    assert untyped == []


def test_the_test_command_runs_ruff_and_mypy():
    script = (REPO / "scripts" / "test").read_text()
    assert '"$PYTHON" -m ruff check . || failed+=' in script
    assert '"$PYTHON" -m mypy || failed+=' in script
    assert "[tool.mypy]" in (REPO / "pyproject.toml").read_text()
