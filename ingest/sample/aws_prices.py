"""The AWS Price List Query API's answer for the fleet's GPU instance types (``fleet.AWS_LIST_PRICES``) in five
regions, saved as GetProducts returns it (``aws_v1`` PriceList documents): each product with its on-demand offer
and two reserved offers (1 year no upfront, 3 years all upfront). The bill's own public on-demand rates are the
us-east-1 and us-west-2 prices here, so the two sources agree where they overlap."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingest.sample.common import gpu_count
from ingest.sample.fleet import AWS_LIST_PRICES, AWS_REGION_PRICE_FACTORS, AWS_REGIONS_OFFERING

LOCATIONS = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}
EFFECTIVE = "2026-06-01T00:00:00Z"
ON_DEMAND_TERM, RESERVED_1Y_NO_UPFRONT, RESERVED_3Y_ALL_UPFRONT = "JRTCKXETXF", "4NA7Y494T4", "NQ3QZPMQV9"
RESERVED_1Y_RATIO, RESERVED_3Y_RATIO = 0.64, 0.45  # the reserved offers' effective rate ÷ on demand


def write_aws_price_list(out_dir: Path) -> Path:
    path = out_dir / "aws" / "price_list" / "ec2_gpu_instances.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(price_list_documents(), indent=1) + "\n")
    return path


def price_list_documents() -> list[dict]:
    documents = []
    for instance_type, base in sorted(AWS_LIST_PRICES.items()):
        for region, factor in AWS_REGION_PRICE_FACTORS.items():
            if region in AWS_REGIONS_OFFERING.get(instance_type, (region,)):
                documents.append(_document(instance_type, region, round(base * factor, 6)))
    return documents


def _document(instance_type: str, region: str, hourly: float) -> dict:
    sku = hashlib.sha256(f"{instance_type}|{region}".encode()).hexdigest()[:16].upper()
    attributes = {
        "servicecode": "AmazonEC2",
        "servicename": "Amazon Elastic Compute Cloud",
        "instanceType": instance_type,
        "instanceFamily": "GPU instance" if not instance_type.startswith(("p4", "p5")) else "Accelerated Computing",
        "regionCode": region,
        "location": LOCATIONS[region],
        "locationType": "AWS Region",
        "gpu": str(gpu_count(instance_type)),
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "licenseModel": "No License required",
        "operation": "RunInstances",
        "usagetype": f"BoxUsage:{instance_type}",
    }

    def offer(term: str, dimensions: list[tuple[str, float]], term_attributes: dict) -> dict:
        return {
            "priceDimensions": {
                f"{sku}.{term}.{code}": {
                    "unit": unit,
                    "endRange": "Inf",
                    "description": f"{unit} for {instance_type} in {LOCATIONS[region]}",
                    "appliesTo": [],
                    "rateCode": f"{sku}.{term}.{code}",
                    "beginRange": "0",
                    "pricePerUnit": {"USD": f"{amount:.10f}"},
                }
                for code, (unit, amount) in zip(("6YS6EN2CT7", "2TG2D8R56U"), dimensions, strict=False)
            },
            "sku": sku,
            "effectiveDate": EFFECTIVE,
            "offerTermCode": term,
            "termAttributes": term_attributes,
        }

    reserved_3y = round(hourly * RESERVED_3Y_RATIO * 3 * 8760, 2)
    return {
        "product": {"productFamily": "Compute Instance", "attributes": attributes, "sku": sku},
        "serviceCode": "AmazonEC2",
        "terms": {
            "OnDemand": {f"{sku}.{ON_DEMAND_TERM}": offer(ON_DEMAND_TERM, [("Hrs", hourly)], {})},
            "Reserved": {
                f"{sku}.{RESERVED_1Y_NO_UPFRONT}": offer(
                    RESERVED_1Y_NO_UPFRONT,
                    [("Hrs", round(hourly * RESERVED_1Y_RATIO, 6))],
                    {"LeaseContractLength": "1yr", "OfferingClass": "standard", "PurchaseOption": "No Upfront"},
                ),
                f"{sku}.{RESERVED_3Y_ALL_UPFRONT}": offer(
                    RESERVED_3Y_ALL_UPFRONT,
                    [("Hrs", 0.0), ("Quantity", reserved_3y)],
                    {"LeaseContractLength": "3yr", "OfferingClass": "standard", "PurchaseOption": "All Upfront"},
                ),
            },
        },
        "version": "20260601000000",
        "publicationDate": EFFECTIVE,
    }
