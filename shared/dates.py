"""Business days in BUSINESS_TZ and their half-open UTC windows; date and range parsing.

A business day D covers [D 00:00, D+1 00:00) local time. For Asia/Jakarta (UTC+7, no DST) that is
[D-1 17:00:00, D 17:00:00) UTC. Odoo stores datetimes as naive UTC strings, so domains use
`odoo_window`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared import clock
from shared.errors import InputError

ODOO_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def business_day_window(day: date, tz: str | ZoneInfo) -> tuple[datetime, datetime]:
    """The half-open UTC window [start, end) of business day `day` in `tz` (aware datetimes)."""
    zone = _zone(tz)
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def odoo_window(day: date, tz: str | ZoneInfo) -> tuple[str, str]:
    """`business_day_window` as Odoo UTC strings, for domains `[('f','>=',start),('f','<',end)]`."""
    start, end = business_day_window(day, tz)
    return start.strftime(ODOO_DATETIME_FORMAT), end.strftime(ODOO_DATETIME_FORMAT)


def business_day_of(moment: datetime, tz: str | ZoneInfo) -> date:
    """The business day a UTC moment belongs to (naive datetimes are taken as UTC, like Odoo's)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone(tz)).date()


def today(tz: str | ZoneInfo, now: datetime | None = None) -> date:
    """Today's business day in `tz`."""
    return business_day_of(now or clock.now(), tz)


def yesterday(tz: str | ZoneInfo, now: datetime | None = None) -> date:
    """The business day a scheduled nightly run processes."""
    return today(tz, now) - timedelta(days=1)


def parse_day(text: str, tz: str | ZoneInfo, today_: date | None = None, *, allow_today: bool = True) -> date:
    """Parse `YYYY-MM-DD`; reject other formats and days after today in `tz`."""
    raw = str(text).strip()
    try:
        if len(raw) != 10:
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"bad date {raw!r}: expected YYYY-MM-DD") from None
    limit = today_ if today_ is not None else today(tz)
    if day > limit or (not allow_today and day == limit):
        raise InputError(f"date {day.isoformat()} is in the future (today is {limit.isoformat()} in {tz})")
    return day


def days_between(start: date, end: date) -> list[date]:
    """Every day from start to end, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def parse_range(
    start: str,
    end: str | None,
    tz: str | ZoneInfo,
    max_days: int,
    today_: date | None = None,
) -> list[date]:
    """Parse a day or an inclusive range of days, with clear errors for every way it can be wrong."""
    first = parse_day(start, tz, today_)
    last = parse_day(end, tz, today_) if end else first
    if last < first:
        raise InputError(f"end {last.isoformat()} is before start {first.isoformat()}")
    count = (last - first).days + 1
    if count > max_days:
        raise InputError(f"range of {count} days is over the limit of {max_days} days (MAX_RANGE_DAYS)")
    return days_between(first, last)
