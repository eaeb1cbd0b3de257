"""Running `cpt` in process as a user would, with every location derived from one source folder and one data
directory (set explicitly: `cpt` exports the defaults it derives, which would leak from one test to the next)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import Result
from typer.testing import CliRunner

from ingest.paths import DataLayout
from orchestration.cli import app
from orchestration.defs.warehouse.assets import MARTS

# The marts two runs of the same inputs must agree on: all but the load history, which records when each file was
# received (different in any two runs by nature).
COMPARED_MARTS = [name for name in MARTS if name != "ops_load_history"]


def source_environment(source_dir: Path) -> dict[str, str]:
    """The default locations of every source under ``source_dir`` (as `cpt` derives them)."""
    return {
        "CPT_SOURCE_DIR": str(source_dir),
        "CPT_AWS_BILLING_URI": str(source_dir / "aws"),
        "CPT_GCP_BILLING_URI": str(source_dir / "gcp"),
        "CPT_AZURE_BILLING_URI": str(source_dir / "azure"),
        "CPT_OCI_BILLING_URI": str(source_dir / "oci"),
        "CPT_FOCUS_BILLING_URI": str(source_dir / "focus"),
        "CPT_GATEWAY_LOGS_URI": str(source_dir / "tokens" / "gateway"),
        "CPT_LITELLM_LOGS_URI": str(source_dir / "tokens" / "litellm"),
        "CPT_OTEL_SPANS_URI": str(source_dir / "tokens" / "otel"),
        "CPT_PROMETHEUS_URI": str(source_dir / "tokens" / "metrics"),
        "CPT_GCP_CATALOG_URI": str(source_dir / "gcp" / "catalog" / "compute_engine_skus.json"),
        "CPT_AWS_PRICE_LIST_URI": str(source_dir / "aws" / "price_list" / "ec2_gpu_instances.json"),
    }


def cpt(monkeypatch: pytest.MonkeyPatch, data_dir: Path, source_dir: Path, *args: str, **settings: str) -> Result:
    """`cpt <args>` against ``source_dir`` into ``data_dir`` (its own Dagster home); ``settings`` override."""
    monkeypatch.setenv("CPT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
    monkeypatch.setenv("COLUMNS", "100")
    for name, value in {**source_environment(source_dir), **settings}.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def one_line(output: str) -> str:
    """The output with rich's line wrapping undone, to look for a message in it."""
    return " ".join(output.split())


def marts(data_dir: Path) -> dict[str, pl.DataFrame]:
    """Every mart of the published warehouse but the load history, its rows in a stable order (for comparing two
    warehouses)."""
    with duckdb.connect(str(DataLayout(data_dir).warehouse), read_only=True) as con:
        tables = {name: con.sql(f"select * from analytics.{name}").pl() for name in COMPARED_MARTS}
    return {name: frame.sort(frame.columns, nulls_last=True) for name, frame in tables.items()}
