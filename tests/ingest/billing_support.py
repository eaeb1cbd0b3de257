"""What the billing tests share: bronze readers, copies of the sample month's deliveries, restatements."""

import json
import shutil
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from ingest.aws.deliveries import ingest_aws_billing
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.sample.cur2 import write_cur2_delivery

FIXTURES = Path(__file__).parents[1] / "fixtures"


LEGACY_SAMPLE = FIXTURES / "aws_legacy_cur" / "sample-anonymous-aws-export-dataset.csv.gz"


def read_bronze(root: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(root / table / "**" / "*.parquet")


def load_aws(bucket: Path, tmp_path: Path, **kw):
    return ingest_aws_billing(
        LocalFolderSource(bucket), "", LandingZone(tmp_path / "landing"), tmp_path / "bronze", **kw
    )


def copy_aws(sample_month, tmp_path) -> Path:
    bucket = tmp_path / "bucket"
    shutil.copytree(sample_month[0] / "aws", bucket)
    return bucket


def legacy_delivery(bucket: Path, csv_gz: Path, assembly: str = "a1b2c3d4-0000-4000-8000-000000000001") -> None:
    """Lay a legacy CUR file out the way AWS does: an assembly folder and the period-level manifest."""
    report, folder = "legacy-cur", "cur/legacy-cur/20231101-20231201"
    key = f"{folder}/{assembly}/legacy-cur-1.csv.gz"
    (bucket / key).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(csv_gz, bucket / key)
    manifest = {
        "assemblyId": assembly,
        "reportKeys": [key],
        "reportName": report,
        "compression": "GZIP",
        "billingPeriod": {"start": "20231101T000000.000Z", "end": "20231201T000000.000Z"},
    }
    (bucket / folder / "legacy-cur-Manifest.json").write_text(json.dumps(manifest))
    # AWS also leaves a copy of the manifest inside the assembly folder: it must not count as a second delivery.
    (bucket / folder / assembly / "legacy-cur-Manifest.json").write_text(json.dumps(manifest))


def usage_by_tier(frame: pl.DataFrame) -> dict[str | None, float]:
    usage = (
        frame.filter(pl.col("ChargeCategory") == "Usage").group_by("x_PricingTier").agg(pl.col("EffectiveCost").sum())
    )
    return dict(zip(usage["x_PricingTier"], usage["EffectiveCost"], strict=True))


def gcp_in_currency(sample_month, tmp_path, currency: str) -> Path:
    root = tmp_path / "gcp"
    shutil.copytree(sample_month[0] / "gcp", root)
    path = next(root.rglob("*.jsonl"))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        row["currency"] = currency
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def gcp_rows(sample_month) -> list[dict]:
    path = next((sample_month[0] / "gcp").rglob("*.jsonl"))
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_gcp(tmp_path: Path, rows: list[dict], raw_lines: list[str] = ()) -> Path:
    root = tmp_path / "gcp"
    path = root / "billing_export" / "invoice_month=202610" / "billing_export-000000.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "".join(line + "\n" for line in raw_lines))
    return root


def restate(bucket: Path, change, export: str = "cpt-demo") -> str:
    """Re-deliver the month of ``bucket`` with ``change`` applied to its CUR rows; returns the execution id."""
    path = next(bucket.rglob("*.parquet"))
    table = pq.read_table(path)
    return write_cur2_delivery(bucket, change(pl.from_arrow(table)).to_arrow().cast(table.schema), "2026-10", export)


def first_row(column: str, value: float):
    return lambda frame: frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )


def first_row_at(row: int, column: str, value: float):
    return lambda frame: frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )
