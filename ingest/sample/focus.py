"""The sample month's Azure and OCI side, delivered as FOCUS 1.2 exports (the generic FOCUS source reads them):

    focus/azure/cpt-focus/YYYYMMDD-YYYYMMDD/<run>/part_0_0001.csv.gz   Cost Management's FOCUS export (a run folder)
    focus/oci/FOCUS Reports/YYYY/MM/DD/<n>.csv.gz                      OCI's FOCUS reports (a file a day)

Azure: the deployments run on a monthly-paid reservation — each usage hour billed 0 with its amortized cost as
EffectiveCost, the month's reservation fee a Purchase line (billed, no effective cost) — plus the AKS cluster's
uptime fee (shared) and an untagged storage account (out of scope). OCI: bare-metal GPU shapes on demand, the OKE
cluster's fee (shared) and block volumes (out of scope). Tags as the ``Tags`` JSON, the VM size or shape in
``SkuPriceDetails``; each provider adds a column of its own, as the real exports do (Azure's ``x_…`` ones are kept
in bronze, OCI's ``oci_…`` ones are not FOCUS columns and are dropped).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from ingest.sample.common import SampleSpec, Truth, gpu_count, iso, resource_id, rounded
from ingest.sample.fleet import DEPLOYMENTS, FOCUS_CLOUDS, RESERVED_RATIO, FocusCloud

# FOCUS 1.2's columns, in the order the exports write them (any order is read).
COLUMNS = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingAccountType",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "Tags",
)


def write_focus_clouds(out_dir: Path, spec: SampleSpec, truth: Truth) -> None:
    """Each FOCUS cloud's month (fleet.FOCUS_CLOUDS) as its export writes it."""
    for cloud in FOCUS_CLOUDS:
        rows = _month_rows(cloud, spec, truth)
        if cloud.daily_files:
            by_day: dict[str, list[dict]] = {}
            for row in rows:
                by_day.setdefault(row["ChargePeriodStart"][:10], []).append(row)
            for number, (day, day_rows) in enumerate(sorted(by_day.items()), start=1):
                folder = out_dir / "focus" / cloud.provider / cloud.export / day.replace("-", "/")
                _write_csv_gz(folder / f"{spec.start:%Y%m}{number:08d}.csv.gz", cloud, day_rows)
        else:
            run = hashlib.sha256(f"{cloud.provider}/{spec.month}/{spec.seed}".encode()).hexdigest()
            run_id = f"{run[:8]}-{run[8:12]}-{run[12:16]}-{run[16:20]}-{run[20:32]}"
            period = f"{spec.start:%Y%m%d}-{spec.end - timedelta(days=1):%Y%m%d}"
            folder = out_dir / "focus" / cloud.provider / cloud.export / period / run_id
            _write_csv_gz(folder / "part_0_0001.csv.gz", cloud, rows)


def _write_csv_gz(path: Path, cloud: FocusCloud, rows: list[dict]) -> None:
    columns = [*COLUMNS, *cloud.own_columns]
    values = [{**cloud.own_columns, **row} for row in rows]
    frame = pl.DataFrame([{c: v.get(c) for c in columns} for v in values], schema=dict.fromkeys(columns, pl.String))
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))  # mtime 0: the same bytes every time


def _month_rows(cloud: FocusCloud, spec: SampleSpec, truth: Truth) -> list[dict]:
    month = {"BillingPeriodStart": iso(spec.start), "BillingPeriodEnd": iso(spec.end)}
    common = {
        **month,
        "BillingAccountId": cloud.billing_account,
        "BillingAccountName": "ACME Corp",
        "BillingAccountType": cloud.billing_account_type,
        "BillingCurrency": "USD",
        "PricingCurrency": "USD",
        "InvoiceIssuerName": cloud.provider_name,
        "ProviderName": cloud.provider_name,
        "PublisherName": cloud.provider_name,
        "SubAccountId": cloud.sub_account,
        "SubAccountName": "inference-prod",
        "SubAccountType": cloud.sub_account_type,
        "InvoiceId": f"{cloud.invoice_prefix}{spec.start:%Y%m}" if cloud.invoice_prefix else None,
    }
    rows: list[dict] = []

    def add(start: datetime, end: datetime, cost: float, effective: float, tags: dict[str, str], **columns) -> None:
        rows.append(
            {
                **common,
                "ChargePeriodStart": iso(start),
                "ChargePeriodEnd": iso(end),
                "BilledCost": f"{rounded(cost)}",
                "EffectiveCost": f"{rounded(effective)}",
                "ListCost": f"{rounded(columns.pop('list_cost', cost))}",
                "ContractedCost": f"{rounded(columns.pop('contracted_cost', cost))}",
                "Tags": json.dumps(tags, sort_keys=True),
                "ChargeClass": None,
                **columns,
            }
        )
        truth.add_line(cloud.provider, rounded(cost), rounded(effective), tags)
        if "cpt-deployment" in tags:
            truth.add_deployment_cost(spec, tags["cpt-deployment"], start, end, rounded(effective))

    reserved_hours = 0
    for h in range(spec.hours):
        start = spec.start + timedelta(hours=h)
        end = start + timedelta(hours=1)
        for dep in (d for d in DEPLOYMENTS if d.provider == cloud.provider):
            if not spec.active(dep.name, start):
                continue
            tags = {"cpt-deployment": dep.name, "cpt-cluster": dep.cluster}
            rate = cloud.on_demand[dep.instance_type]
            for i, planned in enumerate(dep.tiers * spec.fleet):
                tier = spec.tier(dep, i, planned, start)
                if tier is None:
                    continue
                gpus = gpu_count(dep.instance_type)
                truth.gpu_hours[dep.name] += gpus
                truth.add_gpu_hours(spec, dep, start, gpus)
                usage = {
                    "ChargeCategory": "Usage",
                    "ChargeFrequency": "Usage-Based",
                    "ChargeDescription": f"{dep.instance_type} ({gpus} GPUs)",
                    "ConsumedQuantity": "1",
                    "ConsumedUnit": "Hours",
                    "PricingQuantity": "1",
                    "PricingUnit": "Hours",
                    "ListUnitPrice": f"{rate}",
                    "RegionId": dep.region,
                    "RegionName": cloud.region_name,
                    "AvailabilityZone": cloud.zone,
                    "ResourceId": resource_id(cloud.resource_prefix, dep.name, i),
                    "ResourceName": f"{dep.name}-{i}",
                    "ResourceType": cloud.vm_resource_type,
                    "ServiceCategory": "Compute",
                    "ServiceSubcategory": "Virtual Machines",
                    "ServiceName": cloud.compute_service,
                    "SkuId": cloud.sku(dep.instance_type),
                    "SkuPriceId": cloud.sku(dep.instance_type) + "-" + dep.region,
                    "SkuMeter": "Compute Usage",
                    "SkuPriceDetails": json.dumps({cloud.size_key: dep.instance_type, "GpuCount": gpus}),
                }
                if tier == "reserved":
                    reserved_hours += 1
                    amortized = rounded(rate * RESERVED_RATIO)
                    add(
                        start,
                        end,
                        0.0,
                        amortized,
                        tags,
                        list_cost=rate,
                        contracted_cost=amortized,
                        ContractedUnitPrice=f"{amortized}",
                        PricingCategory="Committed",
                        CommitmentDiscountCategory="Usage",
                        CommitmentDiscountId=cloud.reservation_id,
                        CommitmentDiscountName=f"{dep.instance_type} 1 year",
                        CommitmentDiscountType="Reservation",
                        CommitmentDiscountStatus="Used",
                        CommitmentDiscountQuantity="1",
                        CommitmentDiscountUnit="Hours",
                        **usage,
                    )
                else:
                    add(
                        start, end, rate, rate, tags, PricingCategory="Standard", ContractedUnitPrice=f"{rate}", **usage
                    )
        add(
            start,
            end,
            cloud.cluster_fee,
            cloud.cluster_fee,
            {"cpt-shared": cloud.cluster},
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeDescription=f"{cloud.cluster_service} cluster management",
            ConsumedQuantity="1",
            ConsumedUnit="Hours",
            PricingQuantity="1",
            PricingUnit="Hours",
            PricingCategory="Standard",
            RegionId=cloud.region,
            RegionName=cloud.region_name,
            ResourceId=resource_id(cloud.resource_prefix, cloud.cluster),
            ResourceName=cloud.cluster,
            ResourceType="Kubernetes cluster",
            ServiceCategory="Compute",
            ServiceSubcategory="Containers",
            ServiceName=cloud.cluster_service,
            SkuId=cloud.sku(cloud.cluster_service),
        )
    for d in range(spec.hours // 24):
        start = spec.start + timedelta(days=d)
        add(
            start,
            start + timedelta(days=1),
            cloud.storage_per_day + (d % 5) * 0.25,
            cloud.storage_per_day + (d % 5) * 0.25,
            {"team": "analytics"},
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeDescription=f"{cloud.storage_service} capacity",
            ConsumedQuantity="2048",
            ConsumedUnit="GB-Months",
            PricingQuantity="2048",
            PricingUnit="GB-Months",
            PricingCategory="Standard",
            RegionId=cloud.region,
            RegionName=cloud.region_name,
            ResourceId=resource_id(cloud.resource_prefix, "analytics-storage"),
            ServiceCategory="Storage",
            ServiceSubcategory=cloud.storage_subcategory,
            ServiceName=cloud.storage_service,
            SkuId=cloud.sku(cloud.storage_service),
        )
    if reserved_hours:  # the reservation's fee for the month: what the used hours' amortized cost adds up to
        fee = sum(float(r["EffectiveCost"]) for r in rows if r.get("CommitmentDiscountStatus") == "Used")
        add(
            spec.start,
            spec.end,
            fee,
            0.0,
            {},
            list_cost=fee,
            ChargeCategory="Purchase",
            ChargeFrequency="Recurring",
            ChargeDescription="Reserved VM instance, 1 year, monthly payment",
            CommitmentDiscountCategory="Usage",
            CommitmentDiscountId=cloud.reservation_id,
            CommitmentDiscountType="Reservation",
            PricingCategory="Committed",
            PricingQuantity=str(reserved_hours),
            PricingUnit="Hours",
            ServiceCategory="Compute",
            ServiceSubcategory="Virtual Machines",
            ServiceName=cloud.compute_service,
        )
    return rows
