"""`nkpipe rebuild`: reset + rerun a range, resumable after an interruption, through the simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.demo import demo_settings
from functions.recovery import rebuild
from shared.errors import NkpipeError
from shared.lake import open_lake
from shared.metadata import Metadata
from shared.odoo_sim import OdooSimulator, SimConfig
from shared.schemas import FACT_SALES


@pytest.fixture(scope="module")
def sim():
    with OdooSimulator(SimConfig(seed=11, lines_per_day=40, days=5)) as server:
        yield server


@pytest.fixture(params=["local", "gcs"])
def lake_root(request, tmp_path) -> str:
    if request.param == "local":
        return str(tmp_path / "lake")
    return f"{request.getfixturevalue('gcs_bucket').root_url}/lake"


def test_interrupted_rebuild_resumes_where_it_stopped(sim, lake_root):
    settings = demo_settings(lake_root, sim.port)
    lake = open_lake(settings.data_lake_root)
    assert lake.url.startswith(lake_root.split("/lake")[0])
    sim.clear_faults()
    days = [sim.last_day - timedelta(days=i) for i in (2, 1, 0)]
    Metadata(lake).set_watermark("extract", "pos", days[-1])

    # The second day's order page fails for good (a revoked-key style error is not retried).
    sim.inject_fault("pos.order", "search_read", nth=2, kind="access_denied")
    with pytest.raises(NkpipeError):
        rebuild(settings, lake, ["pos"], days)
    assert lake.list_dates(FACT_SALES) == [days[0]]
    # reset moved the watermark back to the day before the range, and it was not advanced past the failure
    assert Metadata(lake).get_watermark("extract", "pos") == days[0]

    sim.clear_faults()
    sim.reset_calls()
    seen = []
    state = rebuild(settings, lake, ["pos"], days, on_day=lambda d, i, n: seen.append(d))
    assert state["resumed"] is True
    assert seen == days[1:]  # the first day was not redone
    assert sim.calls[("pos.order", "search_read")] == 2
    assert lake.list_dates(FACT_SALES) == days
    assert Metadata(lake).get_watermark("extract", "pos") == days[-1]
    assert Metadata(lake).runs("ops", "rebuild")[-1].rows == {"days": 3}


def test_rebuild_cli_needs_targets_and_valid_range(tmp_path, capsys):
    from functions.cli import main

    assert main(["rebuild", "--targets", " ", "--from", "2026-01-01", "--to", "2026-01-02", "--lake", str(tmp_path)]) == 2
    assert "no targets given" in capsys.readouterr().err
    assert main(["rebuild", "--targets", "pos", "--from", "2026-01-02", "--to", "2026-01-01", "--lake", str(tmp_path)]) == 2
    assert "before start" in capsys.readouterr().err
