"""The allocation policy values are written once (dbt_project.yml's cpt_policy_choices): the enums of the run
config and the CLI are made from them, and each policy's default is one of them."""

from __future__ import annotations

import yaml

from orchestration.policies import DBT_PROJECT_FILE, AllocationKey, IdlePolicy, SharedPolicy, policy_choices


def test_the_enums_are_the_dbt_project_choices_and_each_default_is_one_of_them():
    choices = policy_choices()
    assert [e.value for e in AllocationKey] == choices["cpt_allocation_key"]
    assert [e.value for e in IdlePolicy] == choices["cpt_idle_policy"]
    assert [e.value for e in SharedPolicy] == choices["cpt_shared_policy"]
    project_vars = yaml.safe_load(DBT_PROJECT_FILE.read_text())["vars"]
    for name, allowed in choices.items():
        assert project_vars[name] in allowed, name


def test_a_new_choice_in_the_dbt_project_reaches_the_enums(tmp_path):
    text = DBT_PROJECT_FILE.read_text().replace("[gpu_cost, even, fixed]", "[gpu_cost, even, fixed, by_memory]")
    (tmp_path / "dbt_project.yml").write_text(text)
    assert policy_choices(tmp_path / "dbt_project.yml")["cpt_shared_policy"][-1] == "by_memory"
