"""What a configuration change did, recovered from the bill and the logs: the demo's history holds four changes
(fleet.CONFIG_CHANGES — speculative decoding, a larger batch size, a move to spot, INT8 on half the GPUs) whose
true effects the generator records in truth.json; fct_config_change_impact must find each within its bootstrap
interval, compare it with the technique's typical range, and know every CPT row's configuration."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from ingest.aws.price_list import list_prices, products_from_file
from ingest.paths import DataLayout
from ingest.sample.fleet import CONFIG_CHANGES
from tests.cpt_runner import cpt

pytestmark = pytest.mark.slow
# The truth is measured over the whole month on each side of the change, the analysis over 14 days of matched
# weekday-hours: allow the interval this much relative slack for the difference in windows.
SLACK = 0.01


def _impact(data) -> dict[str, dict]:
    with duckdb.connect(str(DataLayout(data).warehouse), read_only=True) as con:
        frame = con.sql("select * from analytics.fct_config_change_impact").pl()
    return {row["config_id_after"]: row for row in frame.iter_rows(named=True)}


def _truths(data) -> dict[str, dict]:
    truth = json.loads((data / "source" / "truth.json").read_text())
    found = {}
    for month in truth["months"].values():
        for change in month["config_changes"]:
            if any(key.startswith("true_") for key in change):
                found[f"{change['deployment']}@{change['day']}"] = change
    return found


def _within(value: float, low, high) -> bool:
    return float(low) * (1 - SLACK) <= value <= float(high) * (1 + SLACK)


def test_each_configuration_change_is_recovered_within_its_interval(demo):
    data, _ = demo
    impact, truths = _impact(data), _truths(data)
    assert set(truths) == {f"{c.deployment}@{c.day}" for c in CONFIG_CHANGES} == set(impact)
    for change_id, truth in truths.items():
        row = impact[change_id]
        assert row["changed_fields"] == truth["changed_fields"], change_id
        assert row["matched_cells"] >= 80, change_id  # most weekday-hours of two weeks compared
        ratio = truth["true_direct_cost_per_gpu_hour_ratio"]
        assert _within(ratio, row["cost_per_gpu_hour_ratio_lo_95"], row["cost_per_gpu_hour_ratio_hi_95"]), (
            change_id, ratio, row["cost_per_gpu_hour_ratio_lo_95"], row["cost_per_gpu_hour_ratio_hi_95"])  # fmt: skip
        if "true_p50_latency_ratio" in truth:
            ratio = truth["true_p50_latency_ratio"]
            assert _within(ratio, row["p50_latency_ratio_lo_95"], row["p50_latency_ratio_hi_95"]), (change_id, ratio)


def test_each_change_is_compared_with_its_technique_s_typical_range(demo):
    data, _ = demo
    rows = {(row["deployment"], row["technique"]): row for row in _impact(data).values()}
    speculative = rows["chat-llama8b-use1", "speculative decoding"]
    assert speculative["metric"] == "p50_latency_speedup" and 2.0 <= speculative["realized_effect"] <= 2.2
    assert not speculative["outside_typical_range"]
    # a bigger batch made each request slower and the fleet no cheaper: flagged
    batching = rows["batch-mixtral-usw2", "batching"]
    assert batching["outside_typical_range"] and batching["realized_effect"] < batching["typical_low"]
    assert batching["p50_latency_ratio"] > 1.2
    # INT8 on half the GPUs: the same tokens on half the GPUs, CPT down by about two thirds
    quantized = rows["chat-llama70b-use1", "quantization"]
    assert float(quantized["throughput_ratio"]) > 1.9 and 0.5 <= quantized["realized_effect"] <= 0.75
    assert not rows["summarize-vllm-usw2", "spot capacity"]["outside_typical_range"]


def test_every_cpt_row_knows_the_configuration_that_produced_it(demo):
    data, _ = demo
    with duckdb.connect(str(DataLayout(data).warehouse), read_only=True) as con:
        missing = con.sql(
            "select count(*) from analytics.fct_cpt_daily where pricing_tier <> 'unpriced' and config_id is null"
        ).fetchall()
        before_after = con.sql(
            "select min(config_id), max(config_id) from analytics.fct_cpt_daily "
            "where deployment = 'chat-llama70b-use1' and usage_date between date '2026-10-05' and date '2026-10-06' "
            "group by usage_date order by usage_date"
        ).fetchall()
    assert missing == [(0,)]
    assert before_after == [("chat-llama70b-use1@2020-01-01",) * 2, ("chat-llama70b-use1@2026-10-06",) * 2]


def test_the_frontier_marks_the_pareto_optimal_configurations_and_draws_them(demo):
    data, _ = demo
    with duckdb.connect(str(DataLayout(data).warehouse), read_only=True) as con:
        points = con.sql(
            "select model, deployment, config_id, load_bucket, cast(cpt_micro_usd_per_output_token as double) as cpt,"
            " p99_latency_ms, is_pareto_optimal, latency_slo_attainment from analytics.fct_latency_cost_frontier"
        ).pl()
    assert points.height >= 12 and points["latency_slo_attainment"].is_between(0, 1).all()

    def dominates(a: dict, b: dict) -> bool:
        at_least = a["cpt"] <= b["cpt"] and a["p99_latency_ms"] <= b["p99_latency_ms"]
        return at_least and (a["cpt"] < b["cpt"] or a["p99_latency_ms"] < b["p99_latency_ms"])

    for model in points["model"].unique():
        own = points.filter(points["model"] == model).to_dicts()
        for point in own:
            assert point["is_pareto_optimal"] == (not any(dominates(other, point) for other in own)), point
    # speculative decoding moved chat-llama8b-use1 onto the 8B model's frontier
    frontier = points.filter(points["is_pareto_optimal"] & (points["model"] == "llama-3.1-8b-instruct"))
    assert "chat-llama8b-use1@2026-09-08" in set(frontier["config_id"])
    charts = DataLayout(data).charts
    for model in points["model"].unique():
        assert (charts / f"frontier-{model}.png").stat().st_size > 10_000, model


def test_what_if_scenarios_reprice_the_month_exactly_and_as_billed_is_the_chargeback(demo, monkeypatch):
    data, _ = demo
    warehouse = DataLayout(data).warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scenarios = con.sql("select * from analytics.fct_cost_scenarios").pl()
        charged = dict(
            con.sql(
                "select deployment || '|' || month, sum(total_cost) from analytics.fct_chargeback_monthly group by all"
            ).fetchall()
        )
        hours = con.sql(
            "select deployment, date_trunc('month', usage_hour)::date as month, sum(on_demand_equivalent_cost) as od,"
            " sum(shared_cost) as shared from analytics.fct_deployment_hours group by all"
        ).pl()
        hourly = con.sql(
            "select h.deployment, date_trunc('month', h.usage_hour)::date as month, h.direct_cost, h.gpu_hours,"
            " h.output_tokens, h.capacity_output_tokens_per_gpu_second as capacity, d.gpus"
            " from analytics.fct_deployment_efficiency_hourly as h join (select deployment, max(s.gpu_count) as gpus"
            " from internal.int_cost_pools_aggregated as p join internal.hardware_specs as s"
            " on p.hardware = s.instance_type group by deployment) as d using (deployment)"
        ).pl()
        opportunities = con.sql(
            "select month, rank_in_month, saving_vs_actual from analytics.fct_savings_opportunities order by all"
        ).pl()
    kinds = {name.split(":")[0] for name in scenarios["scenario"]}
    assert kinds == {"as_billed", "on_demand", "spot", "savings_plan", "reserved", "committed_use", "autoscaled",
                     "other_region", "other_gpu"}  # fmt: skip
    for row in scenarios.filter(scenarios["scenario"] == "as_billed").iter_rows(named=True):
        actual = charged[f"{row['deployment']}|{row['month']}"]
        assert round(row["cost"], 2) == round(actual, 2), row  # to the cent
    by_month = {(r["deployment"], r["month"]): r for r in hours.iter_rows(named=True)}
    for row in scenarios.filter(scenarios["ratio_to_on_demand"].is_not_null()).iter_rows(named=True):
        base = by_month[row["deployment"], row["month"]]
        expected = base["od"] * Decimal(str(row["ratio_to_on_demand"])) + base["shared"]
        assert abs(row["cost"] - expected) < Decimal("1e-6"), row

    # autoscaled, recomputed by hand: each hour's GPUs at 60 % of capacity, whole instances, at least one
    def needed(hour: dict) -> float:
        gpus = hour["gpus"] * max(
            1, math.ceil(hour["output_tokens"] / 3600 / (float(hour["capacity"]) * 0.6) / hour["gpus"])
        )
        return min(float(hour["gpu_hours"]), gpus)

    for (deployment, month), own in hourly.group_by("deployment", "month"):
        rows = own.to_dicts()
        scaled = sum(float(h["direct_cost"]) * (needed(h) / float(h["gpu_hours"]) - 1) for h in rows)
        row = scenarios.filter(
            (scenarios["deployment"] == deployment)
            & (scenarios["month"] == month)
            & (scenarios["scenario"] == "autoscaled")
        )
        actual = float(charged[f"{deployment}|{month}"])
        assert abs(float(row["cost"].item()) - (actual + scaled)) < 1e-4, (deployment, month)
    for _, ranks in opportunities.group_by("month"):
        to_the_cent = ranks["saving_vs_actual"].cast(pl.Float64).round(2)  # ranked to the cent: equal cents by name
        assert to_the_cent.is_sorted(descending=True) and (to_the_cent >= 0.01).all()
    result = cpt(monkeypatch, data, data / "source", "whatif", "--deployment", "chat-llama70b-use1",
                 "--month", "2026-10")  # fmt: skip
    assert result.exit_code == 0 and "What-if for chat-llama70b-use1, 2026-10" in result.output
    assert "other_region:us-east-2" in result.output and "other_gpu:p4de.24xlarge" in result.output
    assert result.output.index("spot") < result.output.index("as_billed") < result.output.index("on_demand")


def _list_prices(data) -> dict[tuple[str, str], float]:
    """On-demand list prices read from the saved price list by ingest's parser, not by the warehouse."""
    documents = products_from_file(data / "source" / "aws" / "price_list" / "ec2_gpu_instances.json")
    prices = list_prices(documents).filter(pl.col("term_type") == "OnDemand")
    return {(r["instance_type"], r["region"]): r["effective_hourly_rate"] for r in prices.iter_rows(named=True)}


def test_other_regions_and_gpu_types_are_priced_from_the_aws_price_list_exactly(demo):
    """An AWS deployment's month in another region: its GPU instance cost × that region's list price ÷ its own.
    On another GPU type: each hour the instances of that type its output tokens needed at 60 % of a capacity
    scaled by memory bandwidth, at the type's list price and the discount to list the deployment paid; a type
    only when its instance holds the model's weights (+20 %) or the memory the deployment runs on now."""
    data, _ = demo
    listed = _list_prices(data)
    with duckdb.connect(str(DataLayout(data).warehouse), read_only=True) as con:
        scenarios = con.sql("select * from analytics.fct_cost_scenarios").pl()
        hardware = {r["instance_type"]: r for r in con.sql("select * from internal.hardware_specs").pl().to_dicts()}
        fleets = con.sql(
            "select p.deployment, date_trunc('month', p.cost_hour)::date as month, p.hardware, p.region,"
            " sum(p.pool_cost) as gpu_cost, sum(p.gpu_hours) as gpu_hours"
            " from internal.int_cost_pools_aggregated as p join internal.hardware_specs as s"
            " on p.hardware = s.instance_type where s.gpu_count > 0 group by all"
        ).pl()
        hours = con.sql(
            "select h.deployment, date_trunc('month', h.usage_hour)::date as month, h.output_tokens,"
            " h.capacity_output_tokens_per_gpu_second as capacity, c.total_params_b, c.quantization"
            " from analytics.fct_deployment_efficiency_hourly as h"
            " left join analytics.dim_deployment_configs as c using (config_id) where h.gpu_hours > 0"
        ).pl()
        opportunities = con.sql("select scenario, recommendation from analytics.fct_savings_opportunities").pl()
    billed = {(r["deployment"], r["month"]): float(r["cost"]) for r in scenarios.filter(
        pl.col("scenario") == "as_billed").iter_rows(named=True)}  # fmt: skip
    checked = {"other_region": 0, "other_gpu": 0}
    for (deployment, month), fleet in fleets.group_by("deployment", "month"):
        own = scenarios.filter((pl.col("deployment") == deployment) & (pl.col("month") == month))
        others = {name: row for name, row in zip(own["scenario"], own.iter_rows(named=True), strict=True)
                  if name.startswith("other_")}  # fmt: skip
        (itype, region, gpu_cost, gpu_hours) = fleet.select("hardware", "region", "gpu_cost", "gpu_hours").row(0)
        if (itype, region) not in listed:  # GCP: no price list here
            assert not others, (deployment, month)
            continue
        gpu_cost, spec = float(gpu_cost), hardware[itype]
        own_price = listed[itype, region]
        regions = {r for (t, r) in listed if t == itype and r != region}
        assert {n for n in others if n.startswith("other_region:")} == {f"other_region:{r}" for r in regions}
        for other_region in regions:
            row = others[f"other_region:{other_region}"]
            expected = billed[deployment, month] - gpu_cost + gpu_cost * listed[itype, other_region] / own_price
            assert abs(float(row["cost"]) - expected) < 1e-6, row
            checked["other_region"] += 1
        ratio_to_list = gpu_cost / (float(gpu_hours) / spec["gpu_count"] * own_price)
        month_hours = hours.filter((pl.col("deployment") == deployment) & (pl.col("month") == month)).to_dicts()
        weights = max(1.2 * h["total_params_b"] * (1.0 if h["quantization"] in ("fp8", "int8") else 2.0)
                      for h in month_hours)  # fmt: skip
        for (alt, alt_region), price in listed.items():
            alt_spec = hardware[alt]
            if alt_region != region or alt_spec["gpu_type"] == spec["gpu_type"]:
                continue
            memory = alt_spec["gpu_count"] * alt_spec["gpu_memory_gb"]
            fits = memory >= min(spec["gpu_count"] * spec["gpu_memory_gb"], weights)
            assert (f"other_gpu:{alt}" in others) == fits, (deployment, month, alt)
            if not fits:
                continue
            speed = alt_spec["gpu_memory_bandwidth_gb_s"] / spec["gpu_memory_bandwidth_gb_s"]
            per_instance = speed * 0.6 * alt_spec["gpu_count"]  # × the hour's capacity per GPU-second
            hourly_needs = [h["output_tokens"] / 3600 / (float(h["capacity"]) * per_instance) for h in month_hours]
            instances = sum(max(1, math.ceil(need)) for need in hourly_needs)
            expected = billed[deployment, month] - gpu_cost + instances * price * ratio_to_list
            assert abs(float(others[f"other_gpu:{alt}"]["cost"]) - expected) < 1e-6, (deployment, month, alt)
            checked["other_gpu"] += 1
    assert checked["other_region"] > 20 and checked["other_gpu"] > 20, checked
    recommendations = dict(opportunities.iter_rows())
    assert any(r.startswith("run it in us-east-2") for r in recommendations.values())
    assert any(r.startswith("serve it on L4") for r in recommendations.values())
