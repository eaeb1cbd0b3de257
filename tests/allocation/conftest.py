import pytest

from tests.allocation.harness import compile_models

# Policy sets the property tests draw from: the defaults and each alternative at least once.
POLICY_SETS = {
    "defaults": {},
    "owner-output-even": {
        "cpt_idle_policy": "owner",
        "cpt_allocation_key": "output_tokens",
        "cpt_shared_policy": "even",
    },
    "central-seconds-fixed": {
        "cpt_idle_policy": "central",
        "cpt_allocation_key": "gpu_seconds",
        "cpt_shared_policy": "fixed",
        "cpt_shared_fixed_ratios": {"d1": 1, "d2": 2, "d3": 3, "chat": 3, "batch": 1},  # chat, batch: ALLOCATION.md
    },
}


@pytest.fixture(scope="session")
def compiled_policies(tmp_path_factory) -> dict[str, dict[str, str]]:
    """The allocation chain compiled once per policy set (dbt compile, ~7 s each)."""
    root = tmp_path_factory.mktemp("allocation-dbt")
    return {
        name: compile_models(root / name / "target", root / name / "data", dbt_vars)
        for name, dbt_vars in POLICY_SETS.items()
    }
