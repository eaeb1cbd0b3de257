"""GCP's own job: the weekly list-price refresh (the billing export is loaded by the warehouse's daily refresh)."""

import dagster as dg

gcp_catalog_job = dg.define_asset_job(
    "gcp_catalog_refresh",
    selection=dg.AssetSelection.groups("gcp_prices"),
    description="Refresh GCP GPU list prices from the catalog.",
)
