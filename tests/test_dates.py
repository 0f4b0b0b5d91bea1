from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.dates import (
    business_day_of,
    business_day_window,
    days_between,
    odoo_window,
    parse_day,
    parse_range,
    yesterday,
)
from shared.errors import InputError

TZ = "Asia/Jakarta"
TODAY = date(2026, 11, 21)


def test_jakarta_window_is_previous_day_17_utc_to_17_utc():
    start, end = business_day_window(date(2026, 11, 20), TZ)
    assert (start, end) == (datetime(2026, 11, 19, 17, tzinfo=UTC), datetime(2026, 11, 20, 17, tzinfo=UTC))
    assert odoo_window(date(2026, 11, 20), TZ) == ("2026-11-19 17:00:00", "2026-11-20 17:00:00")


def test_window_in_a_zone_with_dst_has_23_hours():
    start, end = business_day_window(date(2026, 3, 8), "America/New_York")
    assert (end - start).total_seconds() == 23 * 3600


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 19, 16, 59, 59), date(2026, 11, 19)),  # 23:59:59 local
        (datetime(2026, 11, 19, 17, 0, 0), date(2026, 11, 20)),  # 00:00:00 local
        (datetime(2026, 11, 20, 16, 59, 59, tzinfo=UTC), date(2026, 11, 20)),
    ],
)
def test_business_day_of_edges(moment, expected):
    assert business_day_of(moment, TZ) == expected


def test_yesterday_follows_local_time_not_utc():
    # 18:00 UTC on the 21st is already 01:00 on the 22nd in Jakarta.
    assert yesterday(TZ, now=datetime(2026, 11, 21, 18, 0, tzinfo=UTC)) == date(2026, 11, 21)
    assert yesterday(TZ, now=datetime(2026, 11, 21, 16, 0, tzinfo=UTC)) == date(2026, 11, 20)


@pytest.mark.parametrize("text", ["2026-11-1", "20261101", "2026/11/01", "2026-02-30", "", "yesterday"])
def test_bad_date_formats(text):
    with pytest.raises(InputError, match="bad date"):
        parse_day(text, TZ, TODAY)


def test_future_date_is_refused():
    with pytest.raises(InputError, match="in the future"):
        parse_day("2026-11-22", TZ, TODAY)
    assert parse_day("2026-11-21", TZ, TODAY) == TODAY


def test_range_parsing():
    assert parse_range("2026-11-01", "2026-11-03", TZ, 10, TODAY) == days_between(date(2026, 11, 1), date(2026, 11, 3))
    assert parse_range("2026-11-01", None, TZ, 10, TODAY) == [date(2026, 11, 1)]
    with pytest.raises(InputError, match="before start"):
        parse_range("2026-11-05", "2026-11-01", TZ, 10, TODAY)
    with pytest.raises(InputError, match="over the limit of 10 days"):
        parse_range("2026-10-01", "2026-11-01", TZ, 10, TODAY)
    with pytest.raises(InputError, match="in the future"):
        parse_range("2026-11-20", "2026-11-25", TZ, 10, TODAY)
