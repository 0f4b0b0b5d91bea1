"""shared/lineage.py: recorded input stamps against the inputs as they are now."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from shared import lineage
from shared.lake import TableSpec, open_lake
from shared.metadata import Metadata

D = date(2026, 11, 20)
SPEC = TableSpec("star-schema", "fact_x", pa.schema([("date", pa.date32()), ("v", pa.int64())]))


def write(lake, value: int) -> None:
    lake.write_partition(SPEC, D, pa.table({"date": [D], "v": [value]}, schema=SPEC.schema))


def run_with(metadata: Metadata, stage: str, dataset: str, inputs: dict[str, str]) -> str:
    rec = metadata.start(stage, dataset, D)
    extra: dict = {}
    lineage.attach(extra, inputs)
    metadata.finish(rec, extra=extra)
    return rec.run_id


def test_a_rewritten_input_makes_the_output_stale_a_removed_one_does_not(tmp_path):
    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    write(lake, 1)
    run_with(metadata, "profit", "profit", lineage.input_stamps(lake, [SPEC], D))
    assert lineage.stale_outputs(lake) == []
    write(lake, 2)
    [stale] = lineage.stale_outputs(lake)
    assert (stale.stage, stale.day, stale.changed) == ("profit", D, (lake.partition_key(SPEC, D),))
    assert stale.describe() == "1 input(s) changed since it ran: star-schema/fact_x"
    lake.delete_partition(SPEC, D)  # gone (a purge, retention): nothing newer to recompute from
    assert lineage.stale_outputs(lake) == []


def test_the_mirror_is_stale_once_the_kpi_rows_it_copied_are_rewritten(tmp_path):
    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    first_kpi = run_with(metadata, "kpi", "kpi", {})
    run_with(metadata, "mirror", "mirror", lineage.run_input("kpi", "kpi", D, first_kpi))
    assert lineage.stale_outputs(lake) == []
    failed = metadata.start("kpi", "kpi", D)
    metadata.fail(failed, "TiDB down")  # a failed rerun wrote nothing: the mirror still has the rows
    assert lineage.stale_outputs(lake) == []
    run_with(metadata, "kpi", "kpi", {})
    assert [(s.stage, s.changed) for s in lineage.stale_outputs(lake)] == [("mirror", ("run:kpi/kpi/2026-11-20",))]


def test_all_partitions_up_to_a_day_are_one_input_that_changes_with_any_of_them(tmp_path):
    from datetime import timedelta

    lake = open_lake(str(tmp_path))
    metadata = Metadata(lake)
    for offset in range(3):
        day = D - timedelta(days=offset)
        lake.write_partition(SPEC, day, pa.table({"date": [day], "v": [offset]}, schema=SPEC.schema))
    inputs = lineage.range_input(SPEC, D - timedelta(days=1), lineage.partition_stamps(lake, SPEC))
    assert list(inputs) == ["star-schema/fact_x/date<=2026-11-19"]
    run_with(metadata, "profit", "profit", inputs)
    write(lake, 9)  # a day after the range: not an input
    assert lineage.stale_outputs(lake) == []
    earlier = D - timedelta(days=2)
    lake.write_partition(SPEC, earlier, pa.table({"date": [earlier], "v": [7]}, schema=SPEC.schema))
    [stale] = lineage.stale_outputs(lake)
    assert stale.describe() == "1 input(s) changed since it ran: star-schema/fact_x"
