"""Helpers for tests that talk to the built-in Odoo simulator on a free loopback port."""

from __future__ import annotations

from shared.config import Secret, Settings
from shared.odoo_sim import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN


def sim_settings(sim, lake_root: str = "./data-lake-unused", **changes) -> Settings:
    """Settings pointing at `sim` with the demo credentials (synthetic, loopback only)."""
    values = dict(
        odoo_host="127.0.0.1",
        odoo_port=sim.port,
        odoo_db=DEMO_DB,
        odoo_username=DEMO_LOGIN,
        odoo_api_key=Secret(DEMO_API_KEY),
        odoo_timeout=5.0,
        odoo_max_retries=3,
        data_lake_root=lake_root,
    )
    values.update(changes)
    return Settings(**values)


def calls_delta(after, before) -> dict:
    """{(model, method): n} made between two snapshots of a client's Counter."""
    delta = after.copy()
    delta.subtract(before)
    return {k: v for k, v in delta.items() if v}
