"""The sample month's AWS side: a CUR 2.0 (Data Exports) delivery with its manifest.

Every line comes from a table: what one GPU instance-hour bills by pricing tier (``INSTANCE_HOUR_LINES``), the
hourly shared and out-of-scope lines, the daily storage, and the month's fees, credits and tax. The rows are
written in a fixed order and every random draw happens in it: same seed, same bytes.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingest.sample.common import SampleSpec, Truth, gpu_count, resource_id, rounded
from ingest.sample.cur2 import CUR2_SCHEMA, PAYER_ACCOUNT, write_cur2_delivery
from ingest.sample.fleet import (
    AWS_ON_DEMAND,
    DEPLOYMENTS,
    RESERVED_RATIO,
    SAVINGS_PLAN_RATIO,
    SPOT_RATIO_RANGE,
)

INFERENCE_ACCOUNT = "111111111111"
WEB_ACCOUNT = "222222222222"
SLA_CREDIT_USD = -500.0
PROMO_CREDIT_USD = -1000.0
AWS_TAX_RATE = 0.06
REGION_PREFIX = {"us-east-1": "USE1", "us-west-2": "USW2"}
SP_ARN = f"arn:aws:savingsplans::{PAYER_ACCOUNT}:savingsplan/3f1d-demo"
RI_ARN = f"arn:aws:ec2:us-west-2:{INFERENCE_ACCOUNT}:reserved-instances/ri-0demo"


@dataclass(frozen=True)
class Line:
    """One CUR line item: its type, product, usage type and amounts, and the columns that differ from the usual."""

    kind: str
    product: str
    usage_type: str
    cost: float
    effective: float
    account: str = INFERENCE_ACCOUNT
    resource: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    amount: float = 1.0
    unit: str = "Hrs"
    instance_type: str | None = None
    region: str | None = "us-east-1"
    public_cost: float | None = None
    term: str | None = None
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# What one GPU instance-hour bills, by pricing tier: (line type, usage type, cost, effective cost, term, extra
# columns, priced at on-demand). Amounts name the hour's prices: od (on-demand), spot (drawn per hour), sp (the
# Savings Plan rate), ri (the reserved rate), zero.
INSTANCE_HOUR_LINES: dict[str, tuple[tuple[str, str, str, str, str | None, str | None, bool], ...]] = {
    "on_demand": (("Usage", "BoxUsage", "od", "od", "OnDemand", None, True),),
    "spot": (("Usage", "SpotUsage", "spot", "spot", "Spot", None, True),),
    "savings_plan": (
        ("SavingsPlanCoveredUsage", "BoxUsage", "od", "sp", "OnDemand", "savings_plan_covered", True),
        ("SavingsPlanNegation", "BoxUsage", "-od", "zero", None, "savings_plan", False),
    ),
    "reserved": (("DiscountedUsage", "BoxUsage", "zero", "ri", "Reserved", "reservation", True),),
}


def _extra(name: str | None, effective: float) -> dict[str, Any]:
    """The commitment columns of an instance-hour line."""
    if name == "savings_plan_covered":
        return {
            "savings_plan_savings_plan_effective_cost": rounded(effective),
            "savings_plan_savings_plan_a_r_n": SP_ARN,
        }
    if name == "savings_plan":
        return {"savings_plan_savings_plan_a_r_n": SP_ARN}
    if name == "reservation":
        return {"reservation_effective_cost": rounded(effective), "reservation_reservation_a_r_n": RI_ARN}
    return {}


def _hour_prices(tier: str, od: float, rng: random.Random) -> dict[str, float]:
    spot = od * rng.uniform(*SPOT_RATIO_RANGE) if tier == "spot" else 0.0  # a draw only for a spot hour
    return {"od": od, "-od": -od, "spot": spot, "sp": od * SAVINGS_PLAN_RATIO, "ri": od * RESERVED_RATIO, "zero": 0.0}


def _instance_hour(dep, i: int, tier: str, rng: random.Random) -> list[Line]:
    if tier not in INSTANCE_HOUR_LINES:
        raise ValueError(f"unknown AWS tier {tier}")
    od = AWS_ON_DEMAND[dep.instance_type]
    prices = _hour_prices(tier, od, rng)
    tags = {"cpt:deployment": dep.name, "cpt:cluster": dep.cluster}
    prefix = REGION_PREFIX[dep.region]
    return [
        Line(
            kind,
            "AmazonEC2",
            f"{prefix}-{usage}:{dep.instance_type}",
            prices[cost],
            prices[effective],
            resource=resource_id("i-", dep.name, i),
            tags=tags,
            instance_type=dep.instance_type,
            region=dep.region,
            public_cost=od if priced else None,
            term=term,
            extra=_extra(extra, prices[effective]),
        )
        for kind, usage, cost, effective, term, extra, priced in INSTANCE_HOUR_LINES[tier]
    ]


def _shared_hour(rng: random.Random) -> list[Line]:
    """Shared inference overhead of each cluster, tagged to it: the EKS control plane and the gateway's load
    balancer (its capacity units drawn per hour)."""
    lines = []
    for cluster, region in (("eks-use1", "us-east-1"), ("eks-usw2", "us-west-2")):
        prefix, shared = REGION_PREFIX[region], {"cpt:shared": cluster}
        lcu = 0.0225 + 0.008 * rng.uniform(2, 12)
        for product, usage, cost, resource in (
            ("AmazonEKS", "AmazonEKS-Hours:perCluster", 0.10, f"eks:{region}:{INFERENCE_ACCOUNT}:cluster/{cluster}"),
            (
                "AWSELB",
                "LoadBalancerUsage",
                lcu,
                f"elasticloadbalancing:{region}:{INFERENCE_ACCOUNT}:loadbalancer/app/{cluster}-gw",
            ),
        ):
            lines.append(
                Line(
                    "Usage",
                    product,
                    f"{prefix}-{usage}",
                    cost,
                    cost,
                    resource=f"arn:aws:{resource}",
                    tags=shared,
                    region=region,
                    public_cost=cost,
                    term="OnDemand",
                )
            )
    return lines


# Out of scope, every hour: the web application's three servers and its database.
WEB_SERVERS = tuple(
    Line(
        "Usage",
        "AmazonEC2",
        "USE1-BoxUsage:m7i.2xlarge",
        0.4032,
        0.4032,
        account=WEB_ACCOUNT,
        resource=resource_id("i-", "web", i),
        instance_type="m7i.2xlarge",
        public_cost=0.4032,
        term="OnDemand",
        tags={"team": "web"},
    )
    for i in range(3)
)
WEB_HOUR_LINES = (
    *WEB_SERVERS,
    Line(
        "Usage",
        "AmazonRDS",
        "USE1-InstanceUsage:db.r6g.xlarge",
        0.478,
        0.478,
        account=WEB_ACCOUNT,
        resource=f"arn:aws:rds:us-east-1:{WEB_ACCOUNT}:db:web-db",
        public_cost=0.478,
        term="OnDemand",
    ),
)


def _storage_day(per_day: float, running: set[str]) -> list[Line]:
    """A day's share of the month's storage: each AWS deployment's model-weights volume (tagged to it), the
    weights bucket (shared by the us-east-1 cluster) and the web team's data lake (out of scope)."""
    volumes = [
        Line(
            "Usage",
            "AmazonEC2",
            f"{REGION_PREFIX[dep.region]}-EBS:VolumeUsage.gp3",
            500 * 0.08 * per_day,
            500 * 0.08 * per_day,
            resource=resource_id("vol-", dep.name),
            tags={"cpt:deployment": dep.name, "cpt:cluster": dep.cluster},
            region=dep.region,
            amount=500 * per_day,
            unit="GB-Mo",
            public_cost=500 * 0.08 * per_day,
            term="OnDemand",
        )
        for dep in DEPLOYMENTS
        if dep.provider == "aws" and dep.name in running
    ]
    buckets = [
        Line(
            "Usage",
            "AmazonS3",
            "USE1-TimedStorage-ByteHrs",
            gb * 0.023 * per_day,
            gb * 0.023 * per_day,
            account=account,
            resource=bucket,
            tags=tags,
            amount=gb * per_day,
            unit="GB-Mo",
            public_cost=gb * 0.023 * per_day,
            term="OnDemand",
        )
        for bucket, gb, account, tags in (
            ("acme-model-weights", 2048, INFERENCE_ACCOUNT, {"cpt:shared": "eks-use1"}),
            ("acme-data-lake", 40_000, WEB_ACCOUNT, {}),
        )
    ]
    return volumes + buckets


def _month_lines(spec: SampleSpec, ri_hourly: float) -> list[Line]:
    """The month's RI fee (fully used, so no unused cost), an SLA credit that follows the 70B instance, and a
    promotional credit for the whole web account."""
    sla_dep = DEPLOYMENTS[0]
    return [
        Line(
            "RIFee",
            "AmazonEC2",
            "USW2-HeavyUsage:p4d.24xlarge",
            ri_hourly * spec.hours,
            0.0,
            resource=RI_ARN,
            region="us-west-2",
            amount=spec.hours,
            description="p4d.24xlarge reserved instance fee",
            extra={
                "reservation_reservation_a_r_n": RI_ARN,
                "reservation_unused_amortized_upfront_fee_for_billing_period": 0.0,
                "reservation_unused_recurring_fee": 0.0,
            },
        ),
        Line(
            "Credit",
            "AmazonEC2",
            "USE1-BoxUsage:p5.48xlarge",
            SLA_CREDIT_USD,
            SLA_CREDIT_USD,
            resource=resource_id("i-", sla_dep.name, 1),
            region=sla_dep.region,
            tags={"cpt:deployment": sla_dep.name, "cpt:cluster": sla_dep.cluster},
            amount=0.0,
            description="AWS Service Level Agreement credit",
        ),
        Line(
            "Credit",
            "AmazonEC2",
            "Promotional credit",
            PROMO_CREDIT_USD,
            PROMO_CREDIT_USD,
            account=WEB_ACCOUNT,
            region=None,
            amount=0.0,
            description="AWS Activate credit",
        ),
    ]


def _row(line: Line, start: datetime, end: datetime, spec: SampleSpec) -> dict[str, Any]:
    region, resource = line.region, line.resource
    row = {
        "bill_billing_period_start_date": spec.start,
        "bill_billing_period_end_date": spec.end,
        "bill_payer_account_id": PAYER_ACCOUNT,
        "bill_invoice_id": f"EUINUS{spec.start:%Y%m}01",
        "line_item_usage_account_id": line.account,
        "line_item_line_item_type": line.kind,
        "line_item_usage_start_date": start,
        "line_item_usage_end_date": end,
        "line_item_product_code": line.product,
        "line_item_usage_type": line.usage_type,
        "line_item_resource_id": resource,
        "line_item_usage_amount": line.amount,
        "line_item_unblended_cost": rounded(line.cost),
        "line_item_line_item_description": line.description or f"{line.kind} {line.usage_type}",
        "line_item_currency_code": "USD",
        "line_item_availability_zone": f"{region}a" if region and resource else None,
        "pricing_public_on_demand_cost": None if line.public_cost is None else rounded(line.public_cost),
        "pricing_term": line.term,
        "pricing_unit": line.unit,
        "product_instance_type": line.instance_type,
        "product_region_code": region,
        "product_sku": hashlib.sha256(line.usage_type.encode()).hexdigest()[:16].upper(),
        **dict.fromkeys(f.name for f in CUR2_SCHEMA if f.name.startswith(("savings_plan_", "reservation_"))),
        "resource_tags": {f"user_{k}": v for k, v in sorted(line.tags.items())},
    }
    row.update(line.extra)
    return row


def write_aws_cur2(out_dir: Path, spec: SampleSpec, truth: Truth) -> None:
    rng = random.Random(spec.seed)
    rows: list[dict] = []

    def add(line: Line, start: datetime, end: datetime) -> None:
        rows.append(_row(line, start, end, spec))
        truth.add_line("aws", rounded(line.cost), rounded(line.effective), line.tags, tax=(line.kind == "Tax"))
        if "cpt:deployment" in line.tags:
            truth.add_deployment_cost(spec, line.tags["cpt:deployment"], start, end, rounded(line.effective))

    aws_deployments = [d for d in DEPLOYMENTS if d.provider == "aws"]
    ri_hourly = 0.0
    for h in range(spec.hours):
        start = spec.start + timedelta(hours=h)
        end = start + timedelta(hours=1)
        sp_used = 0.0
        for dep in (d for d in aws_deployments if spec.active(d.name, start)):
            for i, planned in enumerate(dep.tiers * spec.fleet):
                tier = spec.tier(dep, i, planned, start)
                if tier is None:
                    continue  # stopped by a configuration change
                truth.gpu_hours[dep.name] += gpu_count(dep.instance_type)
                truth.add_gpu_hours(spec, dep, start, gpu_count(dep.instance_type))
                for line in _instance_hour(dep, i, tier, rng):
                    add(line, start, end)
                    if line.kind == "SavingsPlanCoveredUsage":
                        sp_used += line.effective
                    if line.kind == "DiscountedUsage":
                        ri_hourly = line.effective
        # The Savings Plan's commitment: 5 % more than the usage it covered; the unused part is out of scope.
        commitment = sp_used * 1.05
        fee = Line(
            "SavingsPlanRecurringFee",
            "ComputeSavingsPlans",
            "ComputeSP:1yrNoUpfront",
            commitment,
            commitment - rounded(sp_used),
            resource=SP_ARN,
            region=None,
            description="1 year No Upfront Compute Savings Plan",
            extra={
                "savings_plan_savings_plan_a_r_n": SP_ARN,
                "savings_plan_total_commitment_to_date": rounded(commitment),
                "savings_plan_used_commitment": rounded(sp_used),
            },
        )
        for line in (fee, *_shared_hour(rng), *WEB_HOUR_LINES):
            add(line, start, end)
    days = spec.hours // 24
    for d in range(days):
        day = spec.start + timedelta(days=d)
        running = {dep.name for dep in aws_deployments if spec.active(dep.name, day)}
        for line in _storage_day(1.0 / days, running):
            add(line, day, day + timedelta(days=1))
    for line in _month_lines(spec, ri_hourly):
        add(line, spec.start, spec.end)
    for account in (INFERENCE_ACCOUNT, WEB_ACCOUNT):  # tax on each account's charges before credits
        base = sum(
            r["line_item_unblended_cost"]
            for r in rows
            if r["line_item_usage_account_id"] == account and r["line_item_line_item_type"] != "Credit"
        )
        tax = round(base * AWS_TAX_RATE, 2)
        line = Line(
            "Tax", "AmazonEC2", "Tax", tax, tax, account=account, region=None, amount=0.0, description="Sales tax"
        )
        add(line, spec.start, spec.end)
    write_cur2_delivery(out_dir / "aws", pa.Table.from_pylist(rows, schema=CUR2_SCHEMA), spec.month)
