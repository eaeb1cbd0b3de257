"""Partitions: token logs by UTC day. Billing is re-delivered whole months, so it is ingested by delivery."""

import dagster as dg

# The first day the warehouse keeps (the sample month, 2026-10 by default, must fall after it).
FIRST_DAY = "2026-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC")
