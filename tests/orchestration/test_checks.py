import duckdb
import pytest

from orchestration.defs.warehouse.checks import in_scope_cost_is_conserved
from orchestration.resources import WarehouseResource


def _build(tmp_path) -> tuple[WarehouseResource, duckdb.DuckDBPyConnection]:
    """A warehouse resource over tmp_path, and a connection to its (new) build with an analytics schema."""
    resource = WarehouseResource(data_dir=str(tmp_path))
    resource.layout.build_warehouse.parent.mkdir(parents=True)
    con = duckdb.connect(str(resource.layout.build_warehouse))
    con.execute("create schema analytics")
    return resource, con


def _warehouse(tmp_path, charged_total: float) -> WarehouseResource:
    resource, con = _build(tmp_path)
    with con:
        con.execute(
            "create table analytics.ops_conservation_monthly (month date, in_scope_cost decimal(38, 12), "
            "allocated_cost decimal(38, 12), idle_cost decimal(38, 12), shared_cost decimal(38, 12), "
            "unallocated_cost decimal(38, 12), difference decimal(38, 12))"
        )
        charged = f"{charged_total - 30}, 20, 6, 4, {charged_total - 100}"  # allocated, …, difference
        con.execute(f"insert into analytics.ops_conservation_monthly values ('2026-10-01', 100, {charged})")
    return resource


def test_conservation_check_passes_when_every_dollar_is_charged(tmp_path):
    result = in_scope_cost_is_conserved(warehouse=_warehouse(tmp_path, 100.0))
    assert result.passed
    assert result.metadata["failing_months"].value == "none"


@pytest.mark.parametrize("charged", [100.01, 99.0, 0.0])
def test_conservation_check_fails_when_a_dollar_is_lost_or_doubled(tmp_path, charged):
    result = in_scope_cost_is_conserved(warehouse=_warehouse(tmp_path, charged))
    assert not result.passed
    assert result.metadata["failing_months"].value == "2026-10"


def test_quarantine_rate_check_warns_above_the_threshold(tmp_path):
    import polars as pl

    from ingest.bronze import write_partition
    from ingest.schemas import INFERENCE_REQUESTS_SCHEMA, QUARANTINE_SCHEMA
    from orchestration.defs.tokens.checks import quarantine_rate_is_low

    for day, good, bad in (("2026-10-01", 99, 1), ("2026-10-02", 90, 10)):
        partition = {"source_format": "gateway_jsonl", "day": day}
        requests = pl.DataFrame({"request_id": [f"{day}-{i}" for i in range(good)]}).with_columns(
            [pl.lit(None, dtype=t).alias(c) for c, t in INFERENCE_REQUESTS_SCHEMA.items() if c != "request_id"]
        )
        quarantine = pl.DataFrame({"reason": ["negative token count"] * bad}).with_columns(
            [pl.lit(None, dtype=t).alias(c) for c, t in QUARANTINE_SCHEMA.items() if c != "reason"]
        )
        write_partition(requests, tmp_path / "bronze", "inference_requests", partition, INFERENCE_REQUESTS_SCHEMA)
        write_partition(quarantine, tmp_path / "bronze", "token_quarantine", partition, QUARANTINE_SCHEMA)
    strict = quarantine_rate_is_low(warehouse=WarehouseResource(data_dir=str(tmp_path), quarantine_warn_rate=0.05))
    assert not strict.passed and strict.severity.value == "WARN"
    assert strict.metadata["worst"].value == "gateway_jsonl 2026-10-02" and strict.metadata["over_threshold"].value == 1
    lenient = quarantine_rate_is_low(warehouse=WarehouseResource(data_dir=str(tmp_path), quarantine_warn_rate=0.2))
    assert lenient.passed


def _budget_warehouse(tmp_path, statuses: list[str]) -> WarehouseResource:
    resource, con = _build(tmp_path)
    with con:
        con.execute(
            "create table analytics.fct_budget_status (month date, team varchar, model varchar, "
            "status varchar, spent_to_date decimal(38, 12), projected_cost decimal(38, 12), "
            "budget_usd decimal(38, 12), probability_over_budget decimal(38, 12))"
        )
        for i, status in enumerate(statuses):
            con.execute(
                "insert into analytics.fct_budget_status values ('2026-11-01', ?, ?, ?, 120, 130, 100, 1)",
                [f"team{i}", "*" if i % 2 == 0 else "m", status],
            )
    return resource


def test_budget_checks_fail_on_spend_over_warn_on_projections_and_are_alerts(tmp_path):
    from orchestration.defs.forecast.checks import projection_within_budget, spend_within_budget

    warehouse = _budget_warehouse(tmp_path, ["over_budget", "projected_over", "at_risk", "within"])
    spent = spend_within_budget(warehouse=warehouse)
    assert not spent.passed and spent.severity.value == "ERROR"
    assert spent.description == "over budget: team0 2026-11" and spent.metadata["over_budget"].value == 1
    projected = projection_within_budget(warehouse=warehouse)
    assert not projected.passed and projected.severity.value == "WARN"
    assert projected.description == "projected over budget: team1/m 2026-11"
    # `cpt run` lists them as alerts, not failures
    assert spent.metadata["budget_alert"].value is True and projected.metadata["budget_alert"].value is True


def test_budget_checks_pass_when_every_budget_holds(tmp_path):
    from orchestration.defs.forecast.checks import projection_within_budget, spend_within_budget

    warehouse = _budget_warehouse(tmp_path, ["at_risk", "within"])
    assert spend_within_budget(warehouse=warehouse).passed
    assert projection_within_budget(warehouse=warehouse).passed
