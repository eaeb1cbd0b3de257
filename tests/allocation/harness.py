"""Run the real allocation models (dbt-compiled SQL) on small hand-made or generated inputs, without dbt.

dbt compiles the models once per policy set; each example then creates the models' inputs as tables in an
in-memory DuckDB attached under the warehouse's catalog name and runs the compiled SQL in DAG order, so a
hypothesis example costs a fraction of a second instead of a dbt invocation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import polars.selectors as cs

ROOT = Path(__file__).parents[2]
DBT_PROJECT = ROOT / "dbt_project"

# The allocation chain, in DAG order, and the tables it reads that a test provides.
MODELS = [
    "int_billing_lines_spread_hourly",
    "int_token_usage_hourly",
    "int_request_latency_daily",
    "int_token_usage_aggregated",
    "int_deployments_resolved",
    "int_cost_pools_aggregated",
    "int_shared_costs_spread",
    "int_pool_usage_shares",
    "int_pool_idle_shares",
    "int_pool_costs_allocated",
    "dim_deployment_configs",
    "fct_cpt_daily",
    "fct_invoice_accounts_monthly",
    "fct_reconciliation_monthly",
    "int_chargeback_lines",
    "int_chargeback_cents",
]
INPUT_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "int_billing_lines_scoped": {
        "line_item_key": pl.String,
        "provider": pl.String,
        "billing_account_id": pl.String,
        "billing_period": pl.String,
        "scope": pl.String,
        "deployment": pl.String,
        "cluster": pl.String,
        "shared_cluster": pl.String,
        "region": pl.String,
        "pricing_tier": pl.String,
        "instance_type": pl.String,
        "resource_id": pl.String,
        "charge_period_start": pl.Datetime("us"),
        "charge_hours": pl.Int64,
        "billed_cost": pl.Float64,
        "effective_cost": pl.Float64,
        "on_demand_cost": pl.Float64,
        "consumed_hours": pl.Float64,
    },
    "int_inference_requests_attributed": {
        "deployment": pl.String,
        "model": pl.String,
        "team": pl.String,
        "region": pl.String,
        "instance_id": pl.String,
        "input_tokens": pl.Int64,
        "cached_input_tokens": pl.Int64,
        "output_tokens": pl.Int64,
        "weighted_tokens": pl.Float64,
        "latency_ms": pl.Float64,
        "ttft_ms": pl.Float64,
        "usage_hour": pl.Datetime("us"),
        "usage_date": pl.Date,
        "loaded_at": pl.Datetime("us"),
    },
    "int_token_counter_deltas": {
        "deployment": pl.String,
        "usage_hour": pl.Datetime("us"),
        "model": pl.String,
        "requests": pl.Float64,
        "input_tokens": pl.Float64,
        "output_tokens": pl.Float64,
    },
    "deployment_owners": {"deployment": pl.String, "owner_team": pl.String},
    # the configuration history (seed): its columns as dbt loads them, none declared unless a test gives rows
    "deployment_configs": {
        "deployment": pl.String,
        "effective_from": pl.Date,
        "model": pl.String,
        "total_params_b": pl.Float64,
        "active_params_b": pl.Float64,
        "engine": pl.String,
        "engine_version": pl.String,
        "quantization": pl.String,
        "max_batch_size": pl.Int32,
        "continuous_batching": pl.Boolean,
        "prefix_caching": pl.Boolean,
        "kv_cache_dtype": pl.String,
        "speculative_decoding": pl.Boolean,
        "draft_model": pl.String,
        "gpu_type": pl.String,
        "gpu_count": pl.Int32,
        "region": pl.String,
        "pricing_tier": pl.String,
        "slo_p99_latency_ms": pl.Float64,
        "slo_p99_ttft_ms": pl.Float64,
        "declared_output_tokens_per_gpu_second": pl.Float64,
        "note": pl.String,
    },
}


# Columns a test may leave out: the line's account and month, and BilledCost = EffectiveCost.
_DEFAULTS = {"int_billing_lines_scoped": {"billing_account_id": "111122223333", "billing_period": "2026-10"}}


class Compiled(dict):
    """Compiled SQL by model name (a short repr: hypothesis prints its arguments on failure)."""

    def __repr__(self) -> str:
        return f"<compiled {len(self)} models>"


def compile_models(target: Path, data_dir: Path, dbt_vars: dict | None = None) -> dict[str, str]:
    """dbt-compile the allocation chain with ``dbt_vars``; the compiled SQL of each model."""
    env = {**os.environ, "CPT_DATA_DIR": str(data_dir), "DBT_PROFILES_DIR": str(DBT_PROJECT)}
    (data_dir / "warehouse" / "build").mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "dbt"),
        "compile",
        "--quiet",
        "--select",
        *MODELS,
        "--target-path",
        str(target),
        "--vars",
        json.dumps(dbt_vars or {}),
    ]
    result = subprocess.run(command, cwd=DBT_PROJECT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"dbt compile failed:\n{result.stdout}\n{result.stderr}")
    compiled = Compiled()
    for model in MODELS:
        (path,) = (target / "compiled").rglob(f"{model}.sql")
        compiled[model] = path.read_text()
    return compiled


def qualified(name: str) -> str:
    """Where dbt builds a model or seed (dbt_project.yml): the marts in analytics, everything else in internal."""
    return f"cpt.{'analytics' if name.startswith(('fct_', 'dim_')) else 'internal'}.{name}"


def run_models(compiled: dict[str, str], inputs: dict[str, list[dict]]) -> dict[str, pl.DataFrame]:
    """Create the inputs (missing ones empty), run the compiled chain, return every model's rows."""
    con = duckdb.connect()
    try:
        con.execute("attach ':memory:' as cpt")
        con.execute("use cpt")
        con.execute("create schema analytics; create schema internal")
        con.execute("set TimeZone = 'UTC'")
        hardware = pl.read_csv(DBT_PROJECT / "seeds" / "hardware_specs.csv")
        inputs = dict(inputs)
        inputs["int_billing_lines_scoped"] = [
            {"billed_cost": row.get("effective_cost"), **row} for row in inputs.get("int_billing_lines_scoped", [])
        ]
        inputs["int_inference_requests_attributed"] = [
            {"usage_date": row["usage_hour"].date(), **row}
            for row in inputs.get("int_inference_requests_attributed", [])
        ]
        for name, schema in {**INPUT_SCHEMAS, "hardware_specs": dict(hardware.schema)}.items():
            rows = [{**_DEFAULTS.get(name, {}), **row} for row in inputs.get(name, [])]
            frame = hardware if name == "hardware_specs" else pl.DataFrame(rows, schema=schema)
            con.register("frame", frame)
            con.execute(f"create table {qualified(name)} as select * from frame")
            con.unregister("frame")
        results = {}
        for model in MODELS:
            con.execute(f"create table {qualified(model)} as {compiled[model]}")
            # DECIMAL money as floats: the properties compare with tolerances, not to the last digit
            rows = con.sql(f"select * from {qualified(model)}").pl()
            results[model] = rows.with_columns(cs.decimal().cast(pl.Float64))
        return results
    finally:
        con.close()
