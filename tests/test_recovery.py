"""purge, reset and restore on a local lake and on a GCS emulator lake (rebuild: tests/test_rebuild.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from functions.cli import main
from functions.recovery import (
    find_table,
    parse_age,
    parse_layers,
    plan_purge,
    reset_watermarks,
    restore_partition,
    target_tables,
)
from shared import clock
from shared.errors import InputError, NotFoundError
from shared.lake import Lake, open_lake
from shared.metadata import Metadata
from shared.schemas import AGG_PROFIT_DAILY, FACT_INVOICE_SALES, FACT_SALES
from tests.fixtures.runs import track

D1, D2, D3 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)


def empty_frame(spec, day):
    """A one-row frame of nulls (date set) that fits any spec."""
    import pyarrow as pa

    arrays = [
        pa.array([day], pa.date32()) if f.name == "date" else pa.nulls(1, f.type) for f in spec.schema
    ]
    return pa.Table.from_arrays(arrays, schema=spec.schema)


def fill(lake: Lake, targets=("pos", "invoice-sales"), days=(D1, D2, D3)) -> None:
    for target in targets:
        for spec in target_tables(target):
            if spec.partitioned:
                for day in days:
                    lake.write_partition(spec, day, spec.schema.empty_table())
    for day in days:
        lake.write_partition(AGG_PROFIT_DAILY, day, empty_frame(AGG_PROFIT_DAILY, day))


@pytest.fixture(params=["local", "gcs"])
def lake(request, tmp_path) -> Lake:
    if request.param == "local":
        return open_lake(str(tmp_path / "lake"))
    bucket = request.getfixturevalue("gcs_bucket")
    return open_lake(f"{bucket.root_url}/lake")


def test_target_tables_cover_every_layer():
    names = {str(s) for s in target_tables("pos")}
    assert {"raw/pos", "star-schema/fact_sales", "star-schema/fact_pos_payments"} <= names
    assert any(n.startswith("clean/") for n in names)
    assert "star-schema/fact_invoice_sales" not in names


def test_parsing_refusals():
    with pytest.raises(InputError, match="--layers is required"):
        parse_layers("")
    with pytest.raises(InputError, match="unknown layer 'gold'"):
        parse_layers("raw,gold")
    assert parse_layers("star,raw,star") == ("star-schema", "raw")
    with pytest.raises(InputError, match="bad age"):
        parse_age("90")
    assert parse_age("90d").days == 90 and parse_age("2w").days == 14
    with pytest.raises(InputError, match="unknown table"):
        find_table("fact_nothing")
    assert find_table("fact_sales") == FACT_SALES


def test_purge_deletes_exactly_the_named_partitions(lake):
    fill(lake)
    plan = plan_purge(lake, ["pos"], ["star-schema"], start=D2, end=D2)
    assert sorted(plan.keys) == [
        "star-schema/fact_pos_cash_rounding/date=2026-10-02/part-0.parquet",
        "star-schema/fact_pos_payments/date=2026-10-02/part-0.parquet",
        "star-schema/fact_sales/date=2026-10-02/part-0.parquet",
    ]
    with pytest.raises(InputError, match="no targets given"):
        plan_purge(lake, [], ["raw"])


def test_purge_cli_dry_run_changes_nothing_then_yes_deletes(lake, capsys):
    fill(lake)
    before = lake.store.list("")
    code = main(["purge", "--targets", "pos", "--layers", "raw,star", "--from", "2026-10-02", "--lake", lake.url])
    out = capsys.readouterr().out
    assert code == 0 and "dry run: 8 object(s) would be deleted" in out
    assert lake.store.list("") == before
    code = main(["purge", "--targets", "pos", "--layers", "raw,star", "--from", "2026-10-02", "--yes", "--lake", lake.url])
    assert code == 0
    assert lake.list_dates(FACT_SALES) == [D1]
    assert lake.list_dates(FACT_INVOICE_SALES) == [D1, D2, D3]  # another target: untouched
    assert lake.list_dates(AGG_PROFIT_DAILY) == [D1, D2, D3]  # downstream only when asked
    runs = Metadata(lake).runs("ops", "purge")
    assert runs and runs[-1].rows == {"deleted": 8} and runs[-1].extra["by"]


def test_purge_with_downstream_includes_profit_outputs(lake):
    fill(lake)
    plan = plan_purge(lake, ["pos"], ["star-schema"], start=D3, end=D3, with_downstream=True)
    assert "star-schema/agg_profit_daily/date=2026-10-03/part-0.parquet" in plan.keys


def test_purge_refuses_without_targets(lake, capsys):
    code = main(["purge", "--layers", "star", "--yes", "--lake", lake.url])
    assert code == 2
    assert "no targets given" in capsys.readouterr().err


def test_raw_retention_older_than(tmp_path, capsys):
    lake = open_lake(str(tmp_path / "lake"))
    old, recent = date(2020, 1, 1), clock.now().date()
    fill(lake, targets=("pos",), days=(old, recent))
    code = main(["purge", "--layers", "raw", "--older-than", "90d", "--yes", "--lake", lake.url])
    assert code == 0
    from functions.extract import raw_spec

    assert lake.list_dates(raw_spec("pos")) == [recent]
    assert lake.list_dates(FACT_SALES) == [old, recent]  # retention touches raw only


def test_reset_moves_watermarks_back_and_records_who(lake, capsys, monkeypatch):
    monkeypatch.setenv("NKPIPE_OPERATOR", "ops-ani")
    meta = Metadata(lake)
    meta.set_watermark("extract", "pos", D3)
    meta.set_watermark("transform", "pos", D3)
    meta.set_watermark("extract", "purchases", D1)
    assert main(["reset", "--to", "2026-10-02", "--lake", lake.url]) == 0
    assert "dry run" in capsys.readouterr().out
    assert meta.get_watermark("extract", "pos") == D3
    assert main(["reset", "--to", "2026-10-02", "--yes", "--lake", lake.url]) == 0
    assert meta.get_watermark("extract", "pos") == D1
    assert meta.get_watermark("transform", "pos") == D1
    assert meta.get_watermark("extract", "purchases") == D1  # already before D: untouched
    record = meta.runs("ops", "reset")[-1]
    assert record.extra["by"] == "ops-ani" and record.rows == {"watermarks": 2}
    assert reset_watermarks(lake, D2) == {}


def frame_with_amount(day, amount):
    return pl.from_arrow(empty_frame(AGG_PROFIT_DAILY, day)).with_columns(revenue_tax_in=pl.lit(amount))


def test_restore_after_a_bad_rerun_local(tmp_path, capsys):
    lake = open_lake(str(tmp_path / "lake"))
    lake.write_partition(AGG_PROFIT_DAILY, D1, frame_with_amount(D1, 100.0))
    lake.write_partition(AGG_PROFIT_DAILY, D1, frame_with_amount(D1, -1.0))  # the bad rerun
    assert main(["restore", "--table", "agg_profit_daily", "--date", "2026-10-01", "--lake", lake.url]) == 0
    assert lake.read_partition(AGG_PROFIT_DAILY, D1).column("revenue_tax_in").to_pylist() == [100.0]
    # the restore itself is undoable: the bad copy was kept
    assert len([v for v in lake.partition_versions(AGG_PROFIT_DAILY, D1) if not v.current]) == 2


def test_restore_after_a_bad_rerun_on_versioned_gcs_bucket(gcs_emulator):
    from tests.fixtures.services import gcs_client

    client = gcs_client(gcs_emulator)
    bucket = client.bucket("versioned-lake")
    bucket.versioning_enabled = True
    client.create_bucket(bucket)
    lake = open_lake("gs://versioned-lake/p")
    lake.write_partition(AGG_PROFIT_DAILY, D1, frame_with_amount(D1, 100.0))
    lake.write_partition(AGG_PROFIT_DAILY, D1, frame_with_amount(D1, -1.0))
    info = restore_partition(lake, AGG_PROFIT_DAILY, D1)
    assert info["key"].endswith("agg_profit_daily/date=2026-10-01/part-0.parquet")
    assert lake.read_partition(AGG_PROFIT_DAILY, D1).column("revenue_tax_in").to_pylist() == [100.0]


def test_restore_without_a_previous_copy_is_a_clear_error(lake):
    lake.write_partition(AGG_PROFIT_DAILY, D1, frame_with_amount(D1, 1.0))
    with pytest.raises(NotFoundError, match="no previous version kept"):
        restore_partition(lake, AGG_PROFIT_DAILY, D1)
    with pytest.raises(InputError, match="give --date"):
        restore_partition(lake, AGG_PROFIT_DAILY, None)


def test_local_copies_are_pruned_after_the_configured_days(tmp_path):
    lake = open_lake(str(tmp_path / "lake"), keep_versions_days=0)
    lake.write_partition(AGG_PROFIT_DAILY, D1, frame_with_amount(D1, 1.0))
    lake.write_partition(AGG_PROFIT_DAILY, D1, frame_with_amount(D1, 2.0))
    assert [v.current for v in lake.partition_versions(AGG_PROFIT_DAILY, D1)] == [True]


def test_purge_needs_an_explicit_scope_of_days(lake, capsys):
    fill(lake)
    before = lake.store.list("")
    assert main(["purge", "--targets", "pos", "--layers", "star", "--yes", "--lake", lake.url]) == 2
    assert "name the days" in capsys.readouterr().err
    assert lake.store.list("") == before
    assert main(["purge", "--targets", "pos", "--layers", "star", "--all-dates", "--yes", "--lake", lake.url]) == 0
    assert lake.list_dates(FACT_SALES) == []
    assert lake.list_dates(FACT_INVOICE_SALES) == [D1, D2, D3]


# ---------------------------------------------------------------- restore by version (#17)


def _write_by_run(lake: Lake, day, amount: float) -> str:
    """agg_profit_daily written the way the profit stage writes it: inside its run record."""
    meta = Metadata(lake)
    with track(meta, "profit", "profit", day) as rec:
        lake.write_partition(AGG_PROFIT_DAILY, day, frame_with_amount(day, amount))
    return rec.run_id


def _amount(lake: Lake, day) -> list:
    return lake.read_partition(AGG_PROFIT_DAILY, day).column("revenue_tax_in").to_pylist()


@pytest.fixture(params=["local", "gcs"])
def versioned_lake(request, tmp_path) -> Lake:
    """A lake that keeps replaced copies: local, or a GCS emulator bucket with object versioning."""
    if request.param == "local":
        return open_lake(str(tmp_path / "lake"))
    import uuid

    from tests.fixtures.services import gcs_client

    client = gcs_client(request.getfixturevalue("gcs_emulator"))
    bucket = client.bucket(f"versioned-{uuid.uuid4().hex[:10]}")
    bucket.versioning_enabled = True
    client.create_bucket(bucket)
    return open_lake(f"gs://{bucket.name}/p")


def test_restoring_twice_is_a_no_op_and_going_back_two_is_explicit(versioned_lake, capsys):
    lake = versioned_lake
    from functions.recovery import list_versions

    good = _write_by_run(lake, D1, 100.0)
    _write_by_run(lake, D1, 200.0)
    bad = _write_by_run(lake, D1, -1.0)
    args = ["restore", "--table", "agg_profit_daily", "--date", "2026-10-01", "--lake", lake.url]

    assert main(args) == 0
    assert _amount(lake, D1) == [200.0]
    assert main(args) == 0  # the same restore again: nothing changes
    out = capsys.readouterr().out
    assert "already holds version" in out and "nothing to do" in out
    assert _amount(lake, D1) == [200.0]
    assert len(Metadata(lake).runs("ops", "restore")) == 1

    assert main([*args, "--back", "2"]) == 0
    assert _amount(lake, D1) == [100.0]
    versions = list_versions(lake, AGG_PROFIT_DAILY, D1)
    expected = [f"profit {good}", None, f"profit {bad}", "restore", "restore"]
    result = [v.written_by if not (v.written_by or "").startswith("restore") else "restore" for v in versions]
    assert result[0] == expected[0] and result[2:] == expected[2:]
    assert [v.rows for v in versions] == [1, 1, 1, 1, 1]
    restore_record = Metadata(lake).history("ops", "restore", D1)[-1]
    assert (restore_record.extra["back"], restore_record.extra["table"]) == (2, "star-schema/agg_profit_daily")


def test_restore_list_shows_time_rows_and_the_writing_run(tmp_path, capsys):
    lake = open_lake(str(tmp_path / "lake"))
    first = _write_by_run(lake, D1, 100.0)
    second = _write_by_run(lake, D1, -1.0)
    assert main(["restore", "--table", "agg_profit_daily", "--date", "2026-10-01", "--list", "--lake", lake.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["version", "written", "rows", "bytes", "written", "by", "current", "note"]
    assert f"profit {first}" in lines[2] and "restore goes here" in lines[2] and " WIB " in lines[2]
    assert f"profit {second}" in lines[3] and lines[3].split()[0] == "current"
