"""What every writer of the sample month shares: the spec, the truth it accumulates, ids, time and traffic shapes."""

from __future__ import annotations

import calendar
import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from ingest.sample.fleet import CONFIG_CHANGES, ConfigChange, Deployment


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def us_holidays(first: date, last: date) -> tuple[date, ...]:
    """New Year's Day, Independence Day, Labor Day, Thanksgiving and Christmas between two days (inclusive)."""
    days = []
    for year in range(first.year, last.year + 1):
        days += [date(year, 1, 1), date(year, 7, 4), _nth_weekday(year, 9, 0, 1), _nth_weekday(year, 11, 3, 4)]
        days.append(date(year, 12, 25))
    return tuple(sorted(d for d in days if first <= d <= last))


@dataclass(frozen=True)
class History:
    """How the fleet's traffic moves over a sample of several months (truth.json records every event): it grows by
    ``monthly_growth`` (compounded daily), drops to ``holiday_traffic`` on US holidays, ``new_deployment`` starts
    half-way through (no VMs, no requests before), and ``step_team`` sends ``step_factor`` times its traffic from two
    thirds of the way on."""

    first_day: date
    last_day: date  # inclusive
    monthly_growth: float = 0.06
    holiday_traffic: float = 0.35
    new_deployment: str = "embed-llama8b-gcp"
    step_team: str = "support-bot"
    step_factor: float = 2.0
    holidays: tuple[date, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", us_holidays(self.first_day, self.last_day))

    @property
    def deployment_starts(self) -> date:
        return self.first_day + (self.last_day - self.first_day) / 2

    @property
    def step_day(self) -> date:
        return self.first_day + (self.last_day - self.first_day) * 2 / 3

    def active(self, deployment: str, ts: datetime) -> bool:
        """Whether the deployment runs (is billed and serves) at ``ts``."""
        return deployment != self.new_deployment or ts.date() >= self.deployment_starts

    def stepped_shares(self, dep: Deployment) -> list[float]:
        """The deployment's traffic shares from the step day on (the step team's grown), summing to one."""
        grown = [s * (self.step_factor if t == self.step_team else 1.0) for t, s in dep.teams.items()]
        return [s / sum(grown) for s in grown]

    def traffic_factor(self, dep: Deployment, ts: datetime) -> float:
        """The deployment's traffic at ``ts`` relative to its month-one shape."""
        if not self.active(dep.name, ts):
            return 0.0
        growth = (1 + self.monthly_growth) ** ((ts.date() - self.first_day).days / 30.4375)
        holiday = self.holiday_traffic if ts.date() in self.holidays else 1.0
        step = 1.0
        if self.step_team in dep.teams and ts.date() >= self.step_day:
            step = 1.0 + dep.teams[self.step_team] * (self.step_factor - 1.0)
        return growth * holiday * step

    def as_dict(self) -> dict:
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "monthly_growth": self.monthly_growth,
            "weekly_seasonality": "weekends at 45 % of weekdays",
            "holidays": {"days": [d.isoformat() for d in self.holidays], "traffic": self.holiday_traffic},
            "deployment_started": {"deployment": self.new_deployment, "day": self.deployment_starts.isoformat()},
            "team_step": {"team": self.step_team, "day": self.step_day.isoformat(), "factor": self.step_factor},
        }


@dataclass(frozen=True)
class SampleSpec:
    month: str = "2026-10"  # YYYY-MM
    seed: int = 7
    scale: float = 1.0  # multiplies request volume (1.0 ≈ 200k requests a month)
    fleet: int = 1  # multiplies each deployment's VMs, so the bill's line count (1 ≈ 21k lines a month)
    history: History | None = None  # a month of a multi-month history: traffic moves over time

    def active(self, deployment: str, ts: datetime) -> bool:
        return self.history is None or self.history.active(deployment, ts)

    def changes_in_force(self, dep: Deployment, ts: datetime) -> list[ConfigChange]:
        """The deployment's configuration changes made by ``ts`` (fleet.CONFIG_CHANGES, by day)."""
        return [c for c in CONFIG_CHANGES if c.deployment == dep.name and c.day <= ts.date()]

    def tier(self, dep: Deployment, index: int, tier: str, ts: datetime) -> str | None:
        """The pricing tier instance ``index`` runs on at ``ts`` (None: not running), after the changes so far."""
        current: str | None = tier
        for change in self.changes_in_force(dep, ts):
            current = change.tier(index % len(dep.tiers), current) if current is not None else None
        return current

    def latency_factor(self, dep: Deployment, ts: datetime) -> float:
        factor = 1.0
        for change in self.changes_in_force(dep, ts):
            factor *= change.latency_factor
        return factor

    def changes_this_month(self, dep: Deployment) -> list[ConfigChange]:
        return [c for c in CONFIG_CHANGES if c.deployment == dep.name and self.start.date() <= c.day < self.end.date()]

    def config_changes(self) -> list[dict]:
        """The changes made by the end of this month, with their true effects (truth.json)."""
        return [
            {
                "deployment": c.deployment,
                "day": c.day.isoformat(),
                "changed_fields": c.change,
                "description": c.description,
                "latency_factor": c.latency_factor,
                "instance_tiers": [[index, tier] for index, tier in c.instance_tiers],
            }
            for c in CONFIG_CHANGES
            if c.day < self.end.date()
        ]

    @cached_property
    def start(self) -> datetime:
        return datetime.strptime(self.month, "%Y-%m")  # asked once per line item written: parsed once

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
        # the true effects of the configuration changes made this month, by "deployment@day":
        # side (before/after) -> [direct EffectiveCost, GPU hours] of its instances; the p50 latency ratio
        self.change_cost: defaultdict[str, dict[str, list[float]]] = defaultdict(
            lambda: {"before": [0.0, 0.0], "after": [0.0, 0.0]}
        )
        self.change_p50_latency_ratio: dict[str, float] = {}

    def add_gpu_hours(self, spec: SampleSpec, dep: Deployment, ts: datetime, gpus: float) -> None:
        """An instance-hour's GPUs, on its side of each configuration change the month holds."""
        for change in spec.changes_this_month(dep):
            self.change_cost[f"{dep.name}@{change.day}"]["after" if ts.date() >= change.day else "before"][1] += gpus

    def add_deployment_cost(self, spec: SampleSpec, deployment: str, start: datetime, end: datetime, cost: float):
        """A deployment's billed line, spread evenly over its hours (as the warehouse spreads it) onto each side of
        every configuration change the month holds."""
        for change in (c for c in CONFIG_CHANGES if c.deployment == deployment):
            if not spec.start.date() <= change.day < spec.end.date():
                continue
            cut = max(start, min(end, datetime.combine(change.day, datetime.min.time())))
            hours = (end - start).total_seconds()
            sides = self.change_cost[f"{deployment}@{change.day}"]
            sides["before"][0] += cost * (cut - start).total_seconds() / hours
            sides["after"][0] += cost * (end - cut).total_seconds() / hours

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
            "config_changes": [self._with_effects(change) for change in spec.config_changes()],
        }

    def _with_effects(self, change: dict) -> dict:
        """A change with the true effects measured in this month, when it was made this month."""
        key = f"{change['deployment']}@{change['day']}"
        effects = {}
        cost = self.change_cost.get(key)
        if cost and cost["before"][1] and cost["after"][1]:
            before, after = (side[0] / side[1] for side in (cost["before"], cost["after"]))
            effects["true_direct_cost_per_gpu_hour_ratio"] = after / before
        if key in self.change_p50_latency_ratio:
            effects["true_p50_latency_ratio"] = self.change_p50_latency_ratio[key]
        return change | effects


def rounded(x: float) -> float:
    """An amount as the exports write it (8 decimals)."""
    return round(x, 8)


def resource_id(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:17]


def iso(ts: datetime) -> str:
    return ts.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


HARDWARE_SPECS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "hardware_specs.csv"


@cache
def _gpus_per_instance() -> dict[str, int]:
    with HARDWARE_SPECS.open(newline="") as fh:
        return {row["instance_type"]: int(row["gpu_count"]) for row in csv.DictReader(fh)}


def gpu_count(instance_type: str) -> int:
    """GPUs per instance, from the hardware seed the warehouse counts them with (an instance type it does not hold
    has none: the sample only bills GPU instances it names)."""
    return _gpus_per_instance()[instance_type]


def hourly_rate(dep: Deployment, ts: datetime, scale: float, history: History | None = None) -> float:
    """Requests an hour: a daily curve peaking mid-afternoon UTC, quieter weekends, idle nights and quiet days; over
    a history, its growth, holidays, start and step too."""
    if ts.day in dep.quiet_days or (dep.idle_nights and ts.hour < 6):
        return 0.0
    daily = 0.35 + 0.65 * max(0.0, np.sin((ts.hour - 8) / 24 * 2 * np.pi)) ** 1.5  # peak mid-afternoon UTC
    weekly = 1.0 if ts.weekday() < 5 else 0.45
    rate = dep.peak_requests_per_hour * daily * weekly * scale
    return rate * history.traffic_factor(dep, ts) if history is not None else rate
