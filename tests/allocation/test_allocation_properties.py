"""Property tests of the allocation engine: random bills and token logs through the real dbt models.

Zero-traffic hours, single-request hours, mixed pricing tiers and hardware in one deployment-hour, credits
larger than the usage they apply to, shared overhead with and without GPU pools to carry it, requests on
instances the bill does not know and on deployments with no cost at all. For every example and policy set:
conservation (month, day, deployment-month), the statement in cents tied to the invoice, tokens conserved, no
negative charge unless a credit makes the pool negative, the input/output split identity, and the same inputs in
another order give identical marts.

CI runs 120 examples (a mutation that drops idle rows is caught within 60); CPT_HYPOTHESIS_EXAMPLES raises it:
``CPT_HYPOTHESIS_EXAMPLES=2000 make test``.
"""

import os
import random
from datetime import datetime, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.allocation.cents import assert_cents_tie_to_the_invoice
from tests.allocation.conftest import POLICY_SETS
from tests.allocation.harness import run_models

EXAMPLES = int(os.environ.get("CPT_HYPOTHESIS_EXAMPLES", "120"))
START = datetime(2026, 10, 31, 21)  # hours run across a day and a month boundary
HOURS = [START + timedelta(hours=h) for h in range(6)]
DEPLOYMENTS = {"d1": "c1", "d2": "c1", "d3": "c2"}
HARDWARE = ["p5.48xlarge", "g6e.xlarge", None]  # None: a volume or other non-GPU cost
TIERS = ["on_demand", "spot", "reserved"]

money = st.decimals(min_value=-60, max_value=250, places=2).map(float)


@st.composite
def bill_line(draw, number: int) -> dict:
    shared = draw(st.booleans()) and draw(st.booleans())
    deployment = draw(st.sampled_from(sorted(DEPLOYMENTS)))
    hardware = draw(st.sampled_from(HARDWARE))
    return {
        "line_item_key": f"l{number}",
        "provider": "aws",
        "scope": "shared" if shared else "deployment",
        "deployment": None if shared else deployment,
        "cluster": None if shared else DEPLOYMENTS[deployment],
        "shared_cluster": draw(st.sampled_from(["c1", "c2"])) if shared else None,
        "region": draw(st.sampled_from(["us-east-1", "us-west-2"])),
        "pricing_tier": draw(st.sampled_from(TIERS)),
        "instance_type": None if shared else hardware,
        "resource_id": f"r{draw(st.integers(1, 4))}",
        "charge_period_start": draw(st.sampled_from(HOURS)),
        "charge_hours": draw(st.sampled_from([1, 1, 1, 3])),
        "effective_cost": draw(money),
        "on_demand_cost": 0.0,
        "consumed_hours": draw(st.sampled_from([1.0, 1.0, 0.5, 0.0])),
    }


@st.composite
def request(draw) -> dict:
    input_tokens = draw(st.integers(0, 4000))
    cached = draw(st.integers(0, input_tokens))
    output_tokens = draw(st.integers(0, 800))
    return {
        "deployment": draw(st.sampled_from([*sorted(DEPLOYMENTS), "model:unknown"])),
        "model": draw(st.sampled_from(["m1", "m2"])),
        "team": draw(st.sampled_from(["A", "B", "C", "unattributed"])),
        "region": "us-east-1",
        "instance_id": draw(st.sampled_from([None, "i-unknown", "r1", "r2"])),  # r1, r2: instances on the bill
        "input_tokens": input_tokens,
        "cached_input_tokens": cached,
        "output_tokens": output_tokens,
        "weighted_tokens": output_tokens + 0.25 * (input_tokens - cached) + 0.025 * cached,
        "latency_ms": draw(st.sampled_from([None, 0.0, 850.0, 4000.0])),
        "ttft_ms": 50.0,
        "usage_hour": draw(st.sampled_from(HOURS)),
    }


@st.composite
def scenario(draw) -> tuple[str, dict[str, list[dict]]]:
    lines = [draw(bill_line(n)) for n in range(draw(st.integers(1, 14)))]
    requests = draw(st.lists(request(), max_size=12))  # zero, one or a few requests an hour
    owners = [{"deployment": d, "owner_team": f"owner-{d}"} for d in sorted(DEPLOYMENTS) if draw(st.booleans())]
    policy = draw(st.sampled_from(sorted(POLICY_SETS)))
    return policy, {
        "int_billing_lines_scoped": lines,
        "int_inference_requests_attributed": requests,
        "deployment_owners": owners,
    }


def _close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= 1e-9 * max(scale, 1.0)


def _charged(frame: pl.DataFrame) -> pl.Expr:
    return pl.col("allocated_cost") + pl.col("idle_cost") + pl.col("shared_cost") + pl.col("unallocated_cost")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario())
def test_allocation_conserves_every_dollar_and_token_and_is_deterministic(compiled_policies, example):
    policy, inputs = example
    models = run_models(compiled_policies[policy], inputs)
    spread, fct, allocated = (
        models["int_billing_lines_spread_hourly"],
        models["fct_cpt_daily"],
        models["int_pool_costs_allocated"],
    )
    scale = sum(abs(line["effective_cost"]) for line in inputs["int_billing_lines_scoped"])

    # Every in-scope dollar, in total and per day.
    assert _close(fct.select(_charged(fct).sum()).item() or 0.0, spread["effective_cost"].sum(), scale)
    billed_days = spread.group_by(pl.col("cost_hour").dt.date().alias("day")).agg(pl.col("effective_cost").sum())
    charged_days = fct.group_by(pl.col("usage_date").alias("day")).agg(_charged(fct).sum().alias("charged"))
    both = billed_days.join(charged_days, on="day", how="full", coalesce=True).fill_null(0.0)
    for row in both.iter_rows(named=True):
        assert _close(row["effective_cost"], row["charged"], scale), row

    # Per deployment: its pools and the overhead placed on them are what its rows charge.
    pools = models["int_cost_pools_aggregated"].group_by("deployment").agg(pl.col("pool_cost").sum().alias("own"))
    placed = (
        models["int_shared_costs_spread"]
        .with_columns(pl.coalesce("deployment", pl.lit("shared:") + pl.col("cluster")).alias("deployment"))
        .group_by("deployment")
        .agg(pl.col("shared_cost").sum().alias("placed"))
    )
    charged = fct.group_by("deployment").agg(_charged(fct).sum().alias("charged"))
    per_deployment = pools.join(placed, on="deployment", how="full", coalesce=True).join(
        charged, on="deployment", how="full", coalesce=True
    )
    for row in per_deployment.fill_null(0.0).iter_rows(named=True):
        assert _close(row["own"] + row["placed"], row["charged"], scale), row

    # Tokens and requests: whole in every fact row, and every logged one in exactly one row.
    logged = inputs["int_inference_requests_attributed"]
    assert fct["output_tokens"].dtype == pl.Int64 and fct["requests"].dtype == pl.Int64
    assert fct["output_tokens"].sum() == sum(r["output_tokens"] for r in logged)
    assert fct["input_tokens"].sum() == sum(r["input_tokens"] for r in logged)
    assert fct["requests"].sum() == len(logged)
    daily = fct.group_by("usage_date", "deployment", "model", "team").agg(pl.col("output_tokens").sum())
    for day, deployment, model, team, count in daily.iter_rows():
        expected = sum(
            r["output_tokens"]
            for r in logged
            if (r["usage_hour"].date(), r["deployment"], r["model"], r["team"]) == (day, deployment, model, team)
        )
        assert count == expected, (day, deployment, model, team)

    # No negative charge unless the pool or the overhead it comes from is negative (a credit larger than usage).
    negative = allocated.filter(
        pl.min_horizontal("allocated_cost", "idle_cost", "shared_cost", "unallocated_cost") < -1e-9,
        pl.col("direct_cost") >= 0,
        pl.col("overhead_cost") >= 0,
    )
    assert negative.is_empty(), negative

    # Tokens no bill priced carry no cost, and no cost per token (null, not zero).
    unpriced = fct.filter(pl.col("pricing_tier") == "unpriced")
    assert (unpriced["total_cost"].abs() <= 1e-12).all()
    assert unpriced["cpt_micro_usd_per_output_token"].is_null().all()

    # cost per input token × input + cost per output token × output = total.
    split = fct.filter(
        (pl.col("weighted_input_tokens") > 0)
        & (pl.col("input_tokens") > 0)
        & (pl.col("output_tokens") > 0)
        & (pl.col("pricing_tier") != "unpriced")
    )
    for row in split.iter_rows(named=True):
        recombined = (
            row["input_usd_per_1m_input_tokens"] * row["input_tokens"]
            + row["output_usd_per_1m_output_tokens"] * row["output_tokens"]
        ) / 1e6
        assert _close(recombined, row["priced_cost"], abs(row["priced_cost"])), row

    # The reconciliation mart: invoice and allocation identities per month and provider.
    for row in models["fct_reconciliation_monthly"].iter_rows(named=True):
        assert _close(row["allocation_difference"], 0.0, scale), row
        assert _close(row["invoice_difference"], 0.0, scale), row
    recon = models["fct_reconciliation_monthly"]
    assert _close(recon["invoice_month_shift"].sum(), 0.0, scale)  # shifts between months cancel out

    # The monthly statement in cents ties to the invoice, line by line and in total.
    assert_cents_tie_to_the_invoice(models)

    # Same inputs in another order → identical marts.
    shuffled = {name: random.Random(7).sample(rows, len(rows)) for name, rows in inputs.items()}
    again = run_models(compiled_policies[policy], shuffled)["fct_cpt_daily"]
    key = ["usage_date", "deployment", "model", "team", "region", "pricing_tier", "hardware"]
    assert fct.sort(key).equals(again.sort(key))
