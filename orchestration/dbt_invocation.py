"""How the dbt assets invoke dbt: its artifacts under the data directory, and its parse reused.

dagster-dbt gives each invocation a target folder of its own, where dbt looks for the partial parse it saved last
time — and finds none, so every build parsed the whole project again (some 6-9 s here, twice in a run: the main
build and the forecast models). Each invocation here starts from the parse the previous one in this data
directory left (``partial_parse.msgpack``), which dbt reuses when the project files, the vars and the profile's
environment are unchanged and updates file by file otherwise. The invocation folders live under
``warehouse/dbt/`` of the data directory, the newest ``KEEP`` kept.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY, get_manifest_and_translator_from_dbt_assets
from packaging import version

from ingest.bronze_store import mirror_bronze, object_storage
from ingest.duck import make_spill_directory
from ingest.housekeeping import temporary_prefix
from ingest.paths import DataLayout
from ingest.schemas import BRONZE_TABLES
from ingest.spark_tables import built_tables, load_spark_tables
from orchestration.settings import value

PARTIAL_PARSE = "partial_parse.msgpack"
KEEP = 20  # invocation folders kept: their dbt.log and run_results.json say what a recent build did


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two costs it pays before it starts dbt, for things this warehouse never
    uses (measured on a 2-core machine: ~4.5 s once per run, then 1-3 s per invocation; a run invokes dbt twice):

    - it runs ``dbt --version`` in a new process, which imports all of dbt, to learn which dbt runs. The dbt here
      is this environment's (``dbt_executable`` beside this interpreter), so it is the dbt-core dagster-dbt has
      already imported;
    - it loads the profile, the project and dbt's macros into this process to build a dbt adapter, which it uses
      only to fetch column metadata and row counts after a build when asked to (``fetch_column_metadata``,
      ``fetch_row_counts``). The warehouse never asks: its checks read the tables themselves.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent != Path(sys.executable).parent:
            return super()._cli_version  # another environment's dbt: ask it
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def stream_dbt(
    dbt: DbtCliResource,
    args: Sequence[str],
    context: dg.AssetExecutionContext,
    layout: DataLayout,
) -> Iterator[Any]:
    """``dbt <args>`` for an asset, its events streamed; the parse carried from and back to the data directory.
    With bronze on S3, an invocation whose nodes read bronze first brings the bucket's copy up to date."""
    root = layout.dbt_artifacts
    target = root / f"{context.op_execution_context.op.name}-{context.run.run_id[:8]}-{uuid.uuid4().hex[:7]}"
    target.mkdir(parents=True)
    saved = root / PARTIAL_PARSE
    if saved.exists():
        shutil.copyfile(saved, target / PARTIAL_PARSE)
    make_spill_directory()  # dbt's profile gives DuckDB the same temp directory as this process's connections
    bucket = object_storage(value("CPT_BRONZE_URI"), layout.bronze)
    if bucket is not None and reads_bronze(*_nodes_of(context.assets_def)):
        # dbt reads bronze there: bring the copy up to date first (a killed copy is finished here)
        context.log.info(f"{bucket.uri}: {mirror_bronze(layout.bronze, bucket).summary()}")
    yield from dbt.cli(list(args), context=context, target_path=target).stream()
    keep_parse(target / PARTIAL_PARSE, saved)
    _prune(root)
    if dbt.target == "spark":  # what runs after dbt (checks, forecasts, publish) reads the tables Spark built
        built = built_tables(json.loads((target / "run_results.json").read_text()))
        loaded = load_spark_tables(layout.spark_tables, layout.build_warehouse, only=built)
        context.log.info(f"loaded {len(loaded)} tables built on Spark into {layout.build_warehouse}")


def reads_bronze(manifest: Mapping[str, Any], built: set[str]) -> bool:
    """Whether building the dbt nodes ``built`` (unique ids; the tests on them added) reads bronze: a node reads its
    parents; a view or an ephemeral model not built here reads its own parents in turn, when it is read; a table
    built before reads nothing more. Bronze is a source over one of ingest's bronze tables."""
    nodes, sources = manifest["nodes"], manifest["sources"]
    built = built | {uid for uid, node in nodes.items() if node.get("attached_node") in built}
    seen: set[str] = set()
    todo = list(built)
    while todo:
        uid = todo.pop()
        if uid in seen:
            continue
        seen.add(uid)
        if uid in sources:
            if sources[uid]["identifier"] in BRONZE_TABLES:
                return True
        elif uid in built or nodes[uid]["config"]["materialized"] in ("view", "ephemeral"):
            todo.extend(nodes[uid].get("depends_on", {}).get("nodes", []))  # a seed depends on nothing
    return False


def _nodes_of(assets: dg.AssetsDefinition) -> tuple[Mapping[str, Any], set[str]]:
    """The manifest of a ``@dbt_assets`` definition and the unique ids of the dbt nodes it builds."""
    manifest = get_manifest_and_translator_from_dbt_assets([assets])[0]
    return manifest, {str(spec.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY]) for spec in assets.specs}


def keep_parse(fresh: Path, saved: Path) -> None:
    """Make ``fresh`` the parse the next invocation starts from (copied beside it, renamed over it)."""
    if not fresh.exists():
        return
    partial = saved.with_name(f"{temporary_prefix('.cpt-parse')}.msgpack.tmp")
    shutil.copyfile(fresh, partial)
    os.replace(partial, saved)


def _prune(root: Path) -> None:
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
