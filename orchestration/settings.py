"""Every environment setting the warehouse reads, with its default: the one place they are written.

`cpt` fills the defaults in before it loads Dagster; the Makefile runs the UI and the docs site through
``python -m orchestration.settings COMMAND…`` (the same defaults, then COMMAND); the README's settings table is
printed from here (``python -m orchestration.settings --markdown``) and a test holds it to this table.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

from ingest import duck


@dataclass(frozen=True)
class Setting:
    name: str
    default: str  # may start with an earlier setting's value: {CPT_DATA_DIR}/source
    meaning: str
    absolute: bool = False  # resolved to an absolute path whether set or defaulted (Dagster and dbt need one)


_SOURCES = "see [Accepted inputs](#accepted-inputs-today)"
SETTINGS = (
    Setting(
        "CPT_DATA_DIR",
        "data",
        "landing zone, bronze parquet, `warehouse/build/` (dbt), `warehouse/cpt.duckdb` (published), `logs/`; "
        "relative to the working directory",
        absolute=True,
    ),
    Setting(
        "CPT_SOURCE_DIR",
        "{CPT_DATA_DIR}/source",
        "where deliveries arrive: `aws/cur2/…`, `gcp/billing_export/…`, `tokens/gateway/…`",
        absolute=True,
    ),
    Setting(
        "CPT_HISTORY_START",
        "2020-01",
        "the first month the warehouse keeps (YYYY-MM): partitions start there, and `cpt run` refuses an earlier "
        "range before anything runs",
    ),
    Setting(
        "CPT_AWS_BILLING_URI", "{CPT_SOURCE_DIR}/aws", f"AWS billing exports (CUR 2.0, legacy CUR, FOCUS); {_SOURCES}"
    ),
    Setting(
        "CPT_AWS_PRICE_LIST_URI",
        "{CPT_SOURCE_DIR}/aws/price_list/ec2_gpu_instances.json",
        "AWS list prices of the GPU instance types: the Price List API or a saved list of its documents",
    ),
    Setting("CPT_GCP_BILLING_URI", "{CPT_SOURCE_DIR}/gcp", f"the GCP billing export (files or `bq://…`); {_SOURCES}"),
    Setting(
        "CPT_AZURE_BILLING_URI",
        "{CPT_SOURCE_DIR}/azure",
        "Azure Cost Management cost details exports (EA or MCA, actual cost): `az://<account>/<container>/<path>` "
        f"or a folder holding a copy; {_SOURCES}",
    ),
    Setting(
        "CPT_OCI_BILLING_URI",
        "{CPT_SOURCE_DIR}/oci",
        "OCI cost reports: `oci://bling/<tenancy OCID>/reports/cost-csv` (the tenancy's report bucket) or a "
        f"folder holding a copy; {_SOURCES}",
    ),
    Setting(
        "CPT_OCI_OBJECT_STORAGE_ENDPOINT",
        "",
        "OCI Object Storage endpoint for `oci://…` sources; empty: the region's, from the OCI config",
    ),
    Setting(
        "CPT_FOCUS_BILLING_URI",
        "{CPT_SOURCE_DIR}/focus",
        "FOCUS 1.0-1.2 exports of any provider (CSV, CSV.gz, Parquet; a folder, `s3://…`, `gs://…`, `az://…` or "
        "`oci://…`); "
        f"{_SOURCES}",
    ),
    Setting(
        "CPT_GCP_CATALOG_URI",
        "{CPT_SOURCE_DIR}/gcp/catalog/compute_engine_skus.json",
        "GCP list prices: the Cloud Billing catalog API or a saved list of SKUs",
    ),
    Setting("CPT_GATEWAY_LOGS_URI", "{CPT_SOURCE_DIR}/tokens/gateway", "gateway usage logs"),
    Setting("CPT_LITELLM_LOGS_URI", "{CPT_SOURCE_DIR}/tokens/litellm", "LiteLLM spend logs"),
    Setting("CPT_OTEL_SPANS_URI", "{CPT_SOURCE_DIR}/tokens/otel", "OpenTelemetry GenAI spans"),
    Setting("CPT_PROMETHEUS_URI", "{CPT_SOURCE_DIR}/tokens/metrics", "vLLM / SGLang / TGI Prometheus counters"),
    Setting(
        "DAGSTER_HOME",
        "{CPT_DATA_DIR}/dagster_home",
        "Dagster's run history; the dagster.yaml written into a new one turns telemetry off, run monitoring on and "
        "keeps the event log's SQLite connections open (one of your own is kept)",
        absolute=True,
    ),
    Setting(
        "CPT_WAREHOUSE_ENGINE",
        "duckdb",
        "the engine dbt builds the warehouse on, a target of `dbt_project/profiles.yml`: `duckdb` (the build file) or "
        "`spark` (dbt-spark; a local session, or your cluster — see [Running on Spark](#running-on-spark))",
    ),
    Setting(
        "CPT_BRONZE_URI",
        "",
        "where dbt reads bronze: empty, the data directory's `bronze/`; `s3://bucket/prefix`, a copy there in the same "
        "layout, brought up to date before each dbt build that reads bronze (see [Bronze on S3](#bronze-on-s3))",
    ),
    Setting(
        "CPT_SPARK_DRIVER_MEMORY",
        "2g",
        "heap of the Spark engine's local session (the `spark` target's driver, where the work runs)",
    ),
    Setting(
        "CPT_SPARK_SHUFFLE_PARTITIONS",
        "4",
        "`spark.sql.shuffle.partitions` of the Spark engine's local session: a few per core; on a cluster, about a "
        "day's bronze ÷ 50 MB (SCALING.md)",
    ),
    Setting(
        "CPT_DUCKDB_MEMORY_LIMIT",
        duck.MEMORY_LIMIT,
        "memory limit of every DuckDB connection (ingest, dbt's build, publish, forecasts, reports); above it DuckDB "
        "spills to its temp directory",
    ),
    Setting(
        "CPT_DUCKDB_THREADS",
        duck.THREADS,
        "threads of every DuckDB connection (each thread holds its own working memory); raise it on a bigger machine",
    ),
    Setting(
        "CPT_DUCKDB_TEMP_DIR",
        "{CPT_DATA_DIR}/tmp/duckdb",
        "where DuckDB spills what does not fit in its memory limit",
        absolute=True,
    ),
    Setting(
        "CPT_ALERT_WEBHOOK_URL",
        "",
        "where budget and anomaly alerts are posted (Slack-compatible JSON, each alert once); empty: off",
    ),
    Setting("DBT_SEND_ANONYMOUS_USAGE_STATS", "false", "dbt's usage statistics, off"),
    Setting("SPARK_LOCAL_IP", "127.0.0.1", "the address a local Spark session binds (the Spark engine): loopback only"),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def default(name: str, environ: MutableMapping[str, str] | None = None) -> str:
    """The value ``name`` takes when unset, given the settings before it (from ``environ`` or their defaults)."""
    environ = os.environ if environ is None else environ
    text = BY_NAME[name].default
    for earlier in SETTINGS:
        placeholder = "{" + earlier.name + "}"
        if placeholder in text:
            text = text.replace(placeholder, value(earlier.name, environ))
    return text


def value(name: str, environ: MutableMapping[str, str] | None = None) -> str:
    """The setting's value: the environment's when set, else its default. An empty source URI stays empty (the
    source is off, like ``none``); an empty folder setting takes its default."""
    environ = os.environ if environ is None else environ
    given = environ.get(name)
    if given is None or (not given and BY_NAME[name].absolute):
        return default(name, environ)
    return given


def apply_defaults(environ: MutableMapping[str, str] | None = None) -> None:
    """Fill every unset setting in with its default, in order, so that Dagster's EnvVar resources and dbt find
    them; the folders Dagster and dbt need absolute are resolved."""
    environ = os.environ if environ is None else environ
    for setting in SETTINGS:
        text = value(setting.name, environ)
        environ[setting.name] = str(Path(text).resolve()) if setting.absolute else text


def markdown_table() -> str:
    """The README's settings table."""
    rows = ["| setting | default | what it is |", "|---|---|---|"]
    for setting in SETTINGS:
        shown = f"`{setting.default.replace('{', '$').replace('}', '')}`" if setting.default else "(empty)"
        rows.append(f"| `{setting.name}` | {shown} | {setting.meaning} |")
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--markdown"]:
        print(markdown_table())
        return
    if not argv:
        raise SystemExit("usage: python -m orchestration.settings (--markdown | COMMAND [ARG…])")
    apply_defaults()
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
