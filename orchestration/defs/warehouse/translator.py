"""How dbt's nodes appear in Dagster: asset keys and groups."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator


class CptDbtTranslator(DagsterDbtTranslator):
    """dbt folders become asset groups: warehouse_staging, warehouse_intermediate, warehouse_marts; a model's asset
    key is its name (the schema it builds into, analytics or internal, is where it lives, not what it is)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props.get("resource_type") in ("model", "seed", "snapshot"):
            return dg.AssetKey(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "warehouse_reference"
        layer = fqn[1] if len(fqn) > 2 else "models"
        return f"warehouse_{layer}"
