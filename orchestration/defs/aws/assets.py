"""AWS billing deliveries (CUR 2.0, legacy CUR, AWS FOCUS) → landing zone → bronze aws_billing_line_items; EC2
list prices of the GPU instance types from the Price List API → bronze aws_list_prices (weekly)."""

import dagster as dg

from ingest.aws.deliveries import ingest_aws_billing
from ingest.aws.price_list import gpu_instance_types, load_aws_list_prices
from orchestration.billing_metadata import deliveries_check, report_loads
from orchestration.bronze_assets import bronze_asset
from orchestration.partitions import monthly_partitions, months_of
from orchestration.resources import DBT_PROJECT_DIR, DeliverySourceResource, WarehouseResource


@bronze_asset(
    "aws_billing_line_items", "aws", "s3", monthly_partitions, check_specs=[deliveries_check("aws_billing_line_items")]
)
def aws_billing_line_items(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, aws_billing: DeliverySourceResource
) -> dg.MaterializeResult:
    """The latest AWS delivery of each billing month, landed as delivered and mapped to FOCUS 1.2.

    Deliveries are found from their manifests (Data Exports or legacy CUR). A new delivery (new executionId or
    assemblyId) replaces its month once validated; the delivery already in bronze is skipped without downloading; a
    month whose delivery is gone from the source leaves bronze. A refused delivery (unreadable, non-finite or
    absurd amounts, a file listed twice, a second export of the same bill) keeps the last good month and fails
    the deliveries_accepted check with its reason, without stopping the other months.
    Rules: ingest/aws/rules/cur2.toml (CUR 2.0 and legacy CUR), ingest/aws/rules/focus.toml.
    """
    if aws_billing.absent:  # no AWS account: bronze keeps what it has, nothing is refused
        return report_loads(context, "aws_billing_line_items", [], aws_billing.say_absent(context))
    source, prefix = aws_billing.open()
    months = months_of(context.partition_time_window)
    refused: list = []
    with aws_billing.reachable():
        loads = ingest_aws_billing(
            source, prefix, warehouse.landing, warehouse.layout.bronze, months, warehouse.amount_limits, refused
        )
    aws_billing.warn_refused_links(context, source)
    if not loads and not refused:
        context.log.warning(f"no AWS delivery found for {sorted(months)} under {aws_billing.uri}")
    return report_loads(context, "aws_billing_line_items", loads + refused)


@bronze_asset("aws_list_prices", "aws_prices", "aws")
def aws_list_prices(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, aws_price_list: DeliverySourceResource
) -> dg.MaterializeResult:
    """Public EC2 prices of the GPU instance types in dbt_project/seeds/hardware_specs.csv, in every region: on
    demand and each reserved offer (its upfront fee spread over the term).

    From ``CPT_AWS_PRICE_LIST_URI``: the Price List Query API (``https://api.pricing.us-east-1.amazonaws.com``,
    boto3's credential chain, permission ``pricing:GetProducts``) or a saved JSON list of its PriceList documents.
    The what-if scenarios price another region and another GPU type from it.
    """
    if aws_price_list.absent:  # the scenarios of other regions and GPU types need it; bronze keeps the last prices
        return dg.MaterializeResult(metadata=aws_price_list.say_absent(context))
    instance_types = gpu_instance_types(DBT_PROJECT_DIR / "seeds" / "hardware_specs.csv")
    with aws_price_list.reachable():
        prices = load_aws_list_prices(aws_price_list.uri, warehouse.layout.bronze, instance_types)
    on_demand = prices.filter(prices["term_type"] == "OnDemand")
    context.log.info(f"{prices.height} list prices for {prices['sku'].n_unique()} products")
    return dg.MaterializeResult(
        metadata={
            "rows": prices.height,
            "instance_types": on_demand["instance_type"].n_unique(),
            "regions": on_demand["region"].n_unique(),
            "terms": ", ".join(sorted(prices["term_type"].unique().to_list())),
        }
    )
