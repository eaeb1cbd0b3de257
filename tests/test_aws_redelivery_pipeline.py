"""AWS bills from S3 through the real pipeline: moto's S3 server over HTTP on 127.0.0.1, the CLI's Dagster jobs,
dbt, checks and publish. The month is delivered three times (AWS restates it until final) and the marts must
equal the last delivery exactly; a corrupt fourth delivery is refused by name (exit 1) while the warehouse is
rebuilt on the last good month: the same money."""

from __future__ import annotations

import shutil

import boto3
import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ingest.bronze_store import bronze_files
from ingest.paths import DataLayout
from ingest.reconcile import conservation_by_month
from ingest.sample.cur2 import restated, write_cur2_delivery
from ingest.sample.fleet import CLUSTERS, DEPLOYMENTS
from orchestration.cli import app
from tests.cpt_runner import source_environment

pytestmark = pytest.mark.slow
BUCKET = "acme-billing"
BRONZE_PREFIX = "lake/bronze"


@pytest.fixture(scope="module")
def s3_pipeline(moto_server, sample_month, tmp_path_factory):
    url, _ = moto_server
    root, truth = sample_month
    tmp = tmp_path_factory.mktemp("s3_pipeline")
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": url,  # boto3's own setting for an S3-compatible endpoint
        "CPT_DATA_DIR": str(tmp / "data"),
        "DAGSTER_HOME": str(tmp / "home"),
        **source_environment(root),
        "CPT_AWS_BILLING_URI": f"s3://{BUCKET}/cur2",
        # and bronze on S3: dbt reads every bronze table from the bucket (restated bills replace there too)
        "CPT_BRONZE_URI": f"s3://{BUCKET}/{BRONZE_PREFIX}",
    }
    s3 = boto3.client(
        "s3", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    s3.create_bucket(Bucket=BUCKET)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        yield s3, tmp, root, truth
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def _deliver(s3, tmp, root, factor: float, corrupt: bool = False) -> str:
    """Restate the month with every AWS amount × factor, upload it with its manifest; returns the execution id."""
    table = pq.read_table(next((root / "aws").rglob("*.parquet")))
    bucket_root = tmp / f"delivery-{factor}-{corrupt}"
    execution = write_cur2_delivery(bucket_root, restated(table, factor), "2026-10")
    if corrupt:
        data = next(bucket_root.rglob("*.parquet"))
        data.write_bytes(data.read_bytes()[:4096])
    for path in sorted(p for p in bucket_root.rglob("*") if p.is_file()):
        s3.upload_file(str(path), BUCKET, path.relative_to(bucket_root).as_posix())
    shutil.rmtree(bucket_root)
    return execution


def _facts(layout: DataLayout) -> pl.DataFrame:
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        return con.sql("select * from analytics.fct_cpt_daily order by all").pl()


def _assert_bronze_read_from_the_bucket(s3, layout: DataLayout) -> None:
    """The bucket holds exactly the bronze folder's files, and the build read the token logs from it."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{BRONZE_PREFIX}/")
    keys = {item["Key"].removeprefix(f"{BRONZE_PREFIX}/") for page in pages for item in page.get("Contents", [])}
    assert keys == set(bronze_files(layout.bronze))
    with duckdb.connect(str(layout.build_warehouse), read_only=True) as con:
        read = con.execute("select distinct bronze_file from internal.int_inference_request_copies").fetchall()
    assert read and all(name.startswith(f"s3://{BUCKET}/{BRONZE_PREFIX}/inference_requests/") for (name,) in read)
    # copied once per run: before the build that reads bronze, not again before the forecast models' build
    log = max(layout.logs.glob("cpt-run-*.log"), key=lambda p: p.stat().st_mtime).read_text()
    copies = [line for line in log.splitlines() if "bronze files uploaded" in line]
    assert len(copies) == 1 and "cpt_dbt_models" in copies[0], copies


def _aws_in_scope(layout: DataLayout) -> float:
    aws = tuple(d.name for d in DEPLOYMENTS if d.provider == "aws")
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        sql = f"select sum(total_cost)::double from analytics.fct_cpt_daily where deployment in {aws}"
        return con.execute(sql).fetchone()[0]


def test_three_deliveries_then_a_corrupt_one(s3_pipeline):
    s3, tmp, root, truth = s3_pipeline
    layout = DataLayout(tmp / "data")
    aws_deployments = {d.name for d in DEPLOYMENTS if d.provider == "aws"}
    aws_truth = sum(c for d, c in truth["deployment_cost_usd"].items() if d in aws_deployments)
    aws_truth += sum(c for cluster, c in truth["shared_cost_usd"].items() if CLUSTERS[cluster] == "aws")
    runner = CliRunner()

    for factor in (1.0, 1.03, 0.98):
        execution = _deliver(s3, tmp, root, factor)
        result = runner.invoke(app, ["run", "--month", "2026-10"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        with duckdb.connect(str(layout.warehouse), read_only=True) as con:
            deliveries = con.execute(
                "select distinct delivery_id from internal.int_billing_line_items_unioned where provider = 'aws'"
            ).fetchall()
            months = conservation_by_month(con)
        assert deliveries == [(execution,)]  # only the last delivery, never an append
        _assert_bronze_read_from_the_bucket(s3, layout)
        assert all(m.holds for m in months)
        assert _aws_in_scope(layout) == pytest.approx(aws_truth * factor, rel=1e-9)

    published = _facts(layout)
    aws_bronze = layout.bronze / "aws_billing_line_items"
    bronze = {p: p.read_bytes() for p in aws_bronze.rglob("*.parquet")}
    _deliver(s3, tmp, root, 1.5, corrupt=True)
    result = runner.invoke(app, ["run", "--month", "2026-10"], catch_exceptions=False)
    # Refused, named, exit 1 — and the warehouse is rebuilt on the last good month: the same money.
    assert result.exit_code == 1
    assert "cpt-demo-00001.snappy.parquet" in result.output and "aws_billing_line_items" in result.output
    assert "deliveries_accepted" in result.output
    assert _facts(layout).equals(published)
    assert {p: p.read_bytes() for p in aws_bronze.rglob("*.parquet")} == bronze  # the last good AWS month
    assert _aws_in_scope(layout) == pytest.approx(aws_truth * 0.98, rel=1e-9)
