"""dbt models (staging → intermediate → marts) and the published warehouse file."""

import hashlib
import json
from enum import Enum
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from ingest.dbt_inputs import prepare as prepare_dbt_inputs
from ingest.export import MANIFEST, replace_export
from ingest.publish import publish
from orchestration.dbt_invocation import stream_dbt
from orchestration.defs.warehouse.translator import CptDbtTranslator
from orchestration.policies import AllocationKey, IdlePolicy, SharedPolicy
from orchestration.resources import WarehouseResource, dbt_project


def published_models(manifest_path: Path) -> list[str]:
    """The models consumers read — tagged "marts" (the marts folder, built into the analytics schema) — from the
    dbt manifest, so that a new mart is published, exported and depended on without being listed anywhere."""
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return sorted(n["name"] for n in nodes if n["resource_type"] == "model" and "marts" in n["tags"])


MARTS = published_models(dbt_project.manifest_path)
# What a production build runs: every model, seed, snapshot and data test; the dbt unit tests are for the test suite
# (tests/test_dbt_unit_tests.py), not for every run.
DBT_BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")


class AllocationPolicy(dg.Config):
    """The allocation policies of one run (ALLOCATION.md); unset fields keep dbt_project.yml's defaults. Plus
    full_refresh, to rebuild the incremental models from scratch."""

    allocation_key: AllocationKey | None = None
    idle_policy: IdlePolicy | None = None
    central_team: str | None = None
    shared_policy: SharedPolicy | None = None
    shared_fixed_ratios: dict[str, float] | None = None
    input_token_weight: float | None = None
    cached_input_token_weight: float | None = None

    full_refresh: bool = Field(
        default=False,
        description=(
            "Rebuild the incremental token models from scratch (dbt --full-refresh). Never needed for correctness: "
            "changed bronze files and mapping seeds are picked up incrementally."
        ),
    )

    def dbt_vars(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in type(self).model_fields if name != "full_refresh"}
        return {
            f"cpt_{name}": value.value if isinstance(value, Enum) else value
            for name, value in values.items()
            if value is not None
        }


def dbt_build_args(policy: AllocationPolicy) -> list[str]:
    policy_vars = policy.dbt_vars()
    args = [*DBT_BUILD_ARGS, "--vars", json.dumps(policy_vars)] if policy_vars else [*DBT_BUILD_ARGS]
    return [*args, "--full-refresh"] if policy.full_refresh else args


# The models that read the forecast step's output build after it, in cpt_forecast_models (defs/forecast/).
AFTER_FORECAST = "tag:after_forecast"


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=CptDbtTranslator(), exclude=AFTER_FORECAST)
def cpt_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: AllocationPolicy
):
    """Builds and tests every dbt model into warehouse/build/cpt.duckdb (the published file is untouched),
    with the run's allocation policies (run config) as dbt vars."""
    warehouse.layout.build_warehouse.parent.mkdir(parents=True, exist_ok=True)
    prepare_dbt_inputs(warehouse.layout)  # a source, forecast or close that never happened reads as zero rows
    args = dbt_build_args(config)
    context.log.info(f"dbt {' '.join(args)}")
    yield from stream_dbt(dbt, args, context, warehouse.layout)


@dg.asset(
    key="published_warehouse",
    group_name="warehouse_marts",
    kinds={"duckdb"},
    owners=["team:platform"],
    deps=MARTS,
)
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The DuckDB file analysts and reports open, replaced atomically once the marts and their checks passed.

    Self-contained: nothing in it reads outside the file (the staging views over bronze are left out), so it shows
    exactly the state its checks passed on, and works copied to another host."""
    path, left_out = publish(warehouse.layout.build_warehouse, warehouse.layout.warehouse)
    return dg.MaterializeResult(
        metadata={"path": str(path), "bytes": path.stat().st_size, "views_left_out": ", ".join(left_out)}
    )


@dg.asset(
    key="warehouse_exports",
    group_name="warehouse_marts",
    kinds={"parquet", "csv"},
    owners=["team:platform"],
    deps=["published_warehouse"],
)
def warehouse_exports(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every table of the published warehouse's analytics schema as Parquet and CSV under warehouse/exports/, with
    manifest.json (rows, columns and types, each file's SHA-256), for BI tools that do not open DuckDB. Replaced
    whole after each publish; the same warehouse exports to the same bytes."""
    manifest = replace_export(warehouse.layout.warehouse, warehouse.layout.exports)
    tables = manifest["tables"]
    return dg.MaterializeResult(
        metadata={
            "path": str(warehouse.layout.exports),
            "tables": len(tables),
            "rows": sum(t["rows"] for t in tables.values()),
            "manifest_sha256": hashlib.sha256((warehouse.layout.exports / MANIFEST).read_bytes()).hexdigest(),
        }
    )
