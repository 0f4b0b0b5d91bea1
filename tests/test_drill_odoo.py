"""Drill 3: Odoo misbehaving during extraction (the simulator's injected faults, real HTTP, real client).

A timeout, 502/503/429 answers and a connection reset on a later page are retried (short timeouts
and few retries, set through the settings) and end in rows identical to a clean run's, with exactly
the retried calls added. A fault that outlasts the retries, or an AccessDenied once the key is
revoked, ends in one clear line and nothing written: the previous partitions are byte for byte what
they were, the watermarks did not move.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from functions.cli import main
from functions.pipeline import run_days
from shared.errors import TransientError
from shared.lake import open_lake
from shared.odoo import OdooAccessDenied, connect
from shared.odoo_sim import OdooSimulator, SimConfig
from tests.fixtures.drills import (
    DrillWorld,
    data_files,
    differences,
    latest_status,
    settings_environ,
    watermark,
)

PAGE = 5  # a small page, so a day of orders takes several pages
STAGES = ["extract", "transform"]


def recorded_calls(lake: Path, day, dataset: str) -> dict[str, int]:
    import json

    return json.loads((lake / "metadata" / "latest" / "extract" / dataset / f"{day}.json").read_text())["calls"]


@pytest.fixture
def sim(drill_sim) -> Iterator[OdooSimulator]:
    """A private simulator with the drill data (faults and a revoked key stay in this test)."""
    config = drill_sim.config
    own = SimConfig(
        seed=config.seed, lines_per_day=config.lines_per_day, days=config.days,
        purchase_history_days=config.purchase_history_days, end_day=drill_sim.last_day, fault_timeout_s=3.0,
    )  # fmt: skip
    with OdooSimulator(own) as simulator:
        yield simulator


def drill_settings(world: DrillWorld, case: Path, sim: OdooSimulator):
    return world.settings(case, odoo_port=sim.port, odoo_timeout=1.0, odoo_max_retries=2, odoo_batch_size=PAGE)


@pytest.fixture(scope="module")
def clean_calls(drill_world: DrillWorld, tmp_path_factory) -> dict[str, dict[str, int]]:
    """Calls per dataset of a clean extract with the drill's page size (faulted runs add only retries)."""
    world = drill_world
    case = world.copy_state("start", tmp_path_factory.mktemp("odoo-clean") / "case")
    settings = drill_settings(world, case, world.sim)
    run_days(settings, open_lake(settings.data_lake_root, 0), [world.day], STAGES)
    assert differences(case / "lake", world.snapshots["transform"] / "lake") == []
    return {ds: recorded_calls(case / "lake", world.day, ds) for ds in ("pos", "invoice-sales")}


@pytest.mark.parametrize(
    ("kind", "model", "nth", "times", "dataset"),
    [
        ("timeout", "pos.order", 1, 1, "pos"),
        ("502", "pos.order.line", 2, 2, "pos"),  # two in a row, on a later page
        ("reset", "pos.order", 2, 1, "pos"),  # the connection dropped halfway through the pages
        ("503", "account.move.line", 1, 1, "invoice-sales"),
        ("429", "pos.payment", 1, 1, "pos"),
    ],
)
def test_a_transient_odoo_fault_is_retried_and_gives_the_clean_rows(
    drill_world, sim, clean_calls, tmp_path, kind, model, nth, times, dataset
):
    world = drill_world
    case = world.copy_state("start", tmp_path / "case")
    settings = drill_settings(world, case, sim)
    sim.inject_fault(model, "search_read", nth=nth, kind=kind, times=times)

    results = run_days(settings, open_lake(settings.data_lake_root, 0), [world.day], STAGES)

    assert all(r.status == "success" for r in results)
    assert differences(case / "lake", world.snapshots["transform"] / "lake") == []
    expected = dict(clean_calls[dataset])
    key = f"{model}.search_read"
    expected[key] += times
    expected["total"] += times
    assert recorded_calls(case / "lake", world.day, dataset) == expected


def snapshot_bytes(lake: Path) -> dict[str, bytes]:
    return {rel: (lake / rel).read_bytes() for rel in data_files(lake)}


def change_odoo(sim: OdooSimulator, day) -> None:
    """Change a POS order of the day, so a run that got through would write other rows."""
    order = min(r["id"] for r in sim.records("pos.order", day))
    sim.write("pos.order", order, {"amount_total": 987654.0})


def test_a_502_that_outlasts_the_retries_fails_in_one_line_and_changes_nothing(
    drill_world, sim, tmp_path, monkeypatch, capsys
):
    world = drill_world
    case = world.copy_state("transform", tmp_path / "case")  # a previous copy of the day
    settings = drill_settings(world, case, sim)
    lake = case / "lake"
    before = snapshot_bytes(lake)
    marks = {ds: watermark(lake, "extract", ds) for ds in ("pos", "invoice-sales")}
    change_odoo(sim, world.day)
    sim.inject_fault("pos.payment", "search_read", nth=1, kind="502", times=10)
    monkeypatch.chdir(tmp_path)
    for name, value in settings_environ(settings).items():
        monkeypatch.setenv(name, value)

    code = main(["run", "--date", world.day.isoformat(), "--stages", "extract,transform"])

    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 1
    assert len(errors) == 1 and "pos.payment.search_read failed after 3 attempts: HTTP 502" in errors[0], errors
    assert snapshot_bytes(lake) == before
    assert {ds: watermark(lake, "extract", ds) for ds in marks} == marks
    assert latest_status(lake, "extract", "pos", world.day) == "failed"
    assert not list((lake / "metadata" / "locks").glob("*.lock"))


def test_access_denied_after_the_key_is_revoked_fails_at_once_and_changes_nothing(
    drill_world, sim, tmp_path, monkeypatch, capsys
):
    world = drill_world
    case = world.copy_state("transform", tmp_path / "case")
    settings = drill_settings(world, case, sim)
    lake = case / "lake"
    before = snapshot_bytes(lake)
    change_odoo(sim, world.day)

    # Revoked while a run is connected: the next call is refused, not retried.
    with connect(settings) as odoo:
        sim.revoke_key()
        calls_before = Counter(odoo.calls)
        with pytest.raises(OdooAccessDenied, match="denied access") as info:
            run_days(settings, open_lake(settings.data_lake_root, 0), [world.day], STAGES, odoo=odoo)
        refused = Counter(odoo.calls) - calls_before
        assert refused and set(refused.values()) == {1}, refused  # never retried
    assert "\n" not in str(info.value)
    assert snapshot_bytes(lake) == before
    assert latest_status(lake, "extract", "pos", world.day) == "failed"
    assert watermark(lake, "extract", "pos") == world.day  # where the previous run left it, not moved

    # A new run with the revoked key: refused at login, one line, nothing written.
    monkeypatch.chdir(tmp_path)
    for name, value in settings_environ(settings).items():
        monkeypatch.setenv(name, value)
    code = main(["run", "--date", world.day.isoformat(), "--stages", "extract,transform"])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 1 and len(errors) == 1 and "refused the login" in errors[0], errors
    assert settings.odoo_api_key.reveal() not in err
    assert snapshot_bytes(lake) == before


def test_transient_errors_are_the_retryable_kind(drill_world, sim, tmp_path):
    """The give-up error of a transient fault is a TransientError (the platform retries it later)."""
    world = drill_world
    case = world.copy_state("start", tmp_path / "case")
    settings = drill_settings(world, case, sim)
    sim.inject_fault("pos.order", "search_read", nth=1, kind="503", times=10)
    with pytest.raises(TransientError, match="failed after 3 attempts"):
        run_days(settings, open_lake(settings.data_lake_root, 0), [world.day], ["extract"], ["pos"])
    assert data_files(case / "lake") == []
