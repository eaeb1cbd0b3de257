"""A new AWS delivery: reload its month, rebuild and check the warehouse, publish it (started by the sensor); and
the weekly list-price refresh."""

import dagster as dg

from orchestration.defs.warehouse.selections import WAREHOUSE
from orchestration.partitions import monthly_partitions

aws_billing_job = dg.define_asset_job(
    "aws_billing_refresh",
    selection=dg.AssetSelection.groups("aws") | WAREHOUSE,
    partitions_def=monthly_partitions,
    description="Load an AWS billing month's latest delivery, rebuild the warehouse, publish it.",
)

aws_price_list_job = dg.define_asset_job(
    "aws_price_list_refresh",
    selection=dg.AssetSelection.groups("aws_prices"),
    description="Refresh the EC2 list prices of the GPU instance types from the AWS Price List API.",
)
