"""The monthly statement rounded to the cent on months made of awkward fractions — thirds, sevenths, hundreds of
lines worth less than a cent — through the real dbt models: the lines sum exactly to the invoice (each billing
account's total rounded to the cent), no line moves by a cent, and each line's parts sum to it."""

from datetime import datetime, timedelta

import pytest

from tests.allocation.cents import assert_cents_tie_to_the_invoice
from tests.allocation.harness import run_models

START = datetime(2026, 9, 30, 20)  # hours on both sides of a month boundary
HOURS = [START + timedelta(hours=h) for h in range(8)]


def _line(number: int, cost: float, **fields: object) -> dict:
    hour = HOURS[number % len(HOURS)]
    line = {
        "line_item_key": f"l{number}",
        "provider": "aws",
        "billing_account_id": f"acct-{number % 2}",
        "billing_period": f"{hour:%Y-%m}",
        "scope": "deployment",
        "deployment": f"d{number % 3}",
        "cluster": "c1",
        "shared_cluster": None,
        "region": "us-east-1",
        "pricing_tier": ["on_demand", "spot", "reserved"][number % 3],
        "instance_type": "p5.48xlarge",
        "resource_id": f"r{number % 3}",
        "charge_period_start": hour,
        "charge_hours": 1,
        "effective_cost": cost,
        "on_demand_cost": 0.0,
        "consumed_hours": 1.0,
    }
    return line | fields


def _requests(teams: int) -> list[dict]:
    return [
        {
            "deployment": f"d{n % 3}",
            "model": f"m{n % 2}",
            "team": f"team-{n % teams:02d}",
            "region": "us-east-1",
            "instance_id": None,
            "input_tokens": 7 * (n % 5) + 1,
            "cached_input_tokens": 0,
            "output_tokens": 3 * (n % 7) + 1,
            "weighted_tokens": 3 * (n % 7) + 1 + 0.25 * (7 * (n % 5) + 1),
            "latency_ms": 700.0,
            "ttft_ms": 50.0,
            "usage_hour": HOURS[n % len(HOURS)],
        }
        for n in range(teams * 6)
    ]


def _overheads(first: int, amount: float) -> list[dict]:
    """Out-of-scope, tax and a commitment billed differently from its amortized cost, with awkward amounts."""
    return [
        _line(first, amount, scope="out_of_scope", deployment=None, cluster=None),
        _line(first + 1, amount / 3, scope="tax", deployment=None, cluster=None),
        _line(first + 2, amount / 7, billed_cost=amount / 7 + 1 / 3),
    ]


CASES = {
    "thirds": ([_line(n, 100 / 3 * (n % 4 + 1)) for n in range(24)] + _overheads(100, 10 / 3), 3),
    "sevenths": ([_line(n, 200 / 7 + n / 7) for n in range(28)] + _overheads(100, 50 / 7), 7),
    "many small lines": ([_line(n, 0.0037 + n * 1e-5) for n in range(400)] + _overheads(1000, 0.0049), 40),
}


@pytest.mark.parametrize("case", CASES)
def test_a_month_of_awkward_fractions_ties_to_the_invoice_to_the_cent(compiled_policies, case):
    lines, teams = CASES[case]
    inputs = {"int_billing_lines_scoped": lines, "int_inference_requests_attributed": _requests(teams)}
    models = run_models(compiled_policies["defaults"], inputs)
    cents = models["int_chargeback_cents"]
    assert cents.filter(cents["item"] == "chargeback").height >= teams  # a line per team at least
    assert {"out_of_scope", "tax", "commitment_amortization"} <= set(cents["item"])
    assert_cents_tie_to_the_invoice(models)
