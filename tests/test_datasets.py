"""The dataset registry: one entry per target, and it agrees with the pipeline and Terraform."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import hcl2
import pytest
from hcl2 import SerializationOptions

from functions.datasets import DATASETS, dataset
from functions.extract import pos, raw_spec
from functions.pipeline import PIPELINES, TARGETS
from functions.recovery import target_tables
from shared.errors import InputError
from shared.schemas import PROFIT_OUTPUTS

LOCALS_TF = Path(__file__).resolve().parents[1] / "infra" / "terraform" / "locals.tf"
D = date(2026, 11, 20)


@pytest.fixture(scope="module")
def terraform_locals() -> dict:
    with LOCALS_TF.open() as handle:
        parsed = hcl2.load(handle, serialization_options=SerializationOptions(strip_string_quotes=True))
    merged: dict = {}
    for block in parsed["locals"]:
        merged.update(block)
    return merged


def test_the_registry_lists_the_pipeline_targets_in_order():
    assert tuple(d.name for d in DATASETS) == TARGETS


def test_every_dataset_owns_its_raw_table_and_a_table_per_layer_at_most_once():
    for ds in DATASETS:
        assert raw_spec(ds.raw) in ds.tables, ds.name
        names = [str(spec) for spec in ds.tables]
        assert len(names) == len(set(names)), ds.name
    every = [str(spec) for ds in DATASETS for spec in ds.tables]
    assert len(every) == len(set(every)), "a table belongs to one dataset"


def test_every_dataset_has_its_scheduled_nightly_job(terraform_locals):
    schedule = terraform_locals["schedule"]
    scheduled = {row["pipeline"]: job for job, row in schedule.items() if row["function"] == "scheduled_pipeline"}
    for ds in DATASETS:
        assert ds.name in scheduled, f"{ds.name}: no Cloud Scheduler job in locals.tf"
        assert PIPELINES[ds.name] == (("extract", "transform"), (ds.name,))
    assert set(scheduled) - {d.name for d in DATASETS} == {"profit", "kpi", "intraday"}


def test_profit_runs_after_the_datasets_it_reads_and_bigquery_sees_every_star_fact(terraform_locals):
    schedule = terraform_locals["schedule"]
    profit_at = schedule["profit"]["at"]
    feeding = [ds.name for ds in DATASETS if ds.feeds_profit]
    assert feeding == ["pos", "invoice-sales", "purchases"]
    from functions.pipeline import INTRADAY_TARGETS

    assert list(INTRADAY_TARGETS) == feeding, "the intraday refresh runs what profit reads"
    assert all(schedule[name]["at"] < profit_at for name in feeding)
    star = {spec.name for ds in DATASETS for spec in ds.tables_in("star-schema")}
    assert star | {spec.name for spec in PROFIT_OUTPUTS} == set(terraform_locals["star_tables"])


def test_purge_reads_the_registry():
    expected = ["clean/pos_order_lines", "clean/pos_orders", "clean/pos_payments", "raw/pos",
                "star-schema/fact_pos_cash_rounding", "star-schema/fact_pos_payments", "star-schema/fact_sales"]
    assert [str(spec) for spec in target_tables("pos")] == expected


def test_catch_up_scans_the_days_of_the_extract_domains():
    scope = dataset("pos").catchup
    assert scope is not None
    assert scope.domains("Asia/Jakarta", D) == {"pos.order": pos.order_domain(D, "Asia/Jakarta")}
    assert scope.child_models == ("pos.order.line", "pos.payment")
    assert [ds.name for ds in DATASETS if ds.catchup is not None] == [
        "pos", "invoice-sales", "purchases", "inventory-moves"
    ]


def test_an_unknown_target_is_one_clear_error():
    with pytest.raises(InputError, match="unknown target 'sales'; known: pos, invoice-sales"):
        dataset("sales")


def test_the_datasets_table_of_the_docs_matches_the_registry():
    text = (LOCALS_TF.parents[2] / "docs" / "extraction.md").read_text()
    rows = [line for line in text.split("## Datasets", 1)[1].splitlines() if line.startswith("| `")]
    assert rows
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        ds = dataset(cells[0].strip("`"))
        for layer, cell in (("clean", cells[2]), ("star-schema", cells[3])):
            documented = {name.strip(" `") for name in cell.split(",")}
            assert documented == {spec.name for spec in ds.tables_in(layer)}, (ds.name, layer)
