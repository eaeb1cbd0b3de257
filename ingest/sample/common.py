"""What every writer of the sample month shares: the spec, the truth it accumulates, ids, time and traffic shapes."""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from ingest.sample.fleet import Deployment


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


class Truth:
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


def rounded(x: float) -> float:
    """An amount as the exports write it (8 decimals)."""
    return round(x, 8)


def resource_id(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:17]


def iso(ts: datetime) -> str:
    return ts.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def gpu_count(instance_type: str) -> int:
    return {"p5.48xlarge": 8, "p4d.24xlarge": 8, "g6e.xlarge": 1, "a3-highgpu-8g": 8, "g2-standard-8": 1}[instance_type]


def hourly_rate(dep: Deployment, ts: datetime, scale: float) -> float:
    """Requests an hour: a daily curve peaking mid-afternoon UTC, quieter weekends, idle nights and quiet days."""
    if ts.day in dep.quiet_days or (dep.idle_nights and ts.hour < 6):
        return 0.0
    daily = 0.35 + 0.65 * max(0.0, np.sin((ts.hour - 8) / 24 * 2 * np.pi)) ** 1.5  # peak mid-afternoon UTC
    weekly = 1.0 if ts.weekday() < 5 else 0.45
    return dep.peak_requests_per_hour * daily * weekly * scale
