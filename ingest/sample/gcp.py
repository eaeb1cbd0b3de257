"""The sample month's GCP side: the detailed billing export (JSONL) and the Cloud Billing catalog's SKUs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from ingest.sample.common import SampleSpec, Truth, gpu_count, iso, rounded
from ingest.sample.fleet import DEPLOYMENTS, GCP_CUD_DISCOUNT, GCP_SKUS, GCP_SPOT_RATIO

GCP_BILLING_ACCOUNT = "01ABCD-23EF45-67GH89"
GCP_PROJECT = "acme-inference-prod"
GCP_TAX_RATE = 0.05


def write_gcp_export(out_dir: Path, spec: SampleSpec, truth: Truth) -> None:
    rows: list[dict] = []
    invoice_month = spec.start.strftime("%Y%m")
    export_time = iso(spec.end + timedelta(hours=6))
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
                "usage_start_time": iso(start),
                "usage_end_time": iso(end),
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
                "cost": rounded(cost),
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
                "cost_at_list": rounded(cost if list_cost is None else list_cost),
            }
        )
        net = rounded(cost) + sum(c["amount"] for c in credits)
        truth.add_line("gcp", net, net, labels, tax=(cost_type == "tax"))
        if "cpt-deployment" in labels:
            truth.add_deployment_cost(spec, labels["cpt-deployment"], start, end, net)

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
            if not spec.active(dep.name, start):
                continue  # not started yet: no VMs, nothing billed
            for i, planned in enumerate(dep.tiers * spec.fleet):
                tier = spec.tier(dep, i, planned, start)
                if tier is None:
                    continue  # stopped by a configuration change
                resource = (
                    f"//compute.googleapis.com/projects/{GCP_PROJECT}/zones/us-central1-a/instances/{dep.name}-{i}"
                )
                truth.gpu_hours[dep.name] += gpu_count(dep.instance_type)
                truth.add_gpu_hours(spec, dep, start, gpu_count(dep.instance_type))
                for sku_id, description, price in GCP_SKUS[dep.instance_type]:
                    cost = price * (GCP_SPOT_RATIO if tier == "spot" else 1.0)
                    # GPU SKUs are billed in GPU-hours, core/RAM SKUs in VM-hours.
                    hours = float(gpu_count(dep.instance_type)) if "GPU" in description else 1.0
                    if tier == "spot":
                        description = "Spot Preemptible " + description
                        sku_id = sku_id.replace("-OD", "-SPOT").replace("-CORE", "-SPOT-CORE")
                    credits = []
                    if tier == "committed_use":
                        credits.append(
                            {
                                "name": f"Committed use discount: {description}",
                                "amount": rounded(-cost * GCP_CUD_DISCOUNT),
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
    effective = iso(spec.start - timedelta(days=30))

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
        gpus = gpu_count(machine)
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
