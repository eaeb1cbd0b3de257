"""OCI: cost reports from the tenancy's report bucket → landing zone → bronze oci_billing_line_items (daily)."""

import dagster as dg

from ingest.oci.cost_reports import OCI_COST_REPORT, ingest_cost_reports
from ingest.schemas import OCI_BILLING_TABLE
from orchestration.billing_metadata import deliveries_check, load_exports
from orchestration.bronze_assets import bronze_asset
from orchestration.partitions import daily_partitions
from orchestration.resources import DeliverySourceResource, WarehouseResource


@bronze_asset(
    "oci_billing_line_items",
    "oci",
    "oci",
    daily_partitions,
    check_specs=[deliveries_check("oci_billing_line_items")],
)
def oci_billing_line_items(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, oci_billing: DeliverySourceResource
) -> dg.MaterializeResult:
    """Every month the cost reports (``lineItem/…``, ``cost/…`` CSV.gz) under ``CPT_OCI_BILLING_URI`` hold,
    mapped to FOCUS 1.2.

    Oracle writes a new report file every few hours and never rewrites one, so a month is the set of files holding
    its rows (by ``lineItem/intervalUsageStart``): a new file makes a new delivery of its month, which replaces the
    month whole; a file already landed is not fetched again. Preemptible capacity is the spot tier, tags come from
    the ``tags/…`` columns. A file that fails its checks is refused with its row named and bronze keeps the last
    good month. OCI's FOCUS reports are read by the FOCUS exports source. Rules: ingest/oci/rules/cost_report.toml.
    """
    return load_exports(context, warehouse, oci_billing, OCI_COST_REPORT, OCI_BILLING_TABLE, ingest_cost_reports)
