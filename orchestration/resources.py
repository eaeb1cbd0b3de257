"""Resources, bound once from the environment (never read at import time)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtProject

from ingest.billing import AmountLimits
from ingest.landing.sources import Source, SourceUnreachableError
from ingest.landing.uri import open_source
from ingest.landing.zone import LandingZone
from ingest.paths import DataLayout
from orchestration.dbt_invocation import WarehouseDbtCliResource
from orchestration.dbt_manifest import prepare_manifest
from orchestration.housekeeping import prepare_run
from orchestration.settings import value

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
# The dbt of this interpreter's environment, whatever PATH says (dagster-dbt looks on PATH).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt assets are built from the manifest when the definitions load (`cpt`, the UI, `dagster dev` by hand):
# prepare it first if it is missing or stale.
prepare_manifest(dbt_project, DBT_EXECUTABLE)


class AlertWebhookResource(dg.ConfigurableResource):
    """Where alerts are posted (CPT_ALERT_WEBHOOK_URL); empty: alerts stay in the warehouse and the UI only. The URL
    is a secret (a Slack webhook's path is its key): it is never logged."""

    url: str = ""


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
    """Where one kind of delivery arrives: ``s3://bucket/prefix``, ``gs://bucket/prefix`` or a local folder (the
    embedded default); ``none`` turns the source off.

    Every source is optional. One that is absent — a local folder (or file) that does not exist, or ``none`` — is
    skipped and said so; one that is configured but cannot be reached (no bucket, no permission, no credentials)
    is an error naming its setting. S3 credentials come from boto3's standard chain; an S3-compatible store is set
    with AWS_ENDPOINT_URL_S3.
    """

    uri: str
    setting: str = "uri"  # the environment variable the location comes from, named in every message

    @property
    def absent(self) -> str | None:
        """Why this source is skipped, or None when it is there to be read."""
        if self.uri.strip().lower() in ("", "none"):
            return f"{self.setting} is none"
        if "://" not in self.uri and not Path(self.uri).exists():
            return f"{self.setting}={self.uri} does not exist"
        return None

    def open(self) -> tuple[Source, str]:
        try:
            return open_source(self.uri)
        except ValueError as exc:
            raise SourceUnreachableError(f"{self.setting}: {exc}") from exc

    @contextmanager
    def reachable(self) -> Iterator[None]:
        """Turn a failure to reach the source into one error that names the setting to fix."""
        try:
            yield
        except Exception as exc:
            if not _unreachable(exc):
                raise
            raise SourceUnreachableError(f"{self.setting}={self.uri} cannot be read: {_first_line(exc)}") from exc

    def say_absent(self, context: dg.AssetExecutionContext) -> dict[str, str]:
        """Log once that the source is skipped, and the metadata entry that records it."""
        context.log.info(f"skipped, no source: {self.absent}")
        return {"source_absent": self.absent or ""}

    @staticmethod
    def warn_refused_links(context: dg.AssetExecutionContext, source: Source) -> None:
        """A local source skips symbolic links that leave its folder: say which, so nobody wonders."""
        for link in getattr(source, "links_refused", []):
            context.log.warning(f"{source.name}: skipped {link}: a symbolic link out of the source folder")


# Errors of reaching a source rather than of reading what it holds: connections, permissions, credentials, missing
# buckets (the client libraries' own errors, told by module so that none of them is imported just to be caught).
_UNREACHABLE_MODULES = ("requests.", "urllib3.", "botocore.", "google.api_core.", "google.auth.", "oci.", "azure.")


def _unreachable(exc: Exception) -> bool:
    return isinstance(exc, SourceUnreachableError | PermissionError | ConnectionError | TimeoutError) or any(
        type(exc).__module__.startswith(m) for m in _UNREACHABLE_MODULES
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return first if isinstance(exc, SourceUnreachableError) else f"{type(exc).__name__}: {first}"


# The delivery locations, by resource name: the environment variable each is read from.
SOURCE_SETTINGS = {
    "aws_billing": "CPT_AWS_BILLING_URI",
    "gcp_billing": "CPT_GCP_BILLING_URI",
    "azure_billing": "CPT_AZURE_BILLING_URI",
    "oci_billing": "CPT_OCI_BILLING_URI",
    "focus_billing": "CPT_FOCUS_BILLING_URI",
    "aws_price_list": "CPT_AWS_PRICE_LIST_URI",
    "gcp_catalog": "CPT_GCP_CATALOG_URI",
    "gateway_logs": "CPT_GATEWAY_LOGS_URI",
    "litellm_logs": "CPT_LITELLM_LOGS_URI",
    "otel_spans": "CPT_OTEL_SPANS_URI",
    "prometheus_metrics": "CPT_PROMETHEUS_URI",
}


def build_resources(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Every resource, read from the environment when a run starts; with ``environ``, bound now to its values (and
    the settings' defaults for what it leaves out), as the benchmark binds them for a folder of its own."""

    def setting(name: str) -> str | dg.EnvVar:
        return dg.EnvVar(name) if environ is None else value(name, dict(environ))

    return {
        "warehouse": WarehouseResource(data_dir=setting("CPT_DATA_DIR")),
        **{
            name: DeliverySourceResource(uri=setting(variable), setting=variable)
            for name, variable in SOURCE_SETTINGS.items()
        },
        "alerts_webhook": AlertWebhookResource(url=setting("CPT_ALERT_WEBHOOK_URL")),
        # The engine is the profile's target (CPT_WAREHOUSE_ENGINE): duckdb or spark.
        "dbt": WarehouseDbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=DBT_EXECUTABLE,
            target=setting("CPT_WAREHOUSE_ENGINE"),
        ),
    }
