"""Odoo simulator: a loopback HTTP server speaking Odoo's JSON-RPC (and JSON-2 on 19.0) over synthetic data.

from shared.odoo_sim import OdooSimulator, SimConfig, DEMO_DB, DEMO_LOGIN, DEMO_API_KEY
with OdooSimulator(SimConfig(seed=7, lines_per_day=300)) as sim:
    ...  # sim.url, sim.port, sim.first_day, sim.last_day, sim.calls
"""

from shared.odoo_sim.config import DEMO_API_KEY, DEMO_DB, DEMO_LOGIN, DEMO_PASSWORD, SimConfig
from shared.odoo_sim.server import OdooSimulator

__all__ = ["DEMO_API_KEY", "DEMO_DB", "DEMO_LOGIN", "DEMO_PASSWORD", "OdooSimulator", "SimConfig"]
