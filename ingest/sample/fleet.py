"""The fictional company behind the sample data: its deployments, teams, models, prices.

Kept apart from the generator so that tests and docs can name the fleet without generating anything.
Prices are public on-demand list prices (AWS: us-east-1 Linux, from the public price list; GCP:
us-central1) rounded; discounts are typical ratios, not quotes.
"""

from __future__ import annotations

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
    provider: str  # "aws" | "gcp"
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
)

CLUSTERS = {"eks-use1": "aws", "eks-usw2": "aws", "gke-usc1": "gcp"}


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
