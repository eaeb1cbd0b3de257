"""Partitions: token logs by UTC day, AWS billing by billing month (AWS re-delivers whole months).

The first month the warehouse keeps comes from CPT_HISTORY_START (YYYY-MM or YYYY-MM-DD; a day is taken as its
month), default 2020-01 (orchestration/settings.py): far enough back to backfill years of bills. Dagster needs
partitions when the definitions load, so this one setting is read at import time; `cpt run` checks a range against it
before anything runs.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from orchestration.settings import value

HISTORY_START_SETTING = "CPT_HISTORY_START"


class HistorySettingError(ValueError):
    """CPT_HISTORY_START is not a month."""


def history_start(given: str | None = None) -> date:
    """The first day of the first month kept, from ``given`` or CPT_HISTORY_START."""
    text = (given if given is not None else value(HISTORY_START_SETTING)).strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text)
    try:
        if not match:
            raise ValueError(text)
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        date(year, month, day)  # a real day
        return date(year, month, 1)
    except ValueError:
        raise HistorySettingError(f"{HISTORY_START_SETTING}={text!r} is not a month (YYYY-MM or YYYY-MM-DD)") from None


FIRST_DAY = history_start().isoformat()

daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC")
# end_offset=1: the current month is a partition too (AWS delivers it daily while it runs).
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC", end_offset=1)


def last_complete_day(now: datetime | None = None) -> date:
    """The last daily partition: yesterday, UTC (a day is loaded once it is over)."""
    return (now or datetime.now(UTC)).date() - timedelta(days=1)


def days_of(window: dg.TimeWindow) -> list[date]:
    """Every UTC day a partition time window covers, in order (one for a day's partition, many for a backfill)."""
    first, end = window.start.date(), window.end.date()
    return [first + timedelta(days=n) for n in range((end - first).days)]


def months_of(window: dg.TimeWindow) -> set[str]:
    """YYYY-MM of every month a partition time window covers."""
    months, cursor = set(), window.start
    while cursor < window.end:
        months.add(cursor.strftime("%Y-%m"))
        cursor = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
    return months
