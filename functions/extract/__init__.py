"""Extract stage: Odoo → `raw/`. One module per dataset; this file holds the raw-table helpers and
`run_extract`. The datasets are declared in `functions.datasets` (the registry).

A dataset module (e.g. `functions.extract.pos`) exposes what its `Dataset` entry references:
- `extract(odoo, settings, lake, day) -> dict[str, int]`: fetch everything for business day `day`,
  then write its partition(s) (only after every record is in hand, so a failure midway leaves the
  previous partition untouched); returns raw rows written per model.
- optionally `odoo_figures(odoo, settings, lake, day) -> dict[str, float]` (Odoo's server-side
  aggregates of the day) and `reconcile(odoo, settings, lake, day, figures=None) -> list[Check]` (the
  raw partition against them): every extract run records both; differences make it `unverified`.
- optionally `run_extra(odoo, settings) -> dict`: values its run record keeps in `extra`.

Raw partitions keep what Odoo returned: one row per record, the JSON text as Odoo sent it (`record`),
with its model, id and write_date beside it for lookups without decoding.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from functions.checks import summarise
from functions.runs import Attempt, DatasetRun, Outcome, run_recorded
from shared.lake import as_frame
from shared.lineage import input_stamps
from shared.log import get_logger
from shared.metadata import SUCCESS, UNVERIFIED, StageResult

if TYPE_CHECKING:
    import pyarrow as pa

    from functions.datasets import Dataset
    from shared.config import Settings
    from shared.lake import Lake, TableSpec
    from shared.odoo import OdooClient

log = get_logger(__name__)

STAGE = "extract"

# One encoder for every record (json.dumps with options builds a new one per call). Keys keep the
# order Odoo sent them in, which follows the requested fields: deterministic for the same code.
_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def raw_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("model", pa.string(), nullable=False),
            pa.field("id", pa.int64(), nullable=False),
            pa.field("write_date", pa.string()),
            pa.field("record", pa.string(), nullable=False),
        ]
    )


def raw_spec(dataset: str) -> TableSpec:
    """The raw table of a dataset: `raw/<dataset>/date=D/part-0.parquet`."""
    from shared.lake import TableSpec

    return TableSpec("raw", dataset, raw_schema())


def raw_table(records_by_model: Mapping[str, Iterable[dict]]) -> pa.Table:
    """Odoo records (as returned) → the raw table, rows ordered by model then id."""
    import pyarrow as pa

    models, ids, write_dates, texts = [], [], [], []
    for model in sorted(records_by_model):
        for record in sorted(records_by_model[model], key=lambda r: r["id"]):
            models.append(model)
            ids.append(int(record["id"]))
            write_date = record.get("write_date")
            write_dates.append(write_date if isinstance(write_date, str) else None)
            texts.append(_RECORD_ENCODER.encode(record))
    return pa.table(
        {"model": models, "id": ids, "write_date": write_dates, "record": texts}, schema=raw_schema()
    )


def raw_records(lake: Lake, dataset: str, day: date, model: str) -> list[dict] | None:
    """The records of one model in a raw partition (None when the partition does not exist)."""
    import pyarrow.compute as pc

    table = lake.read_partition(raw_spec(dataset), day)
    if table is None:
        return None
    table = table.filter(pc.equal(table.column("model"), model))
    return [json.loads(text) for text in table.column("record").to_pylist()]


def raw_totals(lake: Lake, dataset: str, day: date, model: str, fields: Sequence[str]) -> dict[str, float] | None:
    """Record count (`__count`) and sums of numeric fields of one model in a raw partition, read
    without decoding every record in Python (None when the partition does not exist)."""
    import polars as pl

    table = lake.read_partition(raw_spec(dataset), day)
    if table is None:
        return None
    frame = as_frame(table.select(["model", "record"])).filter(pl.col("model") == model)
    sums = frame.select(
        [
            pl.col("record").str.json_path_match(f"$.{name}").cast(pl.Float64, strict=False).sum().alias(name)
            for name in fields
        ]
    )
    totals = {name: float(sums[name][0] or 0.0) for name in fields} if fields else {}
    return {"__count": float(frame.height), **totals}


def calls_since(odoo: OdooClient, before: Counter) -> dict[str, int]:
    """Calls made since `before`, as {"model.method": n, "total": n} for a run record."""
    delta = Counter(odoo.calls)
    delta.subtract(before)
    calls = {f"{model}.{method}": n for (model, method), n in sorted(delta.items()) if n > 0}
    calls["total"] = sum(calls.values())
    return calls


def run_extract(
    settings: Settings,
    lake: Lake,
    day: date,
    targets: Sequence[str],
    odoo: OdooClient | None = None,
    run_id: str | None = None,
) -> list[StageResult]:
    """Extract each target for business day `day` into raw/, one run record per target.

    Connects to Odoo when `odoo` is None (and closes that connection). Raises the first failure after
    recording it; the targets before it keep their results, its watermark does not move.
    """
    # the registry sits above this package (it imports every dataset module, which imports this one)
    from functions.datasets import dataset

    datasets = [dataset(target) for target in targets]
    own_client = odoo is None
    client = odoo
    if client is None:
        from shared.odoo import connect

        client = connect(settings)
    try:
        runs = [extract_run(settings, lake, day, ds, client) for ds in datasets]
        return run_recorded(lake, STAGE, day, runs, run_id)
    finally:
        if own_client:
            client.close()


def extract_run(settings: Settings, lake: Lake, day: date, ds: Dataset, odoo: OdooClient) -> DatasetRun:
    """The work of extracting one target: its raw partition, then its reconciliation against Odoo."""
    def work(attempt: Attempt) -> Outcome:
        before = Counter(odoo.calls)
        attempt.count_calls(lambda: calls_since(odoo, before))
        from functions.extract.companies import check_companies

        check_companies(odoo, settings)  # one company only, or a clear error before anything is read
        rows = ds.extract(odoo, settings, lake, day)
        extra: dict[str, Any] = {"server_version": odoo.server_version}
        if ds.run_extra is not None:  # what a dataset adds to its run record (e.g. the cost field used)
            extra.update(ds.run_extra(odoo, settings))
        message, status = "", SUCCESS
        if ds.reconcile is not None and ds.odoo_figures is not None:
            figures = ds.odoo_figures(odoo, settings, lake, day)
            extra["odoo"] = figures  # the transform's star checks reuse these: no second read_group
            # ...for this very raw partition only (a restore or a later write puts another one there)
            extra["odoo_raw_stamps"] = input_stamps(lake, ds.tables_in("raw"), day)
            extra["reconciliation"] = summarise(ds.reconcile(odoo, settings, lake, day, figures))
            if not extra["reconciliation"]["ok"]:
                from functions.verification import OPEN_DAY_NOTE, status_for

                message = "reconciliation: " + "; ".join(extra["reconciliation"]["differences"])
                status = status_for(extra["reconciliation"]["differences"], day, settings.business_tz)
                if status == UNVERIFIED:
                    extra["differences"] = extra["reconciliation"]["differences"]
                else:
                    message += f" [{OPEN_DAY_NOTE}]"
                log.warning("extract %s %s %s", ds.name, day, message)
        # unverified data is kept (it is usually right) and moves the watermark: the day is flagged, not lost
        return Outcome(rows=rows, status=status, message=message, extra=extra)

    return DatasetRun(ds.name, work)


__all__ = [
    "STAGE",
    "calls_since",
    "extract_run",
    "raw_records",
    "raw_totals",
    "raw_spec",
    "raw_table",
    "run_extract",
]
