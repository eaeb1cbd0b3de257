"""The allocation policies a run can choose (ALLOCATION.md explains each): the one list of their values, used by
the run config of the dbt assets and by `cpt run`'s options. dbt_project.yml holds the defaults."""

from enum import Enum


class AllocationKey(Enum):
    weighted_tokens = "weighted_tokens"
    output_tokens = "output_tokens"
    gpu_seconds = "gpu_seconds"


class IdlePolicy(Enum):
    share_by_usage = "share_by_usage"
    owner = "owner"
    central = "central"


class SharedPolicy(Enum):
    gpu_cost = "gpu_cost"
    even = "even"
    fixed = "fixed"
