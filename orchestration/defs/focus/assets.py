"""Any provider's FOCUS export (FOCUS 1.0-1.2) → landing zone → bronze focus_billing_line_items (daily refresh)."""

import dagster as dg

from ingest.focus_exports.reader import FOCUS_EXPORT
from ingest.schemas import FOCUS_BILLING_TABLE
from orchestration.billing_metadata import deliveries_check, load_exports
from orchestration.bronze_assets import bronze_asset
from orchestration.partitions import daily_partitions
from orchestration.resources import DeliverySourceResource, WarehouseResource


@bronze_asset(
    "focus_billing_line_items",
    "focus",
    "focus",
    daily_partitions,
    check_specs=[deliveries_check("focus_billing_line_items")],
)
def focus_billing_line_items(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, focus_billing: DeliverySourceResource
) -> dg.MaterializeResult:
    """Every month of every FOCUS export under ``CPT_FOCUS_BILLING_URI`` (a folder, ``s3://…`` or ``gs://…``): any
    provider that publishes FOCUS (Azure, OCI, Google Cloud, AWS, a SaaS vendor), FOCUS 1.0, 1.1 or 1.2, as CSV,
    CSV.gz or Parquet.

    The version is recognised from the columns and every row checked against the specification (types, allowed
    values, nulls); the month comes from the objects' keys (a billing period's run folders, ``billing_period=``,
    ``year=/month=``, dated folders, or the month in the file name). A month's newest run replaces the earlier
    ones; a month that fails its checks is refused with the file and row named (the deliveries_accepted check
    fails) and bronze keeps the last good one; a file whose key names no month is refused by name. Tags come from
    the ``Tags`` JSON (``cpt-deployment`` / ``cpt:deployment`` …); the export's own ``x_`` columns are kept in
    bronze. Rules: ingest/focus_exports/rules/focus.toml; the versions: ingest/focus_exports/versions.toml.
    """
    return load_exports(context, warehouse, focus_billing, FOCUS_EXPORT, FOCUS_BILLING_TABLE)
