"""validate-profit: passes on a correct day, fails on each kind of damage, warns on unmapped taxes."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from functions.cli import main
from functions.profit import run_profit
from functions.profit.validate import check_exclusions, inconsistent_uom_factors, validate_day
from shared.config import Settings
from shared.lake import Lake, open_lake
from shared.schemas import (
    DIM_PRODUCTS,
    DIM_TAXES,
    DIM_UOMS,
    FACT_INVOICE_SALES,
    FACT_PRODUCT_COST_EVENTS,
    FACT_PRODUCT_COST_LATEST_DAILY,
    FACT_PURCHASES,
    FACT_SALES,
    FACT_SALES_LINES_PROFIT,
)
from tests.test_profit_stage import invoice_line, pos_line, purchase, put, rows_table

D = date(2026, 3, 10)
SETTINGS = Settings()


def build_lake(root) -> Lake:
    lake = open_lake(str(root))
    lake.write_table(
        DIM_UOMS,
        rows_table(
            DIM_UOMS,
            [
                {"uom_id": 1, "name": "Units", "category_id": 1, "factor": 1.0, "uom_type": "reference"},
                {"uom_id": 2, "name": "Dozens", "category_id": 1, "factor": 1 / 12, "uom_type": "bigger"},
            ],
        ),
    )
    lake.write_table(
        DIM_PRODUCTS,
        rows_table(
            DIM_PRODUCTS, [{"product_id": p, "name": f"P{p}", "uom_id": 1, "active": True} for p in (1, 2, 3)]
        ),
    )
    lake.write_table(
        DIM_TAXES,
        rows_table(
            DIM_TAXES,
            [
                {
                    "tax_id": 7,
                    "name": "PPN 11% purchase",
                    "amount": 11.0,
                    "type_tax_use": "purchase",
                    "active": True,
                },
                {
                    "tax_id": 9,
                    "name": "PPN 12% purchase",
                    "amount": 12.0,
                    "type_tax_use": "purchase",
                    "active": True,
                },
                {"tax_id": 1, "name": "PPN 11% sale", "amount": 11.0, "type_tax_use": "sale", "active": True},
            ],
        ),
    )
    put(
        lake,
        FACT_PURCHASES,
        D - timedelta(days=30),
        [purchase(D - timedelta(days=30), 1, 1, 1, 120_000.0, tax=7, uom=2)],
    )
    put(
        lake,
        FACT_PURCHASES,
        D,
        [
            purchase(D, 2, 2, 2, 5_000.0, tax=9),  # tax 9 is not in the map: multiplier 1.0, and a warning
            purchase(D, 2, 3, 2, 0.0),  # bonus line
            {**purchase(D, 3, 4, 2, 6_000.0, qty=-1.0), "move_type": "in_refund"},
        ],
    )
    put(lake, FACT_SALES, D, [pos_line(D, 10, 1, 1, 2.0, 30_000.0), pos_line(D, 11, 2, 3, 1.0, 9_000.0)])
    put(lake, FACT_INVOICE_SALES, D, [invoice_line(D, 10, 1, 2, 4.0, 28_000.0)])
    assert run_profit(SETTINGS, lake, D).status == "success"
    return lake


def cli(lake: Lake, tmp_path, *extra: str) -> int:
    return main(
        [
            "validate-profit",
            "--date",
            D.isoformat(),
            "--lake",
            lake.url,
            "--env-file",
            str(tmp_path / "none.env"),
            *extra,
        ]
    )


def test_correct_day_passes_and_writes_samples(tmp_path, capsys):
    lake = build_lake(tmp_path / "lake")
    code = cli(lake, tmp_path, "--samples", str(tmp_path / "samples"))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "result: ok" in out
    # The unmapped purchase tax is named with its rate, as a warning only.
    assert "WARN" in out and "9 PPN 12% purchase 12% on 1 bill line(s) of the day" in out
    files = sorted(p.name for p in (tmp_path / "samples" / D.isoformat()).iterdir())
    assert {
        "multipliers.csv",
        "exclusions.csv",
        "line_costs.csv",
        "aggregates_daily.csv",
        "views.csv",
    } <= set(files)
    lines = pl.read_csv(tmp_path / "samples" / D.isoformat() / "line_costs.csv")
    assert lines.height == 3 and lines["ok"].all()


def damage(lake: Lake, spec, change) -> None:
    frame = pl.from_arrow(lake.read_partition(spec, D))
    lake.write_partition(spec, D, change(frame))


@pytest.mark.parametrize(
    ("spec", "change", "failing"),
    [
        # a line's COGS off by one rupiah and a half
        (
            FACT_SALES_LINES_PROFIT,
            lambda f: f.with_columns(pl.col("cogs_tax_in") + 1.5 * (pl.col("line_id") == 1)),
            "line_costs",
        ),
        # a line quietly without cost and without the flag
        (
            FACT_SALES_LINES_PROFIT,
            lambda f: f.with_columns(pl.lit(False).alias("cost_missing")),
            "line_costs",
        ),
        # a line lost
        (FACT_SALES_LINES_PROFIT, lambda f: f.head(2), "views"),
        # the 1.11 multiplier not applied
        (
            FACT_PRODUCT_COST_LATEST_DAILY,
            lambda f: f.with_columns(
                pl.lit(1.0).alias("tax_multiplier"),
                (pl.col("actual_price") * pl.col("uom_ratio")).alias("unit_cost_tax_in"),
            ),
            "multipliers",
        ),
        # the bonus line let in as a cost event
        (
            FACT_PRODUCT_COST_EVENTS,
            lambda f: pl.concat([f, f.with_columns(pl.lit(3, dtype=pl.Int64).alias("line_id"))]),
            "exclusions",
        ),
    ],
)
def test_each_kind_of_damage_fails(tmp_path, spec, change, failing):
    lake = build_lake(tmp_path / "lake")
    damage(lake, spec, change)
    checks = {c.name: c for c in validate_day(SETTINGS, lake, D)}
    failed = {name for name, c in checks.items() if not c.ok}
    assert failing in failed


def test_multiplier_check_catches_a_missing_multiplier(tmp_path):
    lake = build_lake(tmp_path / "lake")
    # Reprice the day under another map, then validate under the configured one: every taxed row differs.
    run_profit(SETTINGS.replace(tax_multipliers={7: 1.0}), lake, D)
    checks = {c.name: c for c in validate_day(SETTINGS, lake, D)}
    assert not checks["multipliers"].ok
    assert not checks["line_costs"].ok  # the SQL recomputation uses 1.11 for tax 7
    assert checks["aggregates_daily"].ok  # still the sum of its (wrong) lines


def test_aggregate_not_matching_its_lines_fails(tmp_path, capsys):
    lake = build_lake(tmp_path / "lake")
    from shared.schemas import AGG_PROFIT_DAILY

    damage(lake, AGG_PROFIT_DAILY, lambda f: f.with_columns(pl.col("transactions") + 1))
    assert cli(lake, tmp_path) == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out and "aggregates_daily" in captured.err


def test_missing_outputs_fail_with_a_hint(tmp_path, capsys):
    lake = build_lake(tmp_path / "lake")
    code = main(
        [
            "validate-profit",
            "--date",
            (D - timedelta(days=1)).isoformat(),
            "--lake",
            lake.url,
            "--env-file",
            str(tmp_path / "none.env"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "run `nkpipe run --stages profit --date 2026-03-09`" in out


def test_bad_date_is_an_input_error(tmp_path, capsys):
    code = main(
        [
            "validate-profit",
            "--date",
            "2026-02-30",
            "--lake",
            str(tmp_path),
            "--env-file",
            str(tmp_path / "none.env"),
        ]
    )
    assert code == 2
    assert "bad date" in capsys.readouterr().err


def test_check_exclusions_by_hand():
    purchases = pl.DataFrame(
        {
            "date": [D] * 3,
            "move_id": [1, 1, 2],
            "line_id": [1, 2, 3],
            "move_type": ["in_invoice", "in_invoice", "in_refund"],
            "product_id": [5, 5, 5],
            "quantity": [1.0, 1.0, -1.0],
            "actual_price": [10.0, 0.0, 10.0],
        }
    )
    events = pl.DataFrame({"move_id": [1, 2], "line_id": [1, 3]})
    rows = check_exclusions(purchases, events)
    assert rows.select("line_id", "eligible", "in_events", "ok").rows() == [
        (1, True, True, True),
        (2, False, False, True),
        (3, False, True, False),
    ]


def test_inconsistent_uom_factors():
    uoms = pl.DataFrame(
        {
            "uom_id": [1, 2, 3],
            "name": ["Units", "Dozens", "g"],
            "uom_type": ["reference", "bigger", "smaller"],
            "factor": [1.0, 12.0, 1000.0],
        }
    )
    assert inconsistent_uom_factors(uoms)["uom_id"].to_list() == [2]


def test_dry_run_through_the_run_verb_changes_nothing(tmp_path, capsys):
    lake = build_lake(tmp_path / "lake")
    before = {k: lake.store.get(k) for k in lake.store.list("")}
    code = main(
        [
            "run",
            "--date",
            D.isoformat(),
            "--stages",
            "profit",
            "--dry-run",
            "--lake",
            lake.url,
            "--env-file",
            str(tmp_path / "none.env"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "dry run" in out
        and "write  star-schema/fact_sales_lines_profit/date=2026-03-10/part-0.parquet" in out
    )
    assert {k: lake.store.get(k) for k in lake.store.list("")} == before


def test_invoice_line_in_another_unit_is_a_warning(tmp_path):
    lake = build_lake(tmp_path / "lake")
    put(lake, FACT_INVOICE_SALES, D, [{**invoice_line(D, 10, 1, 2, 4.0, 28_000.0), "uom_id": 2}])
    run_profit(SETTINGS, lake, D)
    checks = {c.name: c for c in validate_day(SETTINGS, lake, D)}
    assert checks["sales_uom"].warning
    assert checks["sales_uom"].rows.select("move_id", "line_id", "uom_id", "product_uom_id").rows() == [
        (10, 1, 2, 1)
    ]
    assert all(c.ok for c in checks.values())
