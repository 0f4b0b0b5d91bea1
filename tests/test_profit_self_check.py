"""The profit stage's self-check: clean output passes; each broken rule is named; the stage records
an unverified run (data kept, watermark moved) when its output breaks a rule."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from functions.profit.aggregates import daily_aggregate, daily_by_product
from functions.profit.self_check import profit_differences

D = date(2026, 11, 19)


def lines(*rows: dict) -> pl.DataFrame:
    base = {"date": D, "source": "pos", "doc_id": 1, "line_id": 1, "product_id": 7, "quantity": 1.0,
            "revenue_tax_ex": 10.0, "revenue_tax_in": 11.1, "unit_cost_tax_in": 5.0, "cogs_tax_in": 5.0,
            "gross_profit": 6.1, "cost_missing": False}
    return pl.DataFrame([{**base, **row} for row in rows], schema_overrides={"product_id": pl.Int64})


CLEAN = lines(
    {},
    {"line_id": 2, "quantity": -2.0, "revenue_tax_in": -22.2, "cogs_tax_in": -10.0, "gross_profit": -12.2},
    {"line_id": 3, "product_id": None, "unit_cost_tax_in": None, "cogs_tax_in": 0.0, "gross_profit": 11.1,
     "cost_missing": True},
)


def check(frame: pl.DataFrame, sales_lines: int | None = None, daily: pl.DataFrame | None = None) -> list[str]:
    return profit_differences(
        frame, daily_aggregate(frame, D) if daily is None else daily, daily_by_product(frame, D),
        frame.height if sales_lines is None else sales_lines,
    )


def test_clean_output_has_no_differences():
    assert check(CLEAN) == []
    assert check(CLEAN.clear()) == []  # a day without sales: one all-zero aggregate row


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"gross_profit": 99.0}, "profit lines: 1 with gross_profit != revenue_tax_in - cogs_tax_in"),
        ({"cost_missing": True}, "profit lines: 1 with cost_missing and cogs_tax_in != 0"),
        ({"unit_cost_tax_in": 0.0, "cogs_tax_in": 0.0, "gross_profit": 11.1},
         "profit lines: 1 with a known cost that is not positive"),
        ({"cogs_tax_in": -5.0, "gross_profit": 16.1}, "profit lines: 1 whose cogs_tax_in sign differs from the quantity's"),
    ],
)
def test_a_broken_line_rule_is_named(change, expected):
    broken = pl.concat([lines(change), CLEAN.slice(1)], how="vertical_relaxed")
    assert check(broken) == [expected]


def test_lines_lost_and_aggregates_that_differ_from_the_lines_are_named():
    assert check(CLEAN, sales_lines=4) == ["profit lines: 3 vs sales lines 4"]
    daily = daily_aggregate(CLEAN, D).with_columns(pl.col("revenue_tax_in") + 1.0, pl.col("lines") + 1)
    assert check(CLEAN, daily=daily) == [
        "profit agg_profit_daily revenue_tax_in: 1.00 vs lines 0.00",
        "profit agg_profit_daily lines: 4 vs lines 3",
    ]


def test_the_profit_stage_records_an_unverified_run_and_keeps_its_output(tmp_path, monkeypatch):
    from functions.profit import stage
    from shared.config import Settings
    from shared.lake import open_lake
    from shared.metadata import UNVERIFIED, Metadata
    from shared.schemas import AGG_PROFIT_DAILY, FACT_SALES
    from tests.test_profit_stage import pos_line, put

    lake = open_lake(str(tmp_path))
    put(lake, FACT_SALES, D, [pos_line(D, 1, 1, 7, 2.0, 20.0)])
    # a bug in the aggregation: the stage must notice its sums do not equal its lines
    monkeypatch.setattr(stage, "daily_aggregate", lambda frame, day: daily_aggregate(frame, day).with_columns(
        pl.col("revenue_tax_in") * 2))

    result = stage.run_profit(Settings(data_lake_root=str(tmp_path)), lake, D)

    assert result.status == UNVERIFIED and not result.verified and result.ok
    assert result.differences == ["profit agg_profit_daily revenue_tax_in: 40.00 vs lines 20.00"]
    assert Metadata(lake).last_run("profit", "profit", D).extra["differences"] == result.differences
    assert Metadata(lake).get_watermark("profit", "profit") == D
    assert lake.read_partition(AGG_PROFIT_DAILY, D).num_rows == 1
