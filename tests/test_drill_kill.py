"""Drill 1: a stage killed at random points (SIGKILL, not an exception), then rerun.

For every stage, `nkpipe run --date D --stages S` runs as a subprocess on a copy of the state an
undisturbed run had before S, and is killed: right before its first write, right before seeded-random
later writes (a temp file complete, not yet renamed into place) and after a seeded-random delay.
After each kill: readers see only whole partitions, each equal to the undisturbed run's; no run record
says "success" and no watermark reaches D unless the data behind it is complete; the dead run's lock
is still there. Then a rerun succeeds at once (the lock is taken over) and the lake, the KPI store
and the records equal the undisturbed run's.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from functions.pipeline import run_days
from shared.config import Secret
from shared.lake import open_lake
from tests.fixtures.drills import (
    DrillWorld,
    assert_only_whole_files_visible,
    counting_sql,
    data_files,
    differences,
    kpi_rows,
    latest_status,
    mirror_rows,
    same_file,
    start_cli,
    watermark,
)

SIGKILLED = -9


def kill_points(stage: str, writes: int) -> list[str]:
    """Before the first write, before two seeded-random later writes, and one seeded-random delay."""
    rng = random.Random(f"drill-kill-{stage}")
    later = sorted(rng.sample(range(2, writes + 1), k=min(2, writes - 1)))
    return ["write:1", *(f"write:{n}" for n in later), f"time:{rng.uniform(0.4, 2.5):.2f}"]


def stage_outputs(expected: Path, stage: str, day: date) -> dict[str, list[str]]:
    """dataset -> the lake files its run writes, read from the undisturbed run's records."""
    outputs: dict[str, list[str]] = {}
    for path in sorted((expected / "metadata" / "latest" / stage).glob(f"*/{day.isoformat()}.json")):
        record = json.loads(path.read_text())
        dataset = record["dataset"]
        if stage == "extract":
            files = [f"raw/{dataset.replace('-', '_')}/date={day}/part-0.parquet"]
        elif stage == "transform":
            files = [
                f"{name}.parquet" if name.startswith("star-schema/dim_") else f"{name}/date={day}/part-0.parquet"
                for name in record["rows"]
            ]
        elif stage == "profit":
            files = [f"star-schema/{name}/date={day}/part-0.parquet" for name in record["rows"]]
        else:
            files = []  # kpi and mirror write to databases
        outputs[dataset] = files
    return outputs


def check_after_kill(world: DrillWorld, stage: str, case: Path, settings, kill: str, code: int) -> None:
    day = world.day
    start, expected = world.snapshots[world.stage_before(stage)], world.snapshots[stage]
    lake = case / "lake"
    if kill.startswith("write:"):
        assert code == SIGKILLED, f"{kill}: the run was meant to die there, exit {code}"
        assert list((lake / "metadata" / "locks").glob("*.lock")), "the dead run's lock should still be there"
    else:
        assert code in (SIGKILLED, 0), f"{kill}: exit {code}"

    assert_only_whole_files_visible(lake)
    # Inputs untouched; every file a reader sees is whole and equal to the undisturbed run's copy.
    assert not set(data_files(start / "lake")) - set(data_files(lake)), f"{kill}: an input vanished"
    for rel in data_files(lake):
        assert same_file(lake, expected / "lake", rel), f"{kill}: {rel} is not the undisturbed run's"

    for dataset, files in stage_outputs(expected / "lake", stage, day).items():
        status = latest_status(lake, stage, dataset, day)
        assert status in (None, "running", "success"), f"{kill}: {stage}/{dataset} recorded {status!r}"
        mark = watermark(lake, stage, dataset)
        if status == "success" or (mark is not None and mark >= day):
            assert not differences(lake, expected / "lake", files), (
                f"{kill}: {stage}/{dataset} says done (record {status}, watermark {mark}) before its data"
            )
            if stage == "kpi":
                assert kpi_rows(settings, day) == kpi_rows(world.settings(expected), day)
    if stage == "kpi":  # one transaction: the whole day or none of it
        assert kpi_rows(settings, day) in (kpi_rows(world.settings(start), day), kpi_rows(world.settings(expected), day))
    else:
        assert kpi_rows(settings, day) == kpi_rows(world.settings(start), day)


def check_like_undisturbed(world: DrillWorld, stage: str, case: Path, settings) -> None:
    day = world.day
    expected = world.snapshots[stage]
    lake = case / "lake"
    assert_only_whole_files_visible(lake)
    assert differences(lake, expected / "lake") == []
    assert kpi_rows(settings, day) == kpi_rows(world.settings(expected), day)
    for dataset in stage_outputs(expected / "lake", stage, day):
        assert latest_status(lake, stage, dataset, day) == latest_status(expected / "lake", stage, dataset, day)
        assert watermark(lake, stage, dataset) == watermark(expected / "lake", stage, dataset)
    assert not list((lake / "metadata" / "locks").glob("*.lock")), "the rerun left a lock behind"


@pytest.mark.parametrize("stage", ["extract", "transform", "profit", "kpi"])
def test_a_stage_killed_at_random_points_reruns_to_the_undisturbed_result(drill_world, stage, tmp_path):
    world = drill_world
    day = world.day.isoformat()
    cases = []
    for i, kill in enumerate(kill_points(stage, world.writes[stage])):
        case = world.copy_state(world.stage_before(stage), tmp_path / f"case{i}")
        settings = world.settings(case)
        write_point = kill if kill.startswith("write:") else None
        run = start_cli(["run", "--date", day, "--stages", stage], settings, case / "cli", "killed", write_point)
        cases.append((kill, case, settings, run))
    for kill, case, settings, run in cases:
        code = run.kill_after(float(kill.split(":")[1])) if kill.startswith("time:") else run.wait()
        check_after_kill(world, stage, case, settings, kill, code)

    for kill, case, settings, _run in cases:
        if kill.startswith("time:") and stage == "profit":  # the operator's way: the same command again
            # (the killed run's lock is taken over)
            rerun = start_cli(["run", "--date", day, "--stages", stage], settings, case / "cli", "rerun")
            assert rerun.wait() == 0, rerun.stderr_lines()
        else:
            results = run_days(settings, open_lake(settings.data_lake_root, 0), [world.day], [stage])
            assert all(r.ok for r in results)
        check_like_undisturbed(world, stage, case, settings)


def test_mirror_killed_mid_transaction_keeps_the_previous_copy_and_reruns_to_the_source(
    drill_world, supabase_db, tmp_path
):
    world = drill_world
    day = world.day
    case = world.copy_state("kpi", tmp_path / "case")
    settings = world.settings(case, supabase_db_url=Secret(supabase_db))
    lake = open_lake(settings.data_lake_root, 0)
    source = kpi_rows(settings, day, clock=True)
    assert sum(map(len, source.values())) > 0
    run_days(settings, lake, [day], ["mirror"])  # creates the mirror tables (migrations)
    with counting_sql() as counter:  # a run like the ones killed below
        run_days(settings, lake, [day], ["mirror"])
    assert mirror_rows(supabase_db, day) == source
    runs_dir = case / "lake" / "metadata" / "runs" / "mirror" / "mirror" / day.isoformat()
    rng = random.Random("drill-kill-mirror")
    kills = [f"sql:{n}" for n in sorted(rng.sample(range(1, counter["sql"] + 1), k=2))]
    kills += ["write:3", f"time:{rng.uniform(0.4, 2.0):.2f}"]  # after the commit, before the record

    import psycopg

    for i, kill in enumerate(kills):
        # A previous copy that differs from the source, so "old" and "new" can be told apart.
        with psycopg.connect(supabase_db, autocommit=True) as conn:
            conn.execute("UPDATE public.sales_kpi_daily SET lines = lines + 1000 WHERE data_date = %s", (day,))
        previous = mirror_rows(supabase_db, day)
        assert previous != source
        records_before = set(runs_dir.glob("*.json"))
        point = None if kill.startswith("time:") else kill
        run = start_cli(["run", "--date", day.isoformat(), "--stages", "mirror"], settings, case / "cli", f"k{i}", point)
        code = run.kill_after(float(kill.split(":")[1])) if kill.startswith("time:") else run.wait()
        assert code in ((SIGKILLED, 0) if kill.startswith("time:") else (SIGKILLED,)), f"{kill}: exit {code}"
        after_kill = mirror_rows(supabase_db, day)
        assert after_kill in (previous, source), f"{kill}: Supabase holds a mix of two copies"
        # The killed run's own record (if it got to write one) never vouches for data not there.
        records = [json.loads(p.read_text()) for p in set(runs_dir.glob("*.json")) - records_before]
        assert len(records) <= 1 and all(r["status"] in ("running", "success") for r in records), kill
        if records and records[0]["status"] == "success":
            assert after_kill == source

        results = run_days(settings, lake, [day], ["mirror"])
        assert [r.status for r in results] == ["success"]
        assert mirror_rows(supabase_db, day) == source
        assert kpi_rows(settings, day, clock=True) == source


# ---------------------------------------------------------------- the intraday refresh, killed

INTRADAY_DAY = date(2026, 11, 20)
INTRADAY_PREVIOUS = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # the 10:00 WIB refresh
INTRADAY_NEXT = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)  # the 10:30 WIB one, killed
INTRADAY_ARGS = ["run", "--date", "today", "--intraday"]


def sales_rows_without_clock(settings) -> dict[str, list[str]]:
    """The sales KPI rows of the intraday day, without updated_at and as_of (a run's own clock)."""
    from functions.kpi.store import open_store
    from functions.kpi.tables import BY_NAME
    from tests.fixtures.drills import canonical_rows

    found = {}
    with open_store(settings) as store:
        for name in ("sales_kpi_daily", "sales_kpi_daily_by_product", "sales_kpi_hourly"):
            table = BY_NAME[name]
            rows = store.query_dicts(table.store_select_day, {"day": INTRADAY_DAY}) if store.table_exists(name) else []
            found[name] = canonical_rows(table, [{**r, "as_of": None} for r in rows], clock=False)
    return found


@pytest.fixture(scope="module")
def intraday_world(tmp_path_factory):
    """A live simulator (today's orders appear as the clock moves), the state after the 10:00 refresh
    ("previous") and after an undisturbed 10:30 one ("next"), with the renames the latter made."""
    from functions.demo import demo_settings
    from functions.pipeline import INTRADAY_TARGETS, STAGES
    from shared import clock
    from shared.odoo_sim import OdooSimulator, SimConfig
    from tests.fixtures.drills import counting_writes

    base = tmp_path_factory.mktemp("drill-intraday")
    config = SimConfig(seed=23, lines_per_day=400, days=2, end_day=INTRADAY_DAY, purchase_history_days=10,
                       latency_s=0.01, live=True)  # fmt: skip
    with OdooSimulator(config) as sim:
        work = base / "work"
        settings = demo_settings(str(work / "lake"), sim.port, kpi_duckdb_path=str(work / "kpi.duckdb"),
                                 local_versions_days=0, odoo_timeout=5.0, odoo_max_retries=2)  # fmt: skip
        lake = open_lake(settings.data_lake_root, 0)
        with clock.frozen(INTRADAY_PREVIOUS):
            run_days(settings, lake, [INTRADAY_DAY], STAGES, INTRADAY_TARGETS, intraday=True)
        shutil.copytree(work, base / "previous")
        with clock.frozen(INTRADAY_NEXT), counting_writes() as counter:
            run_days(settings, lake, [INTRADAY_DAY], STAGES, INTRADAY_TARGETS, intraday=True)
        shutil.copytree(work, base / "next")
        yield sim, base, counter["writes"]


def intraday_case(base: Path, case: Path, sim):
    from functions.demo import demo_settings

    shutil.copytree(base / "previous", case)
    return demo_settings(str(case / "lake"), sim.port, kpi_duckdb_path=str(case / "kpi.duckdb"),
                         local_versions_days=0, odoo_timeout=5.0, odoo_max_retries=2)  # fmt: skip


def test_an_intraday_refresh_killed_midway_leaves_the_previous_refresh_intact(intraday_world, tmp_path, monkeypatch):
    from functions.pipeline import INTRADAY_TARGETS, STAGES
    from shared import clock
    from shared.metadata import Metadata

    sim, base, writes = intraday_world
    previous, following = base / "previous", base / "next"
    previous_settings = intraday_case(base, tmp_path / "ref-previous", sim)
    next_settings = intraday_case(base, tmp_path / "ref-next", sim)
    shutil.rmtree(tmp_path / "ref-next")
    shutil.copytree(following, tmp_path / "ref-next")
    before_rows, after_rows = sales_rows_without_clock(previous_settings), sales_rows_without_clock(next_settings)
    assert before_rows != after_rows, "the 10:30 refresh must differ from the 10:00 one for this drill to mean anything"
    marks = Metadata(open_lake(str(previous / "lake"), 0)).watermarks()

    # The child's clock: 10:30 WIB (it counts on from its first read); the simulator, here, stays at 10:30.
    monkeypatch.setenv("NKPIPE_NOW", INTRADAY_NEXT.isoformat())
    monkeypatch.delenv("NKPIPE_NOW_SET_AT", raising=False)
    rng = random.Random("drill-kill-intraday")
    kills = ["write:1", *(f"write:{n}" for n in sorted(rng.sample(range(2, writes + 1), k=2))),
             f"time:{rng.uniform(0.4, 2.5):.2f}"]  # fmt: skip
    with clock.frozen(INTRADAY_NEXT):
        for i, kill in enumerate(kills):
            case = tmp_path / f"case{i}"
            settings = intraday_case(base, case, sim)
            run = start_cli(INTRADAY_ARGS, settings, case / "cli", "killed", kill if kill.startswith("write:") else None)
            code = run.kill_after(float(kill.split(":")[1])) if kill.startswith("time:") else run.wait()
            assert code in ((SIGKILLED, 0) if kill.startswith("time:") else (SIGKILLED,)), f"{kill}: exit {code}"
            lake_dir = case / "lake"
            assert_only_whole_files_visible(lake_dir)
            # every partition a reader sees is the 10:00 refresh's or the 10:30 one's, whole
            for rel in data_files(lake_dir):
                assert same_file(lake_dir, previous / "lake", rel) or same_file(lake_dir, following / "lake", rel), (
                    f"{kill}: {rel} is neither refresh's"
                )
            # the provisional KPI rows: the previous refresh's or the new one's, never a mix
            rows = sales_rows_without_clock(settings)
            assert rows in (before_rows, after_rows), f"{kill}: the sales KPI rows are a mix"
            lake = open_lake(str(lake_dir), 0)
            last = Metadata(lake).last_intraday()
            if code == SIGKILLED:  # not finished: health and the dashboard still see the 10:00 refresh
                assert last["as_of"] == INTRADAY_PREVIOUS.isoformat(), kill
            assert Metadata(lake).watermarks() == marks, f"{kill}: a watermark moved"

            # the same refresh again (the next 30-minute tick) takes the dead run's locks over
            results = run_days(settings, lake, [INTRADAY_DAY], STAGES, INTRADAY_TARGETS, intraday=True)
            assert all(r.ok and r.provisional for r in results)
            assert differences(lake_dir, following / "lake") == []
            assert sales_rows_without_clock(settings) == after_rows
            assert Metadata(lake).last_intraday()["as_of"] == INTRADAY_NEXT.isoformat()
            assert not list((lake_dir / "metadata" / "locks").glob("*.lock")), "the rerun left a lock behind"
