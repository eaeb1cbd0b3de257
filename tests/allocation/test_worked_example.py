"""ALLOCATION.md's worked example, run through the real models: every number in the document is asserted here."""

from datetime import datetime

import polars as pl
import pytest

from tests.allocation.harness import run_models

TEN, ELEVEN = datetime(2026, 10, 5, 10), datetime(2026, 10, 5, 11)


def _line(key, scope, cost, hour=TEN, **fields) -> dict:
    line = {
        "line_item_key": key,
        "provider": "aws",
        "scope": scope,
        "deployment": None,
        "cluster": None,
        "shared_cluster": None,
        "region": "us-east-1",
        "pricing_tier": "on_demand",
        "instance_type": None,
        "resource_id": None,
        "charge_period_start": hour,
        "charge_hours": 1,
        "effective_cost": cost,
        "on_demand_cost": 0.0,
        "consumed_hours": None,
    }
    return {**line, **fields}


def _chat(key, cost, hour=TEN, tier="on_demand", resource="i-od", hours=1.0):
    return _line(
        key,
        "deployment",
        cost,
        hour,
        deployment="chat",
        cluster="c1",
        pricing_tier=tier,
        instance_type="p5.48xlarge",
        resource_id=resource,
        consumed_hours=hours,
    )


BILL = [
    _chat("chat-od-10", 100.0),
    _chat("chat-credit-10", -10.0, hours=None),  # a credit on the same instance: it follows the usage
    _chat("chat-spot-10", 60.0, tier="spot", resource="i-spot"),
    _chat("chat-od-11", 100.0, hour=ELEVEN),
    _line(
        "batch-10",
        "deployment",
        30.0,
        deployment="batch",
        cluster="c1",
        instance_type="g6e.xlarge",
        resource_id="i-batch",
        consumed_hours=1.0,
    ),
    _line("lb-10", "shared", 12.0, shared_cluster="c1", resource_id="lb"),
    _line("lb-11", "shared", 6.0, hour=ELEVEN, shared_cluster="c1", resource_id="lb"),
    _line("web", "out_of_scope", 30.0, resource_id="web-1"),
    _line("tax", "tax", 15.0),
]


def _request(team, output_tokens, input_tokens, latency_seconds):
    return {
        "deployment": "chat",
        "model": "llama-3.1-70b",
        "team": team,
        "region": "us-east-1",
        "instance_id": None,
        "input_tokens": input_tokens,
        "cached_input_tokens": 0,
        "output_tokens": output_tokens,
        "weighted_tokens": output_tokens + 0.25 * input_tokens,
        "latency_ms": latency_seconds * 1000.0,
        "ttft_ms": 300.0,
        "usage_hour": TEN,
    }


REQUESTS = [
    _request("search", 500_000, 1_000_000, 200),
    _request("search", 500_000, 1_000_000, 200),
    _request("support", 250_000, 1_000_000, 300),
    _request("support", 250_000, 1_000_000, 300),
]
OWNERS = [{"deployment": "chat", "owner_team": "search"}, {"deployment": "batch", "owner_team": "research"}]
INPUTS = {"int_billing_lines_scoped": BILL, "int_inference_requests_attributed": REQUESTS, "deployment_owners": OWNERS}


def _by_team(fct: pl.DataFrame) -> dict[str, dict[str, float]]:
    totals = fct.group_by("team").agg(
        pl.col(
            "allocated_cost",
            "idle_cost",
            "shared_cost",
            "unallocated_cost",
            "total_cost",
            "output_tokens",
            "input_tokens",
        ).sum()
    )
    return {row.pop("team"): {k: round(v, 6) for k, v in row.items()} for row in totals.iter_rows(named=True)}


def test_default_policies(compiled_policies):
    models = run_models(compiled_policies["defaults"], INPUTS)
    teams = _by_team(models["fct_cpt_daily"])
    assert teams["search"] == {
        "allocated_cost": 90.0,
        "idle_cost": 60.0,
        "shared_cost": 9.6,
        "unallocated_cost": 0.0,
        "total_cost": 159.6,
        "output_tokens": 1_000_000.0,
        "input_tokens": 2_000_000.0,
    }
    assert teams["support"] == {
        "allocated_cost": 60.0,
        "idle_cost": 40.0,
        "shared_cost": 6.4,
        "unallocated_cost": 0.0,
        "total_cost": 106.4,
        "output_tokens": 500_000.0,
        "input_tokens": 2_000_000.0,
    }
    assert teams["research"]["idle_cost"] == 30.0 and teams["research"]["shared_cost"] == 2.0
    assert set(teams) == {"search", "support", "research"}

    # CPT and the input/output split for search, from the sums (as ALLOCATION.md shows them).
    search = teams["search"]
    assert round(1e6 * search["total_cost"] / search["output_tokens"], 6) == 159.6  # µ$ per output token
    cost_of_input = search["total_cost"] * 500_000 / 1_500_000  # weighted input / weighted tokens
    assert round(1e6 * cost_of_input / search["input_tokens"], 6) == 26.6  # $ per 1M input tokens
    assert round(1e6 * (search["total_cost"] - cost_of_input) / search["output_tokens"], 6) == 106.4
    assert round(1e6 * teams["support"]["total_cost"] / teams["support"]["output_tokens"], 6) == 212.8

    # Tokens of the busy hour follow GPU capacity: 8 GPU-hours on-demand, 8 on spot.
    pools = (
        models["fct_cpt_daily"]
        .filter(pl.col("team") == "search")
        .group_by("pricing_tier")
        .agg(pl.col("output_tokens").sum(), pl.col("gpu_hours").sum())
    )
    assert dict(pools.select("pricing_tier", "output_tokens").iter_rows()) == {
        "on_demand": 500_000.0,
        "spot": 500_000.0,
    }

    (recon,) = models["fct_reconciliation_monthly"].iter_rows(named=True)
    assert (
        recon["invoice_billed_cost"],
        recon["in_scope_billed_cost"],
        recon["out_of_scope_billed_cost"],
        recon["tax_billed_cost"],
    ) == (343.0, 298.0, 30.0, 15.0)
    assert (recon["allocated_cost"], recon["idle_cost"], recon["shared_cost"], recon["unallocated_cost"]) == (
        pytest.approx(150.0),
        pytest.approx(130.0),
        pytest.approx(18.0),
        0.0,
    )
    assert recon["allocation_difference"] == pytest.approx(0.0, abs=1e-9)


def test_idle_owner_key_output_tokens_shared_even(compiled_policies):
    teams = _by_team(run_models(compiled_policies["owner-output-even"], INPUTS)["fct_cpt_daily"])
    assert {t: v["total_cost"] for t, v in teams.items()} == {"search": 210.0, "support": 52.0, "research": 36.0}
    assert teams["search"]["allocated_cost"] == 100.0 and teams["search"]["idle_cost"] == 100.0


def test_idle_central_key_gpu_seconds_shared_fixed(compiled_policies):
    teams = _by_team(run_models(compiled_policies["central-seconds-fixed"], INPUTS)["fct_cpt_daily"])
    assert {t: v["total_cost"] for t, v in teams.items()} == {"search": 63.6, "support": 95.4, "platform": 139.0}
    assert teams["platform"]["idle_cost"] == 130.0 and teams["platform"]["shared_cost"] == 9.0
