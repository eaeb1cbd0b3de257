"""Asset selections the jobs are made of, by group and tag rather than by asset name: a new source asset (tag
layer=bronze) or a new dbt model joins the right jobs without being listed."""

import dagster as dg

from orchestration.bronze_assets import SOURCES

# Everything ingest writes is SOURCES (each source asset is tagged layer=bronze); the monthly reports (group
# reports, partitioned by month) have their own job; the warehouse is all the rest: the dbt models and seeds, the
# published file and its exports.
REPORTS = dg.AssetSelection.groups("reports")
WAREHOUSE = dg.AssetSelection.all() - SOURCES - REPORTS
