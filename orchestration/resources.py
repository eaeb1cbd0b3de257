"""Resources, bound once from the environment (never read at import time)."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from ingest.billing import AmountLimits
from ingest.landing.sources import Source, open_source
from ingest.landing.zone import LandingZone
from ingest.paths import DataLayout
from orchestration.housekeeping import prepare_run

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt of this interpreter's environment, whatever PATH says (dagster-dbt looks on PATH).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


class WarehouseResource(dg.ConfigurableResource):
    """Where this warehouse keeps its landing zone, bronze tables and DuckDB files (an absolute path)."""

    data_dir: str
    # Warn (asset check) when a day's token logs lose more than this share of records to quarantine.
    quarantine_warn_rate: float = 0.01
    # A billing delivery with a line above either ceiling is refused (ingest.billing.AmountLimits): any line, in
    # its billing currency; and a multiple of the largest line the same account had before.
    max_line_amount: float = AmountLimits.max_line_amount
    max_line_amount_ratio: float = AmountLimits.max_ratio_to_history

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Every run starts by clearing what killed runs left (only files of processes that are gone).
        if context.instance is not None:
            prepare_run(context.instance, self.layout.data_dir)

    @property
    def layout(self) -> DataLayout:
        return DataLayout(Path(self.data_dir).resolve())

    @property
    def amount_limits(self) -> AmountLimits:
        return AmountLimits(self.max_line_amount, self.max_line_amount_ratio)

    @property
    def landing(self) -> LandingZone:
        return LandingZone(self.layout.landing)


class DeliverySourceResource(dg.ConfigurableResource):
    """Where one kind of delivery arrives: ``s3://bucket/prefix`` or a local folder (the embedded default).

    S3 credentials come from boto3's standard chain; an S3-compatible store is set with AWS_ENDPOINT_URL_S3.
    """

    uri: str

    def open(self) -> tuple[Source, str]:
        return open_source(self.uri)

    @staticmethod
    def warn_refused_links(context: dg.AssetExecutionContext, source: Source) -> None:
        """A local source skips symbolic links that leave its folder: say which, so nobody wonders."""
        for link in getattr(source, "links_refused", []):
            context.log.warning(f"{source.name}: skipped {link}: a symbolic link out of the source folder")


def build_resources() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(data_dir=dg.EnvVar("CPT_DATA_DIR")),
        "aws_billing": DeliverySourceResource(uri=dg.EnvVar("CPT_AWS_BILLING_URI")),
        "gcp_billing": DeliverySourceResource(uri=dg.EnvVar("CPT_GCP_BILLING_URI")),
        "gateway_logs": DeliverySourceResource(uri=dg.EnvVar("CPT_GATEWAY_LOGS_URI")),
        "litellm_logs": DeliverySourceResource(uri=dg.EnvVar("CPT_LITELLM_LOGS_URI")),
        "otel_spans": DeliverySourceResource(uri=dg.EnvVar("CPT_OTEL_SPANS_URI")),
        "gcp_catalog": DeliverySourceResource(uri=dg.EnvVar("CPT_GCP_CATALOG_URI")),
        "prometheus_metrics": DeliverySourceResource(uri=dg.EnvVar("CPT_PROMETHEUS_URI")),
        "dbt": DbtCliResource(
            project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE
        ),
    }
