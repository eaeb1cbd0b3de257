"""Partitions: token logs by UTC day, AWS billing by billing month (AWS re-delivers whole months)."""

from datetime import timedelta

import dagster as dg

# The first day the warehouse keeps (the sample month, 2026-10 by default, must fall after it).
FIRST_DAY = "2026-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC")
# end_offset=1: the current month is a partition too (AWS delivers it daily while it runs).
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC", end_offset=1)


def months_of(window: dg.TimeWindow) -> set[str]:
    """YYYY-MM of every month a partition time window covers."""
    months, cursor = set(), window.start
    while cursor < window.end:
        months.add(cursor.strftime("%Y-%m"))
        cursor = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
    return months
