"""Deterministic sample data: one calendar month of the fictional fleet in ``fleet.py``.

Writes, under ``out_dir``, files shaped like what the clouds and a gateway deliver:

    aws/cur2/cpt-demo/data/BILLING_PERIOD=YYYY-MM/cpt-demo-00001.snappy.parquet   CUR 2.0 (Data Exports)
    aws/cur2/cpt-demo/metadata/BILLING_PERIOD=YYYY-MM/cpt-demo-Manifest.json      its delivery manifest
    gcp/billing_export/invoice_month=YYYYMM/billing_export-000000.jsonl            detailed export rows
    gcp/catalog/compute_engine_skus.json                                           Cloud Billing catalog SKUs
    tokens/gateway/YYYY/MM/DD/gateway-YYYYMMDD.jsonl.gz                            OpenAI-style usage logs
    tokens/metrics/YYYY/MM/DD/<deployment>/<instance>.prom                         vLLM counters (timestamped)
    truth.json                                                                     what was generated

``truth.json`` is computed here from the generated line items and requests themselves (the generator knows each
line's amortized cost by construction), never by the ingest code, so that tests can hold the pipeline to it.
Same seed and scale → byte-identical files.
"""

from __future__ import annotations

import calendar
import gzip
import hashlib
import json
import os
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.sample.fleet import (
    AWS_ON_DEMAND,
    DEPLOYMENTS,
    GCP_CUD_DISCOUNT,
    GCP_SKUS,
    GCP_SPOT_RATIO,
    MODELS,
    RESERVED_RATIO,
    SAVINGS_PLAN_RATIO,
    SPOT_RATIO_RANGE,
    TEAMS,
    Deployment,
)

PAYER_ACCOUNT = "999999999999"
INFERENCE_ACCOUNT = "111111111111"
WEB_ACCOUNT = "222222222222"
GCP_BILLING_ACCOUNT = "01ABCD-23EF45-67GH89"
GCP_PROJECT = "acme-inference-prod"
SLA_CREDIT_USD = -500.0
PROMO_CREDIT_USD = -1000.0
AWS_TAX_RATE = 0.06
GCP_TAX_RATE = 0.05
REGION_PREFIX = {"us-east-1": "USE1", "us-west-2": "USW2"}


@dataclass(frozen=True)
class SampleSpec:
    month: str = "2026-10"  # YYYY-MM
    seed: int = 7
    scale: float = 1.0  # multiplies request volume (1.0 ≈ 200k requests a month)
    fleet: int = 1  # multiplies each deployment's VMs, so the bill's line count (1 ≈ 21k lines a month)

    @property
    def start(self) -> datetime:
        return datetime.strptime(self.month, "%Y-%m")

    @property
    def hours(self) -> int:
        return calendar.monthrange(self.start.year, self.start.month)[1] * 24

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.hours)


class _Truth:
    """Accumulates the figures tests compare the pipeline with."""

    def __init__(self) -> None:
        self.billed: defaultdict[str, float] = defaultdict(float)  # provider -> BilledCost
        # deployment|shared|tax|out_of_scope -> EffectiveCost
        self.effective_by_scope: defaultdict[str, float] = defaultdict(float)
        self.deployment_cost: defaultdict[str, float] = defaultdict(float)
        self.shared_cost: defaultdict[str, float] = defaultdict(float)
        self.gpu_hours: defaultdict[str, float] = defaultdict(float)
        self.tokens: dict[str, dict[str, int]] = {}

    def add_line(self, provider: str, billed: float, effective: float, tags: dict[str, str], tax: bool = False):
        self.billed[provider] += billed
        deployment = tags.get("cpt:deployment") or tags.get("cpt-deployment")
        shared = tags.get("cpt:shared") or tags.get("cpt-shared")
        if deployment:
            self.effective_by_scope["deployment"] += effective
            self.deployment_cost[deployment] += effective
        elif shared:
            self.effective_by_scope["shared"] += effective
            self.shared_cost[shared] += effective
        elif tax:
            self.effective_by_scope["tax"] += effective
        else:
            self.effective_by_scope["out_of_scope"] += effective

    def as_dict(self, spec: SampleSpec) -> dict:
        in_scope = self.effective_by_scope["deployment"] + self.effective_by_scope["shared"]
        return {
            "month": spec.month,
            "seed": spec.seed,
            "scale": spec.scale,
            "fleet": spec.fleet,
            "billed_total_usd": sum(self.billed.values()),
            "billed_by_provider_usd": dict(sorted(self.billed.items())),
            "in_scope_effective_usd": in_scope,
            "effective_by_scope_usd": dict(sorted(self.effective_by_scope.items())),
            "deployment_cost_usd": dict(sorted(self.deployment_cost.items())),
            "shared_cost_usd": dict(sorted(self.shared_cost.items())),
            "gpu_hours": dict(sorted(self.gpu_hours.items())),
            "tokens": dict(sorted(self.tokens.items())),
        }


def generate(out_dir: Path, spec: SampleSpec = SampleSpec()) -> dict:
    """Write one month of sample data under ``out_dir`` and return the truth (also written as truth.json)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = _Truth()
    _write_aws_cur2(out_dir, spec, truth)
    _write_gcp_export(out_dir, spec, truth)
    _write_gateway_logs(out_dir, spec, truth)
    _write_server_counters(out_dir, spec, truth)
    result = truth.as_dict(spec)
    (out_dir / "truth.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result


def _r(x: float) -> float:
    return round(x, 8)


def _rid(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:17]


# --- AWS CUR 2.0 -----------------------------------------------------------------------------------------


def _write_aws_cur2(out_dir: Path, spec: SampleSpec, truth: _Truth) -> None:
    rng = random.Random(spec.seed)
    period_start, period_end = spec.start, spec.end
    invoice_id = f"EUINUS{spec.start:%Y%m}01"
    rows: list[dict] = []

    def line(
        kind: str,
        start: datetime,
        end: datetime,
        product: str,
        usage_type: str,
        cost: float,
        effective: float,
        *,
        account: str = INFERENCE_ACCOUNT,
        resource: str | None = None,
        tags: dict[str, str] | None = None,
        amount: float = 1.0,
        unit: str = "Hrs",
        instance_type: str | None = None,
        region: str | None = "us-east-1",
        public_cost: float | None = None,
        term: str | None = None,
        description: str = "",
        extra: dict | None = None,
    ) -> None:
        tags = tags or {}
        row = {
            "bill_billing_period_start_date": period_start,
            "bill_billing_period_end_date": period_end,
            "bill_payer_account_id": PAYER_ACCOUNT,
            "bill_invoice_id": invoice_id,
            "line_item_usage_account_id": account,
            "line_item_line_item_type": kind,
            "line_item_usage_start_date": start,
            "line_item_usage_end_date": end,
            "line_item_product_code": product,
            "line_item_usage_type": usage_type,
            "line_item_resource_id": resource,
            "line_item_usage_amount": amount,
            "line_item_unblended_cost": _r(cost),
            "line_item_line_item_description": description or f"{kind} {usage_type}",
            "line_item_currency_code": "USD",
            "line_item_availability_zone": f"{region}a" if region and resource else None,
            "pricing_public_on_demand_cost": None if public_cost is None else _r(public_cost),
            "pricing_term": term,
            "pricing_unit": unit,
            "product_instance_type": instance_type,
            "product_region_code": region,
            "product_sku": hashlib.sha256(usage_type.encode()).hexdigest()[:16].upper(),
            "savings_plan_savings_plan_effective_cost": None,
            "savings_plan_savings_plan_a_r_n": None,
            "savings_plan_total_commitment_to_date": None,
            "savings_plan_used_commitment": None,
            "reservation_effective_cost": None,
            "reservation_reservation_a_r_n": None,
            "reservation_unused_amortized_upfront_fee_for_billing_period": None,
            "reservation_unused_recurring_fee": None,
            "resource_tags": {f"user_{k}": v for k, v in sorted(tags.items())},
        }
        row.update(extra or {})
        rows.append(row)
        truth.add_line("aws", _r(cost), _r(effective), tags, tax=(kind == "Tax"))

    sp_arn = f"arn:aws:savingsplans::{PAYER_ACCOUNT}:savingsplan/3f1d-demo"
    ri_arn = f"arn:aws:ec2:us-west-2:{INFERENCE_ACCOUNT}:reserved-instances/ri-0demo"
    hours = [period_start + timedelta(hours=h) for h in range(spec.hours)]
    aws_deployments = [d for d in DEPLOYMENTS if d.provider == "aws"]
    ri_hourly = 0.0
    for h in hours:
        end = h + timedelta(hours=1)
        sp_used = 0.0
        for dep in aws_deployments:
            od = AWS_ON_DEMAND[dep.instance_type]
            tags = {"cpt:deployment": dep.name, "cpt:cluster": dep.cluster}
            prefix = REGION_PREFIX[dep.region]
            for i, tier in enumerate(dep.tiers * spec.fleet):
                resource = _rid("i-", dep.name, i)
                common: dict[str, Any] = dict(
                    resource=resource,
                    tags=tags,
                    instance_type=dep.instance_type,
                    region=dep.region,
                    public_cost=od,
                )
                truth.gpu_hours[dep.name] += _gpu_count(dep.instance_type)
                if tier == "on_demand":
                    line(
                        "Usage",
                        h,
                        end,
                        "AmazonEC2",
                        f"{prefix}-BoxUsage:{dep.instance_type}",
                        od,
                        od,
                        term="OnDemand",
                        **common,
                    )
                elif tier == "spot":
                    price = od * rng.uniform(*SPOT_RATIO_RANGE)
                    line(
                        "Usage",
                        h,
                        end,
                        "AmazonEC2",
                        f"{prefix}-SpotUsage:{dep.instance_type}",
                        price,
                        price,
                        term="Spot",
                        **common,
                    )
                elif tier == "savings_plan":
                    effective = od * SAVINGS_PLAN_RATIO
                    sp_used += effective
                    line(
                        "SavingsPlanCoveredUsage",
                        h,
                        end,
                        "AmazonEC2",
                        f"{prefix}-BoxUsage:{dep.instance_type}",
                        od,
                        effective,
                        term="OnDemand",
                        **common,
                        extra={
                            "savings_plan_savings_plan_effective_cost": _r(effective),
                            "savings_plan_savings_plan_a_r_n": sp_arn,
                        },
                    )
                    line(
                        "SavingsPlanNegation",
                        h,
                        end,
                        "AmazonEC2",
                        f"{prefix}-BoxUsage:{dep.instance_type}",
                        -od,
                        0.0,
                        resource=resource,
                        tags=tags,
                        instance_type=dep.instance_type,
                        region=dep.region,
                        extra={"savings_plan_savings_plan_a_r_n": sp_arn},
                    )
                elif tier == "reserved":
                    effective = od * RESERVED_RATIO
                    ri_hourly = effective
                    line(
                        "DiscountedUsage",
                        h,
                        end,
                        "AmazonEC2",
                        f"{prefix}-BoxUsage:{dep.instance_type}",
                        0.0,
                        effective,
                        term="Reserved",
                        **common,
                        extra={
                            "reservation_effective_cost": _r(effective),
                            "reservation_reservation_a_r_n": ri_arn,
                        },
                    )
                else:
                    raise ValueError(f"unknown AWS tier {tier}")
        # Savings Plan commitment: 5% more than the covered usage, the unused part is out of scope.
        commitment = sp_used * 1.05
        line(
            "SavingsPlanRecurringFee",
            h,
            end,
            "ComputeSavingsPlans",
            "ComputeSP:1yrNoUpfront",
            commitment,
            commitment - _r(sp_used),
            resource=sp_arn,
            region=None,
            unit="Hrs",
            description="1 year No Upfront Compute Savings Plan",
            extra={
                "savings_plan_savings_plan_a_r_n": sp_arn,
                "savings_plan_total_commitment_to_date": _r(commitment),
                "savings_plan_used_commitment": _r(sp_used),
            },
        )
        # Shared inference overhead, tagged to its cluster.
        for cluster, region in (("eks-use1", "us-east-1"), ("eks-usw2", "us-west-2")):
            prefix = REGION_PREFIX[region]
            shared = {"cpt:shared": cluster}
            line(
                "Usage",
                h,
                end,
                "AmazonEKS",
                f"{prefix}-AmazonEKS-Hours:perCluster",
                0.10,
                0.10,
                resource=f"arn:aws:eks:{region}:{INFERENCE_ACCOUNT}:cluster/{cluster}",
                tags=shared,
                region=region,
                public_cost=0.10,
                term="OnDemand",
            )
            lcu = 0.0225 + 0.008 * rng.uniform(2, 12)
            line(
                "Usage",
                h,
                end,
                "AWSELB",
                f"{prefix}-LoadBalancerUsage",
                lcu,
                lcu,
                resource=f"arn:aws:elasticloadbalancing:{region}:{INFERENCE_ACCOUNT}:loadbalancer/app/{cluster}-gw",
                tags=shared,
                region=region,
                public_cost=lcu,
                term="OnDemand",
            )
        # Out of scope: the web application's servers and database.
        for i in range(3):
            line(
                "Usage",
                h,
                end,
                "AmazonEC2",
                "USE1-BoxUsage:m7i.2xlarge",
                0.4032,
                0.4032,
                account=WEB_ACCOUNT,
                resource=_rid("i-", "web", i),
                instance_type="m7i.2xlarge",
                public_cost=0.4032,
                term="OnDemand",
                tags={"team": "web"},
            )
        line(
            "Usage",
            h,
            end,
            "AmazonRDS",
            "USE1-InstanceUsage:db.r6g.xlarge",
            0.478,
            0.478,
            account=WEB_ACCOUNT,
            resource=f"arn:aws:rds:us-east-1:{WEB_ACCOUNT}:db:web-db",
            public_cost=0.478,
            term="OnDemand",
        )

    days = [period_start + timedelta(days=d) for d in range(spec.hours // 24)]
    for day in days:
        end = day + timedelta(days=1)
        per_day = 1.0 / len(days)
        for dep in aws_deployments:  # model weights volume, a multi-hour line tagged to the deployment
            cost = 500 * 0.08 * per_day
            line(
                "Usage",
                day,
                end,
                "AmazonEC2",
                f"{REGION_PREFIX[dep.region]}-EBS:VolumeUsage.gp3",
                cost,
                cost,
                resource=_rid("vol-", dep.name),
                tags={"cpt:deployment": dep.name, "cpt:cluster": dep.cluster},
                region=dep.region,
                amount=500 * per_day,
                unit="GB-Mo",
                public_cost=cost,
                term="OnDemand",
            )
        cost = 2048 * 0.023 * per_day  # model weights bucket, shared by the us-east-1 cluster
        line(
            "Usage",
            day,
            end,
            "AmazonS3",
            "USE1-TimedStorage-ByteHrs",
            cost,
            cost,
            resource="acme-model-weights",
            tags={"cpt:shared": "eks-use1"},
            amount=2048 * per_day,
            unit="GB-Mo",
            public_cost=cost,
            term="OnDemand",
        )
        cost = 40_000 * 0.023 * per_day
        line(
            "Usage",
            day,
            end,
            "AmazonS3",
            "USE1-TimedStorage-ByteHrs",
            cost,
            cost,
            account=WEB_ACCOUNT,
            resource="acme-data-lake",
            amount=40_000 * per_day,
            unit="GB-Mo",
            public_cost=cost,
            term="OnDemand",
        )

    # Monthly lines: RI fee (fully used, so no unused cost), an SLA credit that follows the 70B instance, a
    # promotional credit for the whole account, and tax.
    ri_fee = ri_hourly * spec.hours
    line(
        "RIFee",
        period_start,
        period_end,
        "AmazonEC2",
        "USW2-HeavyUsage:p4d.24xlarge",
        ri_fee,
        0.0,
        resource=ri_arn,
        region="us-west-2",
        amount=spec.hours,
        description="p4d.24xlarge reserved instance fee",
        extra={
            "reservation_reservation_a_r_n": ri_arn,
            "reservation_unused_amortized_upfront_fee_for_billing_period": 0.0,
            "reservation_unused_recurring_fee": 0.0,
        },
    )
    sla_dep = DEPLOYMENTS[0]
    line(
        "Credit",
        period_start,
        period_end,
        "AmazonEC2",
        "USE1-BoxUsage:p5.48xlarge",
        SLA_CREDIT_USD,
        SLA_CREDIT_USD,
        resource=_rid("i-", sla_dep.name, 1),
        region=sla_dep.region,
        tags={"cpt:deployment": sla_dep.name, "cpt:cluster": sla_dep.cluster},
        amount=0.0,
        description="AWS Service Level Agreement credit",
    )
    line(
        "Credit",
        period_start,
        period_end,
        "AmazonEC2",
        "Promotional credit",
        PROMO_CREDIT_USD,
        PROMO_CREDIT_USD,
        account=WEB_ACCOUNT,
        region=None,
        amount=0.0,
        description="AWS Activate credit",
    )
    for account in (INFERENCE_ACCOUNT, WEB_ACCOUNT):
        base = sum(
            r["line_item_unblended_cost"]
            for r in rows
            if r["line_item_usage_account_id"] == account and r["line_item_line_item_type"] != "Credit"
        )
        tax = round(base * AWS_TAX_RATE, 2)
        line(
            "Tax",
            period_start,
            period_end,
            "AmazonEC2",
            "Tax",
            tax,
            tax,
            account=account,
            region=None,
            amount=0.0,
            description="Sales tax",
        )

    table = pa.Table.from_pylist(rows, schema=_cur2_arrow_schema())
    write_cur2_delivery(out_dir / "aws", table, spec.month)


def write_cur2_delivery(
    bucket_root: Path, table: pa.Table, month: str, export: str = "cpt-demo", prefix: str = "cur2", part: int = 1
) -> str:
    """Write a CUR 2.0 Data Exports delivery (data file + metadata manifest) under a bucket-like folder.

    Returns the execution id, which AWS changes on every refresh of the month (derived here from the bytes).
    """
    data_key = f"{prefix}/{export}/data/BILLING_PERIOD={month}/{export}-{part:05d}.snappy.parquet"
    data_path = bucket_root / data_key
    data_path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, data_path, compression="snappy")
    digest = hashlib.sha256(data_path.read_bytes()).hexdigest()
    execution_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    start = datetime.strptime(month, "%Y-%m")
    manifest = {
        "executionId": execution_id,
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{PAYER_ACCOUNT}:export/{export}",
        "exportName": export,
        "billingPeriod": {"start": _iso(start), "end": _iso((start + timedelta(days=32)).replace(day=1))},
        "columns": [{"name": f.name, "type": str(f.type)} for f in table.schema],
        "dataFiles": [f"s3://acme-billing/{data_key}"],
    }
    manifest_path = bucket_root / prefix / export / "metadata" / f"BILLING_PERIOD={month}" / f"{export}-Manifest.json"
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return execution_id


def _cur2_arrow_schema() -> pa.Schema:
    ts = pa.timestamp("us")
    fields = [
        ("bill_billing_period_start_date", ts),
        ("bill_billing_period_end_date", ts),
        ("bill_payer_account_id", pa.string()),
        ("bill_invoice_id", pa.string()),
        ("line_item_usage_account_id", pa.string()),
        ("line_item_line_item_type", pa.string()),
        ("line_item_usage_start_date", ts),
        ("line_item_usage_end_date", ts),
        ("line_item_product_code", pa.string()),
        ("line_item_usage_type", pa.string()),
        ("line_item_resource_id", pa.string()),
        ("line_item_usage_amount", pa.float64()),
        ("line_item_unblended_cost", pa.float64()),
        ("line_item_line_item_description", pa.string()),
        ("line_item_currency_code", pa.string()),
        ("line_item_availability_zone", pa.string()),
        ("pricing_public_on_demand_cost", pa.float64()),
        ("pricing_term", pa.string()),
        ("pricing_unit", pa.string()),
        ("product_instance_type", pa.string()),
        ("product_region_code", pa.string()),
        ("product_sku", pa.string()),
        ("savings_plan_savings_plan_effective_cost", pa.float64()),
        ("savings_plan_savings_plan_a_r_n", pa.string()),
        ("savings_plan_total_commitment_to_date", pa.float64()),
        ("savings_plan_used_commitment", pa.float64()),
        ("reservation_effective_cost", pa.float64()),
        ("reservation_reservation_a_r_n", pa.string()),
        ("reservation_unused_amortized_upfront_fee_for_billing_period", pa.float64()),
        ("reservation_unused_recurring_fee", pa.float64()),
        ("resource_tags", pa.map_(pa.string(), pa.string())),
    ]
    return pa.schema(fields)


def _gpu_count(instance_type: str) -> int:
    return {"p5.48xlarge": 8, "p4d.24xlarge": 8, "g6e.xlarge": 1, "a3-highgpu-8g": 8, "g2-standard-8": 1}[instance_type]


# --- GCP billing export ----------------------------------------------------------------------------------


def _write_gcp_export(out_dir: Path, spec: SampleSpec, truth: _Truth) -> None:
    rows: list[dict] = []
    invoice_month = spec.start.strftime("%Y%m")
    export_time = _iso(spec.end + timedelta(hours=6))
    project = {
        "id": GCP_PROJECT,
        "number": "123456789012",
        "name": "ACME inference",
        "labels": [{"key": "env", "value": "prod"}],
        "ancestry_numbers": "/987654321/123456789012/",
    }

    def row(
        start: datetime,
        end: datetime,
        service: tuple[str, str],
        sku: tuple[str, str],
        cost: float,
        *,
        labels: dict[str, str] | None = None,
        resource: str | None = None,
        machine: str | None = None,
        credits: list[dict] | None = None,
        usage: tuple[float, str, float, str] = (0.0, "seconds", 0.0, "hour"),
        cost_type: str = "regular",
        list_cost: float | None = None,
        region: str | None = "us-central1",
    ) -> None:
        labels = labels or {}
        credits = credits or []
        system_labels = [{"key": "compute.googleapis.com/machine_spec", "value": machine}] if machine else []
        rows.append(
            {
                "billing_account_id": GCP_BILLING_ACCOUNT,
                "service": {"id": service[0], "description": service[1]},
                "sku": {"id": sku[0], "description": sku[1]},
                "usage_start_time": _iso(start),
                "usage_end_time": _iso(end),
                "project": project,
                "labels": [{"key": k, "value": v} for k, v in sorted(labels.items())],
                "system_labels": system_labels,
                "location": {
                    "location": region,
                    "country": "US" if region else None,
                    "region": region,
                    "zone": f"{region}-a" if region and resource else None,
                },
                "resource": {
                    "name": resource.rsplit("/", 1)[-1] if resource else None,
                    "global_name": resource,
                },
                "export_time": export_time,
                "cost": _r(cost),
                "currency": "USD",
                "currency_conversion_rate": 1.0,
                "usage": {
                    "amount": usage[0],
                    "unit": usage[1],
                    "amount_in_pricing_units": usage[2],
                    "pricing_unit": usage[3],
                },
                "credits": credits,
                "invoice": {"month": invoice_month},
                "cost_type": cost_type,
                "cost_at_list": _r(cost if list_cost is None else list_cost),
            }
        )
        net = _r(cost) + sum(c["amount"] for c in credits)
        truth.add_line("gcp", net, net, labels, tax=(cost_type == "tax"))

    compute = ("6F81-5844-456A", "Compute Engine")
    for h in range(spec.hours):
        start = spec.start + timedelta(hours=h)
        end = start + timedelta(hours=1)
        for dep in (d for d in DEPLOYMENTS if d.provider == "gcp"):
            labels = {
                "cpt-deployment": dep.name,
                "cpt-cluster": dep.cluster,
                "goog-k8s-cluster-name": dep.cluster,
            }
            for i, tier in enumerate(dep.tiers * spec.fleet):
                resource = (
                    f"//compute.googleapis.com/projects/{GCP_PROJECT}/zones/us-central1-a/instances/{dep.name}-{i}"
                )
                truth.gpu_hours[dep.name] += _gpu_count(dep.instance_type)
                for sku_id, description, price in GCP_SKUS[dep.instance_type]:
                    cost = price * (GCP_SPOT_RATIO if tier == "spot" else 1.0)
                    # GPU SKUs are billed in GPU-hours, core/RAM SKUs in VM-hours.
                    hours = float(_gpu_count(dep.instance_type)) if "GPU" in description else 1.0
                    if tier == "spot":
                        description = "Spot Preemptible " + description
                        sku_id = sku_id.replace("-OD", "-SPOT").replace("-CORE", "-SPOT-CORE")
                    credits = []
                    if tier == "committed_use":
                        credits.append(
                            {
                                "name": f"Committed use discount: {description}",
                                "amount": _r(-cost * GCP_CUD_DISCOUNT),
                                "full_name": None,
                                "id": "cud-a3-1yr",
                                "type": "COMMITTED_USAGE_DISCOUNT",
                            }
                        )
                    row(
                        start,
                        end,
                        compute,
                        (sku_id, description),
                        cost,
                        labels=labels,
                        resource=resource,
                        machine=dep.instance_type,
                        credits=credits,
                        usage=(3600.0 * hours, "seconds", hours, "hour"),
                        list_cost=cost,
                    )
        # GKE cluster management fee, shared; a promotional credit on it follows it (and stays shared).
        promo = (
            [
                {
                    "name": "Free trial credit",
                    "amount": -0.05,
                    "full_name": None,
                    "id": "promo-1",
                    "type": "PROMOTION",
                }
            ]
            if h < 48
            else []
        )
        row(
            start,
            end,
            ("CCD8-9BF1-090E", "Kubernetes Engine"),
            ("B561-BA7C-5B38", "Regional Kubernetes Clusters"),
            0.10,
            labels={"cpt-shared": "gke-usc1", "goog-k8s-cluster-name": "gke-usc1"},
            resource=f"//container.googleapis.com/projects/{GCP_PROJECT}/locations/us-central1/clusters/gke-usc1",
            credits=promo,
            usage=(3600.0, "seconds", 1.0, "hour"),
        )
    for d in range(spec.hours // 24):
        start = spec.start + timedelta(days=d)
        row(
            start,
            start + timedelta(days=1),
            ("24E6-581D-38E5", "BigQuery"),
            ("3362-E469-6BEF", "Analysis (us-central1)"),
            14.0 + (d % 7) * 1.5,
            labels={"team": "analytics"},
            usage=(3.1e12, "bytes", 2.8, "tebibyte"),
        )
    net_total = sum(r["cost"] + sum(c["amount"] for c in r["credits"]) for r in rows)
    row(
        spec.start,
        spec.end,
        ("Tax", "Tax"),
        ("TAX-US", "Tax: US state sales tax"),
        round(net_total * GCP_TAX_RATE, 2),
        cost_type="tax",
        region=None,
    )

    path = out_dir / "gcp" / "billing_export" / f"invoice_month={invoice_month}"
    path.mkdir(parents=True, exist_ok=True)
    with (path / "billing_export-000000.jsonl").open("w") as fh:
        for r in rows:
            fh.write(json.dumps(r, separators=(",", ":")) + "\n")
    catalog = out_dir / "gcp" / "catalog" / "compute_engine_skus.json"
    catalog.parent.mkdir(parents=True, exist_ok=True)
    catalog.write_text(json.dumps(catalog_skus(spec), indent=1) + "\n")


def catalog_skus(spec: SampleSpec) -> list[dict]:
    """The Compute Engine SKUs of the fleet as the Cloud Billing catalog API returns them (plus two unrelated)."""
    effective = _iso(spec.start - timedelta(days=30))

    def sku(sku_id: str, description: str, group: str, usage_type: str, price: float) -> dict:
        units, nanos = int(price), round((price - int(price)) * 1e9)
        return {
            "name": f"services/6F81-5844-456A/skus/{sku_id}",
            "skuId": sku_id,
            "description": description,
            "category": {
                "serviceDisplayName": "Compute Engine",
                "resourceFamily": "Compute",
                "resourceGroup": group,
                "usageType": usage_type,
            },
            "serviceRegions": ["us-central1", "us-east4"],
            "pricingInfo": [
                {
                    "effectiveTime": effective,
                    "pricingExpression": {
                        "usageUnit": "h",
                        "usageUnitDescription": "hour",
                        "baseUnit": "s",
                        "baseUnitConversionFactor": 3600,
                        "displayQuantity": 1,
                        "tieredRates": [
                            {
                                "startUsageAmount": 0,
                                "unitPrice": {"currencyCode": "USD", "units": str(units), "nanos": nanos},
                            }
                        ],
                    },
                }
            ],
            "serviceProviderName": "Google",
        }

    skus = []
    for machine, parts in GCP_SKUS.items():
        gpus = _gpu_count(machine)
        for sku_id, description, price in parts:
            group = "GPU" if "GPU" in description else "CPU"
            unit = price / gpus if group == "GPU" else price  # GPU SKUs are priced per GPU-hour
            skus.append(sku(sku_id, description, group, "OnDemand", unit))
            skus.append(
                sku(
                    sku_id.replace("-OD", "-SPOT").replace("-CORE", "-SPOT-CORE"),
                    "Spot Preemptible " + description,
                    group,
                    "Preemptible",
                    unit * GCP_SPOT_RATIO,
                )
            )
            skus.append(
                sku(
                    sku_id + "-CUD1Y",
                    "Commitment v1: " + description,
                    group,
                    "Commit1Yr",
                    unit * (1 - GCP_CUD_DISCOUNT),
                )
            )
    skus.append(sku("N2-CORE", "N2 Instance Core running in Americas", "CPU", "OnDemand", 0.031611))
    skus.append(sku("PD-CAP", "Storage PD Capacity", "PDStandard", "OnDemand", 0.04))
    return skus


def _iso(ts: datetime) -> str:
    return ts.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


# --- gateway request logs --------------------------------------------------------------------------------


def _hourly_rate(dep: Deployment, ts: datetime, scale: float) -> float:
    if ts.day in dep.quiet_days or (dep.idle_nights and ts.hour < 6):
        return 0.0
    daily = 0.35 + 0.65 * max(0.0, np.sin((ts.hour - 8) / 24 * 2 * np.pi)) ** 1.5  # peak mid-afternoon UTC
    weekly = 1.0 if ts.weekday() < 5 else 0.45
    return dep.peak_requests_per_hour * daily * weekly * scale


def _write_gateway_logs(out_dir: Path, spec: SampleSpec, truth: _Truth) -> None:
    """The month's requests, kept numeric (30M requests fit in a few GB); each day's JSON is built on its own."""
    rng = np.random.default_rng(spec.seed)
    frames = []
    for d_idx, dep in enumerate(DEPLOYMENTS):
        if not dep.request_logs:
            continue
        hours = [spec.start + timedelta(hours=h) for h in range(spec.hours)]
        counts = rng.poisson([_hourly_rate(dep, ts, spec.scale) for ts in hours])
        n = int(counts.sum())
        truth.tokens[dep.name] = {
            "requests": n,
            "input_tokens": 0,
            "cached_input_tokens": 0,
            "output_tokens": 0,
        }
        if n == 0:
            continue
        mean_in, mean_out, ms_per_token, ttft_base = MODELS[dep.model]
        hour_start = np.repeat(np.array([int(ts.replace(tzinfo=UTC).timestamp()) for ts in hours]), counts)
        finished_us = hour_start * 1_000_000 + rng.integers(0, 3_600_000_000, n)
        input_tokens = np.maximum(1, rng.lognormal(np.log(mean_in) - 0.32, 0.8, n)).astype(np.int64)
        output_tokens = np.maximum(1, rng.lognormal(np.log(mean_out) - 0.32, 0.8, n)).astype(np.int64)
        cached = np.where(rng.random(n) < 0.35, (input_tokens * rng.uniform(0.3, 0.9, n)).astype(np.int64), 0)
        failed = rng.random(n) < 0.01
        output_tokens = np.where(failed, 0, output_tokens)
        ttft = ttft_base + input_tokens / 40.0 + rng.exponential(30.0, n)
        latency = ttft + output_tokens * ms_per_token * rng.uniform(0.8, 1.3, n)
        started_us = finished_us - (latency * 1000).astype(np.int64)
        team_index = np.array([TEAMS.index(t) for t in dep.teams], dtype=np.int8)
        team = team_index[rng.choice(len(dep.teams), n, p=list(dep.teams.values()))]
        ids = rng.integers(0, 2**63 - 1, n, dtype=np.int64)
        frames.append(
            pl.DataFrame(
                {
                    "id_number": ids,
                    "deployment_index": np.full(n, d_idx, dtype=np.int8),
                    "prompt_tokens": input_tokens,
                    "completion_tokens": output_tokens,
                    "cached_tokens": cached,
                    "team_index": team,
                    "started_us": started_us,
                    "finished_us": finished_us,
                    "latency_ms": np.round(latency, 1),
                    "ttft_ms": np.round(ttft, 1),
                    "failed": failed,
                }
            )
        )
        truth.tokens[dep.name].update(
            input_tokens=int(input_tokens.sum()),
            cached_input_tokens=int(cached.sum()),
            output_tokens=int(output_tokens.sum()),
        )
    # Ties broken by deployment and id: the same bytes every run.
    requests = pl.concat(frames).sort("finished_us", "deployment_index", "id_number")
    day_of = requests["finished_us"] // 86_400_000_000
    bounds = np.flatnonzero(np.diff(day_of.to_numpy(), prepend=-1, append=-1))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        writes = [
            pool.submit(_write_gateway_day, out_dir, requests.slice(int(lo), int(hi - lo)))
            for lo, hi in pairwise(bounds)
        ]
        for write in writes:
            write.result()


def _write_gateway_day(out_dir: Path, requests: pl.DataFrame) -> None:
    """One day of requests as the gateway's gzipped JSON lines (level 6, gzip's default, as log shippers write;
    mtime 0: identical bytes for identical data whatever the wall clock says)."""
    ts_fmt = "%Y-%m-%dT%H:%M:%S%.6fZ"
    deployments = {i: d for i, d in enumerate(DEPLOYMENTS)}
    index = pl.col("deployment_index")
    records = requests.select(
        pl.concat_str(pl.lit("chatcmpl-"), index.cast(pl.String), _hex(pl.col("id_number"))).alias("id"),
        pl.lit("chat.completion").alias("object"),
        (pl.col("started_us") // 1_000_000).alias("created"),
        index.replace_strict({i: d.model for i, d in deployments.items()}, return_dtype=pl.String).alias("model"),
        pl.struct(
            pl.col("prompt_tokens"),
            pl.col("completion_tokens"),
            (pl.col("prompt_tokens") + pl.col("completion_tokens")).alias("total_tokens"),
            pl.struct(pl.col("cached_tokens")).alias("prompt_tokens_details"),
        ).alias("usage"),
        pl.struct(
            index.replace_strict({i: d.name for i, d in deployments.items()}, return_dtype=pl.String).alias(
                "deployment"
            ),
            pl.col("team_index").replace_strict(dict(enumerate(TEAMS)), return_dtype=pl.String).alias("team"),
            pl.col("team_index")
            .replace_strict({i: _api_key_hash(t) for i, t in enumerate(TEAMS)}, return_dtype=pl.String)
            .alias("api_key_hash"),
            index.replace_strict({i: d.region for i, d in deployments.items()}, return_dtype=pl.String).alias("region"),
            pl.lit(None, dtype=pl.String).alias("instance_id"),
            pl.from_epoch("started_us", time_unit="us").dt.strftime(ts_fmt).alias("started_at"),
            pl.from_epoch("finished_us", time_unit="us").dt.strftime(ts_fmt).alias("finished_at"),
            "latency_ms",
            "ttft_ms",
            pl.when(pl.col("failed")).then(pl.lit("error")).otherwise(pl.lit("success")).alias("status"),
        ).alias("gateway"),
    )
    day = datetime.fromtimestamp(requests["finished_us"][0] / 1e6, UTC)
    path = out_dir / "tokens" / "gateway" / f"{day:%Y/%m/%d}"
    path.mkdir(parents=True, exist_ok=True)
    body = records.write_ndjson().encode()
    (path / f"gateway-{day:%Y%m%d}.jsonl.gz").write_bytes(gzip.compress(body, compresslevel=6, mtime=0))


def _hex(number: pl.Expr) -> pl.Expr:
    """A non-negative int64 as 16 hex digits (``f"{i:016x}"``), without a Python loop: its 8 big-endian bytes."""
    return number.map_batches(_big_endian_hex, return_dtype=pl.String)


def _big_endian_hex(numbers: pl.Series) -> pl.Series:
    values = numbers.to_numpy().astype(">u8")
    raw = pa.FixedSizeBinaryArray.from_buffers(pa.binary(8), len(values), [None, pa.py_buffer(values.tobytes())])
    return pl.Series(pl.from_arrow(raw)).cast(pl.Binary).bin.encode("hex")


def _api_key_hash(team: str) -> str:
    return hashlib.sha256(f"sk-demo-{team}".encode()).hexdigest()[:16]


# --- server counters (deployments without request logs) ----------------------------------------------------

SCRAPE_MINUTES = 5
RESTART_AT = (17, 12)  # day, hour: the first instance's server restarts, its counters begin again at zero


def _write_server_counters(out_dir: Path, spec: SampleSpec, truth: _Truth) -> None:
    """vLLM's token and request counters, one timestamped reading every five minutes, one file per instance-day.

    Tokens are generated between readings, and the restart happens right after a reading, so the counters lose
    nothing and the truth is every token generated.
    """
    rng = np.random.default_rng(spec.seed + 1)
    for dep in (d for d in DEPLOYMENTS if not d.request_logs):
        mean_in, mean_out, _, _ = MODELS[dep.model]
        totals = {"requests": 0, "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0}
        for instance in range(len(dep.tiers)):
            counters = {"input": 0, "output": 0, "requests": 0}
            for day in range(spec.hours // 24):
                samples: dict[str, list[str]] = {"input": [], "output": [], "requests": []}
                for tick in range(24 * 60 // SCRAPE_MINUTES):
                    ts = spec.start + timedelta(days=day, minutes=tick * SCRAPE_MINUTES)
                    if instance == 0 and (ts.day, ts.hour, ts.minute) == (*RESTART_AT, SCRAPE_MINUTES):
                        counters = {"input": 0, "output": 0, "requests": 0}  # restarted just after a reading
                    if tick or day:  # tokens generated since the previous reading
                        rate = _hourly_rate(dep, ts, spec.scale) * SCRAPE_MINUTES / 60 / len(dep.tiers)
                        n = int(rng.poisson(rate))
                        tokens_in = int(np.maximum(1, rng.lognormal(np.log(mean_in) - 0.32, 0.8, n)).sum()) if n else 0
                        tokens_out = (
                            int(np.maximum(1, rng.lognormal(np.log(mean_out) - 0.32, 0.8, n)).sum()) if n else 0
                        )
                        counters = {
                            k: counters[k] + v
                            for k, v in (("input", tokens_in), ("output", tokens_out), ("requests", n))
                        }
                        totals["requests"] += n
                        totals["input_tokens"] += tokens_in
                        totals["output_tokens"] += tokens_out
                    stamp = int(ts.replace(tzinfo=UTC).timestamp() * 1000)
                    for key in samples:
                        samples[key].append(f"{counters[key]}.0 {stamp}")
                day_start = spec.start + timedelta(days=day)
                path = out_dir / "tokens" / "metrics" / f"{day_start:%Y/%m/%d}" / dep.name / f"pod-{instance}.prom"
                path.parent.mkdir(parents=True, exist_ok=True)
                label = f'{{model_name="{dep.model}"}}'
                lines = []
                for key, metric, help_text in (
                    ("input", "vllm:prompt_tokens_total", "Number of prefill tokens processed."),
                    ("output", "vllm:generation_tokens_total", "Number of generation tokens processed."),
                    ("requests", "vllm:request_success_total", "Count of successfully processed requests."),
                ):
                    family = metric.removesuffix("_total")
                    lines += [f"# HELP {family} {help_text}", f"# TYPE {family} counter"]
                    lines += [f"{metric}{label} {sample}" for sample in samples[key]]
                path.write_text("\n".join(lines) + "\n")
        truth.tokens[dep.name] = totals
