"""Resources, bound once from the environment (never read at import time)."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from ingest.landing.sources import LocalFolderSource, Source
from ingest.landing.zone import LandingZone
from ingest.paths import DataLayout

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt of this interpreter's environment, whatever PATH says (STACK-NOTES: dagster-dbt looks on PATH).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class WarehouseResource(dg.ConfigurableResource):
    """Where this warehouse keeps its landing zone, bronze tables and DuckDB files (an absolute path)."""

    data_dir: str

    @property
    def layout(self) -> DataLayout:
        return DataLayout(Path(self.data_dir).resolve())

    @property
    def landing(self) -> LandingZone:
        return LandingZone(self.layout.landing)


class LocalSourceResource(dg.ConfigurableResource):
    """Deliveries (billing exports, token logs) in a local folder: the embedded default source."""

    root: str
    billing_aws_cur2_prefix: str = "aws/cur2"
    billing_gcp_export_prefix: str = "gcp/billing_export"
    gateway_logs_prefix: str = "tokens/gateway"

    def source(self) -> Source:
        return LocalFolderSource(Path(self.root), name="local")


def build_resources() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(data_dir=dg.EnvVar("CPT_DATA_DIR")),
        "deliveries": LocalSourceResource(root=dg.EnvVar("CPT_SOURCE_DIR")),
        "dbt": DbtCliResource(
            project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE
        ),
    }
