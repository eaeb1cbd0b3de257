"""What every ingest asset is: it writes a bronze table, it is owned by the platform team, and it is tagged
``layer=bronze`` — the tag the jobs' selections tell sources from the warehouse by. A partitioned one backfills any
range in one run (its ingest functions take the whole window)."""

from __future__ import annotations

from typing import Any

import dagster as dg

LAYER_TAG = {"layer": "bronze"}
OWNERS = ["team:platform"]
SOURCES = dg.AssetSelection.tag("layer", "bronze")


def bronze_asset(
    key: str, group: str, source_kind: str | None, partitions_def: dg.PartitionsDefinition | None = None, **kwargs: Any
):
    """``@dg.asset`` for an ingest asset; ``source_kind`` names where it reads (s3, bigquery, …) for the UI."""
    return dg.asset(
        key=key,
        group_name=group,
        kinds={"python", "polars", "parquet", *([source_kind] if source_kind else [])},
        owners=OWNERS,
        tags=LAYER_TAG,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        **kwargs,
    )
