"""`nkpipe odoo-check`: connect, print the server version and user, and which needed models and fields
exist (exit 1 when a required one is missing)."""

from __future__ import annotations

import argparse
import sys

from functions.cli.common import print_table, settings_from


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return sub.add_parser("odoo-check", help="connect to Odoo and check the models and fields the pipeline needs")


def needed_fields() -> dict[str, tuple[set[str], set[str]]]:
    """model -> (required, optional) fields over every dataset's requirements (functions.datasets)."""
    from functions.datasets import DATASETS

    needs: dict[str, tuple[set[str], set[str]]] = {}
    for ds in DATASETS:
        for model, (required, optional) in ds.requirements.items():
            req, opt = needs.setdefault(model, (set(), set()))
            req.update(required)
            opt.update(optional)
    for req, opt in needs.values():
        opt.difference_update(req)
    return needs


def check_model(odoo, model: str, required: set[str], optional: set[str]) -> dict:
    if not odoo.has_model(model):
        return {"model": model, "status": "MISSING MODEL", "missing required": "-", "missing optional": "-"}
    fields = odoo.fields(model)

    def absent(names: set[str]) -> list[str]:
        # "a|b": either name will do (fields renamed across versions)
        return sorted(n for n in names if n != "id" and not any(a in fields for a in n.split("|")))

    missing_required, missing_optional = absent(required), absent(optional)
    return {
        "model": model,
        "status": "missing fields" if missing_required else "ok",
        "missing required": ", ".join(missing_required) or "-",
        "missing optional": ", ".join(missing_optional) or "-",
    }


def cost_field_line(odoo, settings) -> str:
    """Which account.move.line field gives fact_purchases.actual_price (ODOO_COST_FIELD or detected)."""
    from functions.extract.purchases import MISSING_COST_FIELD, cost_field

    name, how = cost_field(odoo, settings)
    if name is None:
        return f"cost     WARNING: {MISSING_COST_FIELD}"
    return f"cost     account.move.line.{name} ({'ODOO_COST_FIELD' if how == 'configured' else how})"


def run(args: argparse.Namespace) -> int:
    from shared.config import require_odoo
    from shared.odoo import Json2Client, connect

    settings = settings_from(args)
    require_odoo(settings)
    with connect(settings) as odoo:
        api = "json2" if isinstance(odoo, Json2Client) else "jsonrpc"
        print(f"server   Odoo {odoo.server_version} ({api})")
        print(f"user     {odoo.login} (uid {odoo.uid}) on database {odoo.db}")
        rows = [check_model(odoo, model, *needs) for model, needs in sorted(needed_fields().items())]
        cost_line = cost_field_line(odoo, settings)
    print(cost_line)
    print_table(rows)
    bad = [row["model"] for row in rows if row["status"] != "ok"]
    if bad:
        print(f"error: required models or fields missing on {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0
