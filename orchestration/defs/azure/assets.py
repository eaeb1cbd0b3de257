"""Azure: Cost Management cost details exports → landing zone → bronze azure_billing_line_items (daily refresh)."""

import dagster as dg

from ingest.azure.cost_details import AZURE_COST_DETAILS
from ingest.schemas import AZURE_BILLING_TABLE
from orchestration.billing_metadata import deliveries_check, load_exports
from orchestration.bronze_assets import bronze_asset
from orchestration.partitions import daily_partitions
from orchestration.resources import DeliverySourceResource, WarehouseResource


@bronze_asset(
    "azure_billing_line_items",
    "azure",
    "azure",
    daily_partitions,
    check_specs=[deliveries_check("azure_billing_line_items")],
)
def azure_billing_line_items(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, azure_billing: DeliverySourceResource
) -> dg.MaterializeResult:
    """Every month of the cost details exports (EA or MCA, actual cost; CSV, CSV.gz or Parquet) under
    ``CPT_AZURE_BILLING_URI``, mapped to FOCUS 1.2.

    Cost Management writes ``<export>/<YYYYMMDD-YYYYMMDD>/<run>/<file>``: a month's newest run replaces the earlier
    ones, and a run already in bronze is skipped. Spot and reservation / savings plan usage get their pricing tier
    from PricingModel, the VM size comes from AdditionalInfo, the tags from Tags. A month that fails its checks (a
    cost that is not a number, an unknown ChargeType) is refused with the file and row named and bronze keeps the
    last good one. Rules: ingest/azure/rules/cost_details.toml.
    """
    return load_exports(context, warehouse, azure_billing, AZURE_COST_DETAILS, AZURE_BILLING_TABLE)
