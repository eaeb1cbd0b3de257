"""Public list prices of GPUs and the VM families that carry them, from the Cloud Billing catalog API.

``CloudCatalogClient.list_services`` finds Compute Engine, ``list_skus`` pages through its SKUs (the client
follows nextPageToken); GPU SKUs and the core/RAM SKUs of GPU machine families (A2, A3, G2) are kept, one row per
SKU × region × pricing tier. The table fills ListCost where an export row lacks ``cost_at_list`` and gives the
on-demand equivalent of spot and committed hours. A JSON list of SKUs in the API's own format (a saved response)
can stand in for the API: that is what the demo uses.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ingest.bronze import write_partition
from ingest.schemas import LIST_PRICE_SCHEMA, LIST_PRICES_TABLE

COMPUTE_ENGINE = "Compute Engine"
_RELEVANT = re.compile(r"(?i)\bnvidia\b|\bgpu\b|\b(a2|a3|g2)\b.*\b(core|ram)\b")


def catalog_client(endpoint: str | None = None):
    """The real client: REST transport, Application Default Credentials (anonymous against a local endpoint)."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import billing_v1

    if endpoint and endpoint.startswith("http://"):
        from google.auth.credentials import AnonymousCredentials

        return billing_v1.CloudCatalogClient(
            transport="rest", credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=endpoint)
        )
    options = ClientOptions(api_endpoint=endpoint) if endpoint else None
    return billing_v1.CloudCatalogClient(transport="rest", client_options=options)


def skus_from_api(client: Any) -> list:
    service = next((s for s in client.list_services() if s.display_name == COMPUTE_ENGINE), None)
    if service is None:
        raise LookupError(f"the catalog lists no {COMPUTE_ENGINE!r} service")
    return list(client.list_skus(parent=service.name))


def skus_from_file(path: Path) -> list:
    from google.cloud import billing_v1

    docs = json.loads(path.read_text())
    return [billing_v1.Sku.from_json(json.dumps(doc), ignore_unknown_fields=True) for doc in docs]


def list_prices(skus: list, fetched_at: datetime | None = None) -> pl.DataFrame:
    """GPU and GPU-family VM SKUs as rows of (sku, region, tier, unit price)."""
    fetched = (fetched_at or datetime.now(UTC)).replace(tzinfo=None)
    rows = []
    for sku in skus:
        if not _RELEVANT.search(sku.description):
            continue
        for info in sku.pricing_info:
            expression = info.pricing_expression
            tiers = sorted(expression.tiered_rates, key=lambda t: t.start_usage_amount)
            if not tiers:
                continue
            price = tiers[0].unit_price  # the first tier: the list price from zero usage
            for region in sku.service_regions or ["global"]:
                rows.append(
                    {
                        "sku_id": sku.sku_id,
                        "description": sku.description,
                        "resource_group": sku.category.resource_group,
                        "usage_type": sku.category.usage_type,
                        "region": region,
                        "unit_price": int(price.units) + price.nanos / 1e9,
                        "currency": price.currency_code,
                        "pricing_unit": expression.usage_unit,
                        "effective_time": info.effective_time.replace(tzinfo=None) if info.effective_time else None,
                        "fetched_at": fetched,
                    }
                )
    return pl.DataFrame(rows, schema=LIST_PRICE_SCHEMA)


def load_list_prices(uri: str, bronze_root: Path) -> pl.DataFrame:
    """Fetch the list prices (API endpoint ``https://…`` / ``http://127.0.0.1:…``, or a saved JSON file) and
    replace bronze gcp_list_prices with them."""
    skus = skus_from_api(catalog_client(uri)) if uri.startswith(("http://", "https://")) else skus_from_file(Path(uri))
    prices = list_prices(skus)
    write_partition(prices, bronze_root, LIST_PRICES_TABLE, {"catalog": "compute_engine"}, LIST_PRICE_SCHEMA)
    return prices
