"""Public EC2 list prices of the GPU instance types in every region, from the AWS Price List Query API.

boto3's ``pricing`` client calls GetProducts once per instance type of ``dbt_project/seeds/hardware_specs.csv``
(every page followed), filtered to the instance-hour a deployment pays for: Linux, shared tenancy, no
pre-installed software, capacity status ``Used``. Each product's offers become rows: the on-demand rate, and each
reserved offer (lease length, purchase option, offering class) with its upfront fee spread over the term's hours.
The what-if scenarios price another region and another GPU type from these rows, for instance types and regions
the bill does not hold. A JSON list of the API's PriceList documents (a saved response) can stand in for the API:
that is what the demo uses.

Credentials come from boto3's chain (environment, shared config/SSO, instance or task role); the API is served
from us-east-1 (also ap-south-1, eu-central-1) and needs only ``pricing:GetProducts``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ingest.bronze import write_partition
from ingest.schemas import AWS_LIST_PRICE_SCHEMA, AWS_LIST_PRICES_TABLE

SERVICE_CODE = "AmazonEC2"
# The instance-hour as a deployment runs it: not Windows, not a dedicated host, not a reservation's unused hours.
PRODUCT_FILTERS = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
HOURS_PER_YEAR = 8760
_ENDPOINT_REGION = re.compile(r"^https?://api\.pricing\.([a-z0-9-]+)\.amazonaws\.com")


def gpu_instance_types(hardware_specs: Path) -> list[str]:
    """The AWS instance types the hardware seed knows (the ones whose GPUs the warehouse can count)."""
    with hardware_specs.open(newline="") as fh:
        return sorted({row["instance_type"] for row in csv.DictReader(fh) if row["provider"] == "aws"})


def pricing_client(endpoint: str) -> Any:
    from ingest.aws_client import aws_client

    found = _ENDPOINT_REGION.match(endpoint)
    return aws_client(
        "pricing", attempts=8, endpoint_url=endpoint, region_name=found.group(1) if found else "us-east-1"
    )


def products_from_api(client: Any, instance_types: Iterable[str]) -> Iterator[dict]:
    """Every product of each instance type in every region, as the API's PriceList documents."""
    paginator = client.get_paginator("get_products")
    for instance_type in instance_types:
        filters = {**PRODUCT_FILTERS, "instanceType": instance_type}
        pages = paginator.paginate(
            ServiceCode=SERVICE_CODE,
            FormatVersion="aws_v1",
            Filters=[{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()],
        )
        for page in pages:
            for document in page.get("PriceList", []):
                yield json.loads(document)


def products_from_file(path: Path) -> list[dict]:
    try:
        documents = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a JSON list of price list documents ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(documents, list):
        raise ValueError(f"{path}: not a JSON list of price list documents")
    return [json.loads(d) if isinstance(d, str) else d for d in documents]


def _price(dimension: dict) -> tuple[str, float]:
    (currency, amount), *_ = dimension["pricePerUnit"].items()
    return currency, float(amount)


def _offer_row(product: dict, term_type: str, offer: dict) -> dict | None:
    attributes = product["attributes"]
    term = offer.get("termAttributes") or {}
    hourly = upfront = 0.0
    currency = None
    for dimension in offer["priceDimensions"].values():
        currency, amount = _price(dimension)
        if dimension.get("unit") == "Quantity":
            upfront += amount
        else:
            hourly += amount
    if currency is None:
        return None
    years = int(term.get("LeaseContractLength", "0yr").removesuffix("yr") or 0)
    effective = hourly + (upfront / (years * HOURS_PER_YEAR) if years else 0.0)
    return {
        "sku": product["sku"],
        "instance_type": attributes["instanceType"],
        "region": attributes["regionCode"],
        "location": attributes.get("location"),
        "gpu_count": int(attributes["gpu"]) if str(attributes.get("gpu", "")).isdigit() else None,
        "term_type": term_type,
        "lease_contract_length": term.get("LeaseContractLength"),
        "purchase_option": term.get("PurchaseOption"),
        "offering_class": term.get("OfferingClass"),
        "hourly_rate": hourly,
        "upfront_fee": upfront,
        "effective_hourly_rate": effective,
        "currency": currency,
        "effective_date": datetime.fromisoformat(offer["effectiveDate"].replace("Z", "+00:00")).replace(tzinfo=None)
        if offer.get("effectiveDate")
        else None,
    }


def list_prices(
    products: Iterable[dict], fetched_at: datetime | None = None, origin: str = "price list"
) -> pl.DataFrame:
    """One row per product × offer: on demand, and each reserved offer with its upfront fee spread over the term.

    A document without an instance type or region code is not an instance-hour (a host, a reservation fee) and is
    passed over; one without its terms or prices is refused with its position named."""
    fetched = (fetched_at or datetime.now(UTC)).replace(tzinfo=None)
    rows = []
    for position, document in enumerate(products):
        product = document.get("product") if isinstance(document, dict) else None
        if not isinstance(product, dict) or "attributes" not in product or "sku" not in product:
            raise ValueError(f"{origin}: document {position} has no product with a sku and attributes")
        attributes = product["attributes"]
        if not attributes.get("instanceType") or not attributes.get("regionCode"):
            continue
        try:
            for term_type, offers in (document.get("terms") or {}).items():
                for offer in offers.values():
                    row = _offer_row(product, term_type, offer)
                    if row is not None:
                        rows.append({**row, "fetched_at": fetched})
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"{origin}: document {position} (sku {product['sku']}): malformed terms ({exc})") from None
    return pl.DataFrame(rows, schema=AWS_LIST_PRICE_SCHEMA)


def load_aws_list_prices(uri: str, bronze_root: Path, instance_types: Iterable[str]) -> pl.DataFrame:
    """Fetch the list prices (the API's endpoint ``https://api.pricing.us-east-1.amazonaws.com`` or a local
    ``http://127.0.0.1:…``, or a saved JSON file) and replace bronze aws_list_prices with them."""
    if uri.startswith(("http://", "https://")):
        prices = list_prices(products_from_api(pricing_client(uri), instance_types), origin=uri)
    else:
        prices = list_prices(products_from_file(Path(uri)), origin=uri)
    write_partition(prices, bronze_root, AWS_LIST_PRICES_TABLE, {"service": "ec2"}, AWS_LIST_PRICE_SCHEMA)
    return prices
