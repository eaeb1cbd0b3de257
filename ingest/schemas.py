"""Every bronze table, its name and its schema, in one place: ingest writes them, `bronze.ensure_all_tables` gives
each an empty typed file, and dbt's sources read them. Token schemas are one per kind of data, whatever the log
format; billing is FOCUS 1.2 plus lineage (ingest/focus.py defines the columns)."""

from __future__ import annotations

import polars as pl

from ingest.focus import BRONZE_BILLING_SCHEMA

AWS_BILLING_TABLE = "aws_billing_line_items"
GCP_BILLING_TABLE = "gcp_billing_line_items"
FOCUS_BILLING_TABLE = "focus_billing_line_items"  # any provider's FOCUS export
AZURE_BILLING_TABLE = "azure_billing_line_items"
OCI_BILLING_TABLE = "oci_billing_line_items"
# Every table of billing lines: one account-month may be in only one of them (see billing.load_delivery).
BILLING_TABLES = (AWS_BILLING_TABLE, GCP_BILLING_TABLE, AZURE_BILLING_TABLE, OCI_BILLING_TABLE, FOCUS_BILLING_TABLE)
LIST_PRICES_TABLE = "gcp_list_prices"
AWS_LIST_PRICES_TABLE = "aws_list_prices"
REQUESTS_TABLE = "inference_requests"
COUNTER_SAMPLES_TABLE = "inference_token_counter_samples"
QUARANTINE_TABLE = "token_quarantine"

_TS = pl.Datetime("us")  # naive UTC

INFERENCE_REQUESTS_SCHEMA: dict[str, pl.DataType] = {
    "request_id": pl.String(),
    "started_at": _TS,
    "finished_at": _TS,
    "model": pl.String(),
    "deployment": pl.String(),
    "team": pl.String(),
    "api_key_hash": pl.String(),
    "region": pl.String(),
    "instance_id": pl.String(),
    "endpoint": pl.String(),  # the server address the gateway called (LiteLLM api_base), when logged
    "input_tokens": pl.Int64(),
    "cached_input_tokens": pl.Int64(),
    "output_tokens": pl.Int64(),
    "status": pl.String(),
    "ttft_ms": pl.Float64(),
    "latency_ms": pl.Float64(),
    "source_format": pl.String(),
    "source_file": pl.String(),
}

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source_format": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "reason": pl.String(),
    "record_id": pl.String(),
    "quarantined_at": _TS,
}

# Server token counters as scraped (cumulative), one row per scrape × deployment × instance × server × model × counter.
COUNTER_SAMPLES_SCHEMA: dict[str, pl.DataType] = {
    "scraped_at": _TS,
    "deployment": pl.String(),
    "instance": pl.String(),
    "server": pl.String(),
    "model": pl.String(),
    "counter": pl.String(),  # input_tokens | output_tokens | requests
    "value": pl.Float64(),
    "source_file": pl.String(),
}

# GCP Cloud Billing catalog prices of the GPU machine SKUs.
LIST_PRICE_SCHEMA: dict[str, pl.DataType] = {
    "sku_id": pl.String(),
    "description": pl.String(),
    "resource_group": pl.String(),
    "usage_type": pl.String(),  # OnDemand, Preemptible, Commit1Yr, Commit3Yr
    "region": pl.String(),
    "unit_price": pl.Float64(),
    "currency": pl.String(),
    "pricing_unit": pl.String(),  # the API's usage unit, "h" for machine time
    "effective_time": pl.Datetime("us"),
    "fetched_at": pl.Datetime("us"),
}

AWS_LIST_PRICE_SCHEMA: dict[str, pl.DataType] = {
    "sku": pl.String(),
    "instance_type": pl.String(),
    "region": pl.String(),  # the region code, e.g. us-east-1
    "location": pl.String(),  # the region's name in the price list, e.g. US East (N. Virginia)
    "gpu_count": pl.Int32(),
    "term_type": pl.String(),  # OnDemand or Reserved
    "lease_contract_length": pl.String(),  # 1yr, 3yr (reserved offers)
    "purchase_option": pl.String(),  # No Upfront, Partial Upfront, All Upfront
    "offering_class": pl.String(),  # standard, convertible
    "hourly_rate": pl.Float64(),
    "upfront_fee": pl.Float64(),
    "effective_hourly_rate": pl.Float64(),  # the hourly rate + the upfront fee spread over the term's hours
    "currency": pl.String(),
    "effective_date": pl.Datetime("us"),
    "fetched_at": pl.Datetime("us"),
}

BRONZE_TABLES: dict[str, dict[str, pl.DataType]] = {
    AWS_BILLING_TABLE: BRONZE_BILLING_SCHEMA,
    GCP_BILLING_TABLE: BRONZE_BILLING_SCHEMA,
    FOCUS_BILLING_TABLE: BRONZE_BILLING_SCHEMA,
    AZURE_BILLING_TABLE: BRONZE_BILLING_SCHEMA,
    OCI_BILLING_TABLE: BRONZE_BILLING_SCHEMA,
    LIST_PRICES_TABLE: LIST_PRICE_SCHEMA,
    AWS_LIST_PRICES_TABLE: AWS_LIST_PRICE_SCHEMA,
    REQUESTS_TABLE: INFERENCE_REQUESTS_SCHEMA,
    COUNTER_SAMPLES_TABLE: COUNTER_SAMPLES_SCHEMA,
    QUARANTINE_TABLE: QUARANTINE_SCHEMA,
}
