"""Public GPU list prices from the Cloud Billing catalog, refreshed weekly."""

import dagster as dg

from ingest.gcp.catalog import load_list_prices
from orchestration.resources import DeliverySourceResource, WarehouseResource


@dg.asset(
    key="gcp_list_prices",
    group_name="billing",
    kinds={"python", "polars", "parquet", "gcp"},
    owners=["team:platform"],
    tags={"layer": "bronze"},
)
def gcp_list_prices(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, gcp_catalog: DeliverySourceResource
) -> dg.MaterializeResult:
    """Compute Engine GPU and GPU-family VM SKUs with their public prices (on-demand, spot, commitments) per region.

    From ``CPT_GCP_CATALOG_URI``: the Cloud Billing catalog API (``https://cloudbilling.googleapis.com``,
    Application Default Credentials) or a saved JSON list of SKUs in the API's format. Used for ListCost where the
    export has no cost_at_list, and for the on-demand equivalent of spot hours.
    """
    if gcp_catalog.absent:  # list prices only fill in ListCost: without them, bronze keeps the last ones it had
        return dg.MaterializeResult(metadata=gcp_catalog.say_absent(context))
    with gcp_catalog.reachable():
        prices = load_list_prices(gcp_catalog.uri, warehouse.layout.bronze)
    context.log.info(f"{prices.height} list prices for {prices['sku_id'].n_unique()} SKUs")
    return dg.MaterializeResult(
        metadata={
            "rows": prices.height,
            "skus": prices["sku_id"].n_unique(),
            "regions": prices["region"].n_unique(),
            "usage_types": ", ".join(sorted(prices["usage_type"].unique().to_list())),
        }
    )
