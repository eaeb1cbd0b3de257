"""The fictional company behind the sample data: its deployments, teams, models, prices.

Kept apart from the generator so that tests and docs can name the fleet without generating anything.
Prices are public on-demand list prices (AWS: us-east-1 Linux, from the public price list; GCP:
us-central1; Azure: East US; OCI: per GPU-hour) rounded; discounts are typical ratios, not quotes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

TEAMS = ("search", "support-bot", "research", "devtools", "marketing")

MODELS = {
    # model: (mean input tokens, mean output tokens, ms per output token, base TTFT ms)
    "llama-3.1-70b-instruct": (900, 280, 22.0, 180.0),
    "llama-3.1-8b-instruct": (600, 220, 7.0, 60.0),
    "qwen2.5-coder-32b-instruct": (1800, 350, 14.0, 140.0),
    "mixtral-8x7b-instruct": (1200, 400, 11.0, 120.0),
}

# instance type: on-demand USD per hour (whole VM)
AWS_ON_DEMAND = {"p5.48xlarge": 55.04, "p4d.24xlarge": 21.957642, "g6e.xlarge": 1.861}
# The public price list (us-east-1 on-demand, USD per instance-hour) of every AWS GPU instance type the hardware seed
# knows, and each region's price against us-east-1 (a region missing from an instance's tuple does not offer it).
AWS_LIST_PRICES = {
    **AWS_ON_DEMAND,
    "p5e.48xlarge": 63.296,
    "p4de.24xlarge": 27.44705,
    "g6e.12xlarge": 10.493,
    "g6e.48xlarge": 30.131,
    "g6.xlarge": 0.8048,
    "g6.12xlarge": 4.6016,
    "g5.xlarge": 1.006,
    "g5.12xlarge": 5.672,
    "g5.48xlarge": 16.288,
}
AWS_REGION_PRICE_FACTORS = {
    "us-east-1": 1.0,
    "us-east-2": 0.94,
    "us-west-2": 1.0,
    "eu-west-1": 1.1,
    "ap-northeast-1": 1.24,
}
AWS_REGIONS_OFFERING = {"p5e.48xlarge": ("us-east-2", "us-west-2"), "p4de.24xlarge": ("us-east-1", "us-west-2")}
SAVINGS_PLAN_RATIO = 0.62  # SP rate / on-demand
RESERVED_RATIO = 0.58  # 3-year no-upfront RI effective rate / on-demand
SPOT_RATIO_RANGE = (0.32, 0.48)

# GCP VMs are billed as a GPU SKU plus a core/RAM SKU per VM-hour.
GCP_SKUS = {
    "a3-highgpu-8g": (
        ("E1D4-H100-OD", "Nvidia H100 80GB GPU running in Americas", 8 * 9.796),
        ("E1D4-A3-CORE", "A3 Instance Core and Ram running in Americas", 10.12),
    ),
    "g2-standard-8": (
        ("F2A1-L4-OD", "Nvidia L4 GPU running in Americas", 0.56),
        ("F2A1-G2-CORE", "G2 Instance Core and Ram running in Americas", 0.2896),
    ),
}
GCP_SPOT_RATIO = 0.4
GCP_CUD_DISCOUNT = 0.37  # committed-use credit as a share of the usage cost


@dataclass(frozen=True)
class Deployment:
    name: str
    model: str
    provider: str  # "aws" | "gcp" | "azure" | "oci"
    region: str
    cluster: str
    instance_type: str
    tiers: tuple[str, ...]  # pricing tier of each instance
    teams: dict[str, float]  # share of traffic per team
    peak_requests_per_hour: float  # at scale 1
    idle_nights: bool = False  # no traffic 00:00-05:59 UTC
    quiet_days: tuple[int, ...] = field(default=())  # days of month with no traffic at all
    request_logs: bool = True  # False: only the servers' Prometheus token counters are available


DEPLOYMENTS = (
    Deployment(
        "chat-llama70b-use1",
        "llama-3.1-70b-instruct",
        "aws",
        "us-east-1",
        "eks-use1",
        "p5.48xlarge",
        ("savings_plan", "on_demand"),
        {"search": 0.4, "support-bot": 0.35, "research": 0.25},
        260.0,
    ),
    Deployment(
        "chat-llama8b-use1",
        "llama-3.1-8b-instruct",
        "aws",
        "us-east-1",
        "eks-use1",
        "g6e.xlarge",
        ("on_demand", "on_demand", "spot", "spot"),
        {"support-bot": 0.5, "marketing": 0.3, "search": 0.2},
        420.0,
    ),
    Deployment(
        "code-qwen32b-usw2",
        "qwen2.5-coder-32b-instruct",
        "aws",
        "us-west-2",
        "eks-usw2",
        "p4d.24xlarge",
        ("reserved",),
        {"devtools": 0.8, "research": 0.2},
        180.0,
        idle_nights=True,
    ),
    Deployment(
        "batch-mixtral-usw2",
        "mixtral-8x7b-instruct",
        "aws",
        "us-west-2",
        "eks-usw2",
        "g6e.xlarge",
        ("spot", "spot"),
        {"research": 0.6, "marketing": 0.4},
        120.0,
        idle_nights=True,
        quiet_days=(10, 11, 12, 13, 14),
    ),
    Deployment(
        "summarize-vllm-usw2",
        "llama-3.1-8b-instruct",
        "aws",
        "us-west-2",
        "eks-usw2",
        "g6e.xlarge",
        ("on_demand",),
        {"research": 1.0},
        90.0,
        request_logs=False,
    ),
    Deployment(
        "chat-llama70b-gcp",
        "llama-3.1-70b-instruct",
        "gcp",
        "us-central1",
        "gke-usc1",
        "a3-highgpu-8g",
        ("committed_use",),
        {"search": 0.5, "support-bot": 0.5},
        200.0,
    ),
    Deployment(
        "embed-llama8b-gcp",
        "llama-3.1-8b-instruct",
        "gcp",
        "us-central1",
        "gke-usc1",
        "g2-standard-8",
        ("on_demand", "spot"),
        {"marketing": 0.5, "devtools": 0.5},
        150.0,
        idle_nights=True,
    ),
    Deployment(
        "chat-llama70b-azure",
        "llama-3.1-70b-instruct",
        "azure",
        "eastus",
        "aks-eus",
        "Standard_ND96isr_H100_v5",
        ("reserved",),
        {"support-bot": 0.6, "marketing": 0.4},
        160.0,
    ),
    Deployment(
        "code-qwen32b-oci",
        "qwen2.5-coder-32b-instruct",
        "oci",
        "us-ashburn-1",
        "oke-iad",
        "BM.GPU.H100.8",
        ("on_demand",),
        {"devtools": 0.7, "research": 0.3},
        140.0,
        idle_nights=True,
    ),
)

CLUSTERS = {"eks-use1": "aws", "eks-usw2": "aws", "gke-usc1": "gcp", "aks-eus": "azure", "oke-iad": "oci"}


@dataclass(frozen=True)
class FocusCloud:
    """A cloud whose bill the sample delivers as a FOCUS 1.2 export (``focus.py``): its names and ids, where
    its export writes, and its prices (public on-demand list prices, rounded)."""

    provider: str  # the warehouse's provider code (dbt var cpt_provider_codes maps ProviderName to it)
    provider_name: str  # FOCUS ProviderName
    export: str  # the export's folder under focus/<provider>/
    daily_files: bool  # a file per day in YYYY/MM/DD folders (OCI) or a run folder per month (Azure)
    billing_account: str
    billing_account_type: str
    sub_account: str
    sub_account_type: str
    invoice_prefix: str | None
    region: str
    region_name: str
    zone: str | None
    on_demand: dict[str, float]  # instance type: USD per instance-hour
    size_key: str  # the SkuPriceDetails key naming the VM size or shape
    compute_service: str
    vm_resource_type: str
    resource_prefix: str
    cluster: str
    cluster_service: str
    cluster_fee: float  # USD per cluster-hour
    storage_service: str
    storage_subcategory: str
    storage_per_day: float
    reservation_id: str | None
    own_columns: dict[str, str]  # the provider's own columns, the same on every row

    def sku(self, name: str) -> str:
        return hashlib.sha256(f"{self.provider}/{name}".encode()).hexdigest()[:12].upper()


FOCUS_CLOUDS = (
    FocusCloud(
        provider="azure",
        provider_name="Microsoft",
        export="cpt-focus",
        daily_files=False,
        billing_account="/providers/Microsoft.Billing/billingAccounts/8611537",
        billing_account_type="Billing Account",
        sub_account="7a1c2f3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
        sub_account_type="Subscription",
        invoice_prefix="G0",
        region="eastus",
        region_name="East US",
        zone="1",
        on_demand={"Standard_ND96isr_H100_v5": 98.32},
        size_key="VMSize",
        compute_service="Virtual Machines",
        vm_resource_type="Virtual machine",
        resource_prefix="/subscriptions/7a1c2f3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b/resourceGroups/rg-inference/providers/"
        "Microsoft.Compute/virtualMachines/",
        cluster="aks-eus",
        cluster_service="Azure Kubernetes Service",
        cluster_fee=0.10,
        storage_service="Storage",
        storage_subcategory="Object Storage",
        storage_per_day=4.1,
        reservation_id="/providers/Microsoft.Capacity/reservationOrders/5f1e/reservations/9c2d",
        own_columns={"x_ResourceGroupName": "rg-inference", "x_SkuMeterCategory": "Virtual Machines"},
    ),
    FocusCloud(
        provider="oci",
        provider_name="Oracle",
        export="FOCUS Reports",
        daily_files=True,
        billing_account="ocid1.tenancy.oc1..aaaaaaaacmeinference",
        billing_account_type="Tenancy",
        sub_account="ocid1.compartment.oc1..aaaaaaaainferenceprod",
        sub_account_type="Compartment",
        invoice_prefix=None,
        region="us-ashburn-1",
        region_name="US East (Ashburn)",
        zone="iad-AD-1",
        on_demand={"BM.GPU.H100.8": 80.0},  # 8 × $10.00 per GPU-hour
        size_key="Shape",
        compute_service="Compute",
        vm_resource_type="Instance",
        resource_prefix="ocid1.instance.oc1.iad.",
        cluster="oke-iad",
        cluster_service="Container Engine for Kubernetes",
        cluster_fee=0.10,
        storage_service="Block Storage",
        storage_subcategory="Block Storage",
        storage_per_day=2.6,
        reservation_id=None,
        own_columns={"oci_CompartmentName": "inference-prod"},
    ),
)


@dataclass(frozen=True)
class ConfigChange:
    """A configuration change of a deployment, from a UTC day on: what dbt_project/seeds/deployment_configs.csv
    records for the same day, and its true effect on what the sample writes (truth.json lists both)."""

    deployment: str
    day: date
    change: str  # the seed columns that change (dim_deployment_configs.changed_fields)
    description: str
    latency_factor: float = 1.0  # decode time per output token × this
    # (instance index, its pricing tier from the day on; None: stopped)
    instance_tiers: tuple[tuple[int, str | None], ...] = ()

    def tier(self, index: int, tier: str) -> str | None:
        return dict(self.instance_tiers).get(index, tier)


CONFIG_CHANGES = (
    ConfigChange(
        "chat-llama8b-use1",
        date(2026, 9, 8),
        "speculative_decoding, draft_model",
        "speculative decoding on (a 1B draft model): each output token decoded in 0.45 of the time",
        latency_factor=0.45,
    ),
    ConfigChange(
        "batch-mixtral-usw2",
        date(2026, 9, 14),
        "max_batch_size",
        "max batch size 64 → 128: more sequences per step, each 1.3 times slower",
        latency_factor=1.3,
    ),
    ConfigChange(
        "summarize-vllm-usw2",
        date(2026, 9, 21),
        "pricing_tier",
        "moved from on-demand to spot capacity",
        instance_tiers=((0, "spot"),),
    ),
    ConfigChange(
        "chat-llama70b-use1",
        date(2026, 10, 6),
        "quantization, kv_cache_dtype, gpu_count, pricing_tier",
        "INT8 weights and KV cache: the same traffic on one p5.48xlarge (the on-demand one stopped)",
        instance_tiers=((1, None),),
    ),
)
