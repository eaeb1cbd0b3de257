"""The partition windows the assets turn into days and months."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg

from orchestration.partitions import days_of, months_of


def _window(start: str, end: str) -> dg.TimeWindow:
    return dg.TimeWindow(
        datetime.fromisoformat(start).replace(tzinfo=UTC), datetime.fromisoformat(end).replace(tzinfo=UTC)
    )


def test_a_day_partition_is_one_day_and_a_backfill_every_day_in_order():
    assert days_of(_window("2026-10-05", "2026-10-06")) == [date(2026, 10, 5)]
    across = days_of(_window("2024-12-30", "2025-03-02"))
    assert across[0] == date(2024, 12, 30) and across[-1] == date(2025, 3, 1)
    assert len(across) == 2 + 31 + 28 + 1  # no leap day in 2025
    assert months_of(_window("2024-12-30", "2025-03-02")) == {"2024-12", "2025-01", "2025-02", "2025-03"}
