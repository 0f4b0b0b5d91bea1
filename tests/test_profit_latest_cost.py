"""Latest cost as of a day: same day counts, the future never does, ties, old costs, order of events."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

from functions.profit.latest_cost import LATEST_COLUMNS, latest_cost_asof

D = date(2026, 3, 10)


def events(rows: list[tuple]) -> pl.DataFrame:
    """(date, product_id, move_id, line_id, actual_price) rows."""
    return pl.DataFrame(
        rows,
        schema={
            "date": pl.Date,
            "product_id": pl.Int64,
            "move_id": pl.Int64,
            "line_id": pl.Int64,
            "actual_price": pl.Float64,
        },
        orient="row",
    )


def prices(latest: pl.DataFrame) -> dict[int, float]:
    return dict(zip(latest["product_id"].to_list(), latest["actual_price"].to_list(), strict=True))


def test_same_day_purchase_counts_and_future_never_does():
    frame = events(
        [
            (D - timedelta(days=1), 1, 10, 1, 100.0),
            (D, 1, 11, 1, 110.0),  # bought on the day of the sale: counts
            (D - timedelta(days=2), 2, 12, 1, 200.0),
            (D + timedelta(days=1), 2, 13, 1, 999.0),  # bought the next day: never counts
            (D + timedelta(days=1), 3, 14, 1, 300.0),  # only a future purchase: no cost yet
        ]
    )
    result = latest_cost_asof(frame, D)
    assert prices(result) == {1: 110.0, 2: 200.0}
    assert result.select("product_id", "cost_date").rows() == [(1, D), (2, D - timedelta(days=2))]
    assert result["date"].unique().to_list() == [D]
    assert result.columns == LATEST_COLUMNS


def test_ties_on_one_date_go_to_greatest_move_then_line():
    frame = events(
        [
            (D, 1, 7, 1, 71.0),
            (D, 1, 5, 9, 59.0),  # higher line, lower move: loses
            (D, 2, 3, 3, 33.0),
            (D, 2, 3, 4, 34.0),  # same move, higher line: wins
            (D, 2, None, 99, 0.5),  # a null move sorts lowest
            (D - timedelta(days=1), 1, 99, 99, 9999.0),  # greater move but earlier date: loses
        ]
    )
    result = latest_cost_asof(frame, D)
    assert prices(result) == {1: 71.0, 2: 34.0}
    assert result.select("product_id", "move_id", "line_id").rows() == [(1, 7, 1), (2, 3, 4)]


def test_very_old_cost_is_still_the_latest():
    a_year_ago = D - timedelta(days=400)
    result = latest_cost_asof(events([(a_year_ago, 5, 1, 1, 4_500.0)]), D)
    assert result.select("product_id", "cost_date", "actual_price").rows() == [(5, a_year_ago, 4_500.0)]


def test_never_bought_product_has_no_row_and_empty_input_gives_empty_state():
    result = latest_cost_asof(events([(D, 1, 1, 1, 10.0)]), D)
    assert 2 not in result["product_id"].to_list()
    empty = latest_cost_asof(events([]), D)
    assert empty.height == 0
    assert empty.columns == LATEST_COLUMNS


def test_each_day_sees_only_its_history_and_the_order_of_events_does_not_matter():
    rng = random.Random(7)
    start = D - timedelta(days=60)
    rows = [
        (
            start + timedelta(days=rng.randrange(61)),
            rng.randrange(1, 30),
            rng.randrange(1, 8),
            rng.randrange(1, 4),
            float(rng.randrange(1, 1000)),
        )
        for _ in range(600)
    ]
    frame = events(rows)
    expected = latest_cost_asof(frame, D)
    shuffled = rows[:]
    rng.shuffle(shuffled)
    assert latest_cost_asof(events(shuffled), D).equals(expected)
    old_day = D - timedelta(days=20)
    only_history = latest_cost_asof(frame.filter(pl.col("date") <= old_day), old_day)
    assert latest_cost_asof(frame, old_day).equals(only_history)


def test_a_new_event_beats_older_costs_and_old_costs_stay_without_new_events():
    older = [(D - timedelta(days=5), 1, 50, 1, 500.0), (D - timedelta(days=3), 2, 1, 1, 20.0)]
    result = latest_cost_asof(events([*older, (D, 1, 2, 1, 510.0)]), D)
    assert prices(result) == {1: 510.0, 2: 20.0}
    unchanged = latest_cost_asof(events(older), D)
    assert prices(unchanged) == {1: 500.0, 2: 20.0}
    assert unchanged["date"].unique().to_list() == [D]


def test_input_is_untouched():
    frame = events([(D, 1, 1, 1, 10.0), (D - timedelta(days=1), 2, 1, 1, 20.0)])
    before = frame.clone()
    latest_cost_asof(frame, D)
    assert frame.equals(before)
