"""GCP: the billing export → landing zone → bronze gcp_billing_line_items (by usage day, with a lookback window), and
public GPU list prices from the Cloud Billing catalog → bronze gcp_list_prices (weekly)."""

import dagster as dg

from ingest.gcp.bigquery import BigQueryExport, ingest_gcp_bigquery
from ingest.gcp.billing_export import ingest_gcp_billing
from ingest.gcp.catalog import load_list_prices
from orchestration.billing_metadata import deliveries_check, report_loads
from orchestration.bronze_assets import bronze_asset
from orchestration.partitions import daily_partitions, days_of
from orchestration.resources import DeliverySourceResource, WarehouseResource


class GcpBillingConfig(dg.Config):
    lookback_days: int = 5  # GCP writes rows days late and revises them: re-read this many days before the window


@bronze_asset(
    "gcp_billing_line_items",
    "gcp",
    "bigquery",
    daily_partitions,
    deps=["gcp_list_prices"],
    check_specs=[deliveries_check("gcp_billing_line_items")],
)
def gcp_billing_line_items(
    context: dg.AssetExecutionContext,
    config: GcpBillingConfig,
    warehouse: WarehouseResource,
    gcp_billing: DeliverySourceResource,
) -> dg.MaterializeResult:
    """The GCP billing export mapped to FOCUS 1.2, one bronze partition per usage day.

        From BigQuery (``CPT_GCP_BILLING_URI=bq://project.dataset.table``, Application Default Credentials): each run
    re-reads the partition's days plus ``lookback_days`` before them and replaces those days, so rows that
    arrive late or are revised are counted once. From exported JSONL files (a folder): every invoice month found
    is reloaded whole — a byte-for-byte copy of a file is read once, a month whose files are all gone leaves
    bronze, and a month that fails validation is refused (the deliveries_accepted check fails, the last good month
    stays). Commitment and sustained-use credits are folded into the usage they discount; other credits become
    rows of their own. Rules: ingest/gcp/rules/billing_export.toml.
    """
    window = context.partition_time_window
    if gcp_billing.absent:
        return report_loads(context, "gcp_billing_line_items", [], gcp_billing.say_absent(context))
    if gcp_billing.uri.startswith("bq://"):
        export = BigQueryExport(gcp_billing.uri.removeprefix("bq://"))
        days = days_of(window)
        loads = ingest_gcp_bigquery(
            export, warehouse.landing, warehouse.layout.bronze, days[0], days[-1], config.lookback_days
        )
    else:
        source, prefix = gcp_billing.open()
        refused: list = []
        with gcp_billing.reachable():
            loads = ingest_gcp_billing(
                source, prefix, warehouse.landing, warehouse.layout.bronze, warehouse.amount_limits, refused
            )
        loads += refused
        gcp_billing.warn_refused_links(context, source)
    return report_loads(context, "gcp_billing_line_items", loads)


@bronze_asset("gcp_list_prices", "gcp_prices", "gcp")
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
