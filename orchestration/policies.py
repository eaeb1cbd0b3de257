"""The allocation policies a run can choose (ALLOCATION.md explains each). Their values and defaults are written
once, in dbt_project.yml (var cpt_policy_choices, and each policy's own var): the macro that validates them reads
them there, and these enums — the run config of the dbt assets and `cpt run`'s options — are made from them."""

from enum import Enum
from pathlib import Path

import yaml

DBT_PROJECT_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "dbt_project.yml"


def policy_choices(project_file: Path = DBT_PROJECT_FILE) -> dict[str, list[str]]:
    """Each policy var's allowed values, as dbt_project.yml lists them."""
    return yaml.safe_load(project_file.read_text())["vars"]["cpt_policy_choices"]


_CHOICES = policy_choices()
# Members made from data, which a type checker cannot list (it needs them written out): the point of the module.
AllocationKey = Enum("AllocationKey", {value: value for value in _CHOICES["cpt_allocation_key"]})  # type: ignore[misc]
IdlePolicy = Enum("IdlePolicy", {value: value for value in _CHOICES["cpt_idle_policy"]})  # type: ignore[misc]
SharedPolicy = Enum("SharedPolicy", {value: value for value in _CHOICES["cpt_shared_policy"]})  # type: ignore[misc]
