"""Billing ingest: AWS (CUR 2.0, legacy CUR, AWS FOCUS) and GCP exports into bronze, from local folders.
S3 delivery (moto over HTTP) is in test_s3.py."""

import gzip
import json
import shutil
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from ingest.aws.deliveries import discover, ingest_aws_billing
from ingest.aws.line_items import UNUSED_RESERVATION, UNUSED_SAVINGS_PLAN
from ingest.billing import BillingFileError
from ingest.focus import BILLING_SCHEMA
from ingest.gcp.billing_export import ingest_gcp_billing
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.sample.cur2 import write_cur2_delivery
from ingest.schemas import AWS_BILLING_TABLE as AWS_TABLE
from ingest.schemas import GCP_BILLING_TABLE as GCP_TABLE

FIXTURES = Path(__file__).parent.parent / "fixtures"
LEGACY_SAMPLE = FIXTURES / "aws_legacy_cur" / "sample-anonymous-aws-export-dataset.csv.gz"


def _bronze(root: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(root / table / "**" / "*.parquet")


def _aws(bucket: Path, tmp_path: Path, **kw):
    return ingest_aws_billing(
        LocalFolderSource(bucket), "", LandingZone(tmp_path / "landing"), tmp_path / "bronze", **kw
    )


def _copy_aws(sample_month, tmp_path) -> Path:
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


def test_cur2_and_gcp_exports_reproduce_the_invoice(sample_month, tmp_path):
    root, truth = sample_month
    aws = _aws(root / "aws", tmp_path)
    gcp = ingest_gcp_billing(
        LocalFolderSource(root / "gcp"), "", LandingZone(tmp_path / "landing"), tmp_path / "bronze"
    )

    assert [(x.format, x.billing_period) for x in aws + gcp] == [
        ("aws_cur2", "2026-10"),
        ("gcp_billing_export", "2026-10"),
    ]
    assert aws[0].billed_cost == pytest.approx(truth["billed_by_provider_usd"]["aws"], rel=1e-12)
    assert gcp[0].billed_cost == pytest.approx(truth["billed_by_provider_usd"]["gcp"], rel=1e-12)
    assert aws[0].delivery_id == json.loads(next((root / "aws").rglob("*-Manifest.json")).read_text())["executionId"]
    landed = next((tmp_path / "landing").rglob("*.parquet"))
    original = next((root / "aws").rglob("*.parquet"))
    assert landed.read_bytes() == original.read_bytes()  # the landing zone keeps the file byte for byte
    assert set(_bronze(tmp_path / "bronze", AWS_TABLE).columns) >= set(BILLING_SCHEMA)


def test_amortization_and_tiers_follow_the_line_item_types(sample_month, tmp_path):
    _aws(sample_month[0] / "aws", tmp_path)
    frame = _bronze(tmp_path / "bronze", AWS_TABLE)
    by_type = frame.group_by("x_ProviderLineItemType").agg(
        pl.col("BilledCost").sum(), pl.col("EffectiveCost").sum(), pl.col("x_PricingTier").unique()
    )
    row = {r["x_ProviderLineItemType"]: r for r in by_type.to_dicts()}
    # Savings Plan: covered usage billed at on-demand and negated; the effective cost sits on covered usage.
    assert row["SavingsPlanCoveredUsage"]["BilledCost"] == pytest.approx(-row["SavingsPlanNegation"]["BilledCost"])
    assert row["SavingsPlanNegation"]["EffectiveCost"] == 0
    assert row["DiscountedUsage"]["BilledCost"] == 0 and row["DiscountedUsage"]["EffectiveCost"] > 0
    # Fees carry no amortized cost; the unused part of the Savings Plan is a Usage row of its own.
    assert row["SavingsPlanRecurringFee"]["EffectiveCost"] == 0 and row["RIFee"]["EffectiveCost"] == 0
    unused = frame.filter(pl.col("x_ProviderLineItemType") == UNUSED_SAVINGS_PLAN)
    assert unused.height == 744 and unused["CommitmentDiscountStatus"].unique().to_list() == ["Unused"]
    assert unused["BilledCost"].sum() == 0 and unused["EffectiveCost"].sum() > 0
    assert frame.filter(pl.col("x_ProviderLineItemType") == UNUSED_RESERVATION).height == 0  # the RI is fully used
    # Amortizing moves cost between lines and never creates or loses any.
    assert frame["EffectiveCost"].sum() == pytest.approx(frame["BilledCost"].sum(), rel=1e-12)
    assert set(row["Usage"]["x_PricingTier"]) >= {"on_demand", "spot"}
    assert frame.filter(pl.col("x_PricingTier") == "spot")["PricingCategory"].unique().to_list() == ["Dynamic"]


def test_the_real_legacy_cur_sample_reproduces_its_known_totals(tmp_path):
    legacy_delivery(tmp_path / "bucket", LEGACY_SAMPLE)
    loads = _aws(tmp_path / "bucket", tmp_path)
    assert [(x.format, x.billing_period, x.rows) for x in loads] == [("aws_legacy_cur", "2023-11", 1281)]
    frame = _bronze(tmp_path / "bronze", AWS_TABLE)
    totals = {
        r["ChargeCategory"]: r["BilledCost"]
        for r in frame.group_by("ChargeCategory").agg(pl.col("BilledCost").sum()).to_dicts()
    }
    assert round(frame["BilledCost"].sum(), 10) == 1.6823086974
    assert round(totals["Usage"], 10) == 1.6023086974
    assert round(totals["Tax"], 10) == 0.08
    assert frame["ServiceCategory"].null_count() == 0 and frame["ChargePeriodStart"].null_count() == 0


def test_legacy_cur_parquet_uses_the_same_rules(tmp_path):
    csv = pl.read_csv(LEGACY_SAMPLE, infer_schema_length=0)
    from ingest.aws.legacy_cur import cur2_name

    typed = csv.rename({c: cur2_name(c) for c in csv.columns}).with_columns(
        pl.col("line_item_unblended_cost").cast(pl.Float64),
        pl.col("line_item_usage_amount").cast(pl.Float64),
        pl.lit("web").alias("resource_tags_user_team"),
    )
    path = tmp_path / "part.parquet"
    typed.write_parquet(path)
    gz = tmp_path / "dummy.csv.gz"
    gz.write_bytes(gzip.compress(b"x"))
    legacy_delivery(tmp_path / "bucket", gz)
    folder = next((tmp_path / "bucket").rglob("a1b2c3d4-*"))
    (folder / "legacy-cur-1.csv.gz").unlink()
    shutil.copyfile(path, folder / "legacy-cur-1.snappy.parquet")
    manifest = folder.parent / "legacy-cur-Manifest.json"
    doc = json.loads(manifest.read_text())
    doc["reportKeys"] = [k.replace("legacy-cur-1.csv.gz", "legacy-cur-1.snappy.parquet") for k in doc["reportKeys"]]
    manifest.write_text(json.dumps(doc))
    _aws(tmp_path / "bucket", tmp_path)
    frame = _bronze(tmp_path / "bronze", AWS_TABLE)
    assert round(frame["BilledCost"].sum(), 10) == 1.6823086974
    assert frame["Tags"].unique().to_list() == ['{"team":"web"}']


def test_aws_focus_export_round_trips(sample_month, tmp_path):
    """Our bronze, written the way AWS's FOCUS 1.2 export is, reads back to the same costs and tiers."""
    _aws(sample_month[0] / "aws", tmp_path / "first")
    bronze = _bronze(tmp_path / "first" / "bronze", AWS_TABLE)
    kv = pl.List(pl.Struct({"key": pl.String(), "value": pl.String()}))
    export = (
        bronze.select(list(BILLING_SCHEMA))
        .drop([c for c in BILLING_SCHEMA if c.startswith("x_")])
        .with_columns(
            pl.col("Tags")
            .str.json_decode(pl.Struct({"cpt:deployment": pl.String()}))
            .struct.field("cpt:deployment")
            .map_elements(lambda d: [{"key": "user:cpt:deployment", "value": d}] if d else [], return_dtype=kv)
            .alias("Tags"),
            pl.concat_str(pl.lit("USE1-BoxUsage:"), bronze["x_InstanceType"]).alias("x_UsageType"),
        )
    )
    bucket = tmp_path / "bucket"
    data = bucket / "focus/cpt-focus/data/BILLING_PERIOD=2026-10/cpt-focus-00001.snappy.parquet"
    data.parent.mkdir(parents=True)
    export.write_parquet(data)
    meta = bucket / "focus/cpt-focus/metadata/BILLING_PERIOD=2026-10/cpt-focus-Manifest.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(
        json.dumps(
            {
                "executionId": "e-1",
                "columns": [{"name": c} for c in export.columns],
                "dataFiles": ["s3://b/focus/cpt-focus/data/BILLING_PERIOD=2026-10/cpt-focus-00001.snappy.parquet"],
            }
        )
    )
    loads = _aws(bucket, tmp_path / "second")
    assert [x.format for x in loads] == ["aws_focus"]
    again = _bronze(tmp_path / "second" / "bronze", AWS_TABLE)
    for column in ("BilledCost", "EffectiveCost"):
        assert again[column].sum() == pytest.approx(bronze[column].sum(), rel=1e-12)
    assert _usage_by_tier(again) == pytest.approx(_usage_by_tier(bronze), rel=1e-12)
    assert set(again["x_InstanceType"].drop_nulls()) == set(bronze["x_InstanceType"].drop_nulls())


def _usage_by_tier(frame: pl.DataFrame) -> dict[str | None, float]:
    usage = (
        frame.filter(pl.col("ChargeCategory") == "Usage").group_by("x_PricingTier").agg(pl.col("EffectiveCost").sum())
    )
    return dict(zip(usage["x_PricingTier"], usage["EffectiveCost"], strict=True))


def test_redelivery_replaces_the_month_and_unchanged_delivery_is_skipped(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    first = _aws(bucket, tmp_path)[0]
    again = _aws(bucket, tmp_path)[0]
    assert again.skipped and again.delivery_id == first.delivery_id

    # AWS re-delivers the whole month with a restated line and a new execution id: replaced, never appended.
    path = next(bucket.rglob("*.parquet"))
    table = pq.read_table(path)
    restated = pl.from_arrow(table).with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.col("line_item_unblended_cost") + 100.0)
        .otherwise(pl.col("line_item_unblended_cost"))
        .alias("line_item_unblended_cost")
    )
    execution = write_cur2_delivery(bucket, restated.to_arrow().cast(table.schema), "2026-10")
    second = _aws(bucket, tmp_path)[0]

    assert not second.skipped and second.delivery_id == execution != first.delivery_id
    assert second.billed_cost == pytest.approx(first.billed_cost + 100.0, rel=1e-12)
    stored = _bronze(tmp_path / "bronze", AWS_TABLE)
    assert stored.height == first.rows
    assert stored["x_DeliveryId"].unique().to_list() == [execution]


def test_only_requested_months_are_loaded(sample_month, tmp_path):
    assert _aws(sample_month[0] / "aws", tmp_path, periods={"2026-09"}) == []


def test_missing_columns_are_a_clear_error_naming_the_file_and_nothing_is_written(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    path = next(bucket.rglob("*.parquet"))
    write_cur2_delivery(bucket, pq.read_table(path).drop(["line_item_unblended_cost"]), "2026-10")
    with pytest.raises(BillingFileError, match=r"cpt-demo-00001\.snappy\.parquet.*line_item_unblended_cost"):
        _aws(bucket, tmp_path)
    assert not (tmp_path / "bronze" / AWS_TABLE / "export=cpt-demo").exists()


def test_wrongly_typed_columns_are_a_clear_error(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    path = next(bucket.rglob("*.parquet"))
    table = pl.from_arrow(pq.read_table(path)).with_columns(pl.lit("twelve dollars").alias("line_item_unblended_cost"))
    write_cur2_delivery(bucket, table.to_arrow(), "2026-10")
    with pytest.raises(BillingFileError, match="line_item_unblended_cost does not hold Float64"):
        _aws(bucket, tmp_path)


def test_a_corrupt_parquet_file_is_a_clear_error_and_the_good_month_stays(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    good = _aws(bucket, tmp_path)[0]
    path = next(bucket.rglob("*.parquet"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated upload
    manifest = next(bucket.rglob("*-Manifest.json"))
    doc = json.loads(manifest.read_text())
    doc["executionId"] = "truncated-redelivery"
    manifest.write_text(json.dumps(doc))
    with pytest.raises(BillingFileError, match=r"aws_cur2: cpt-demo-00001\.snappy\.parquet"):
        _aws(bucket, tmp_path)
    stored = _bronze(tmp_path / "bronze", AWS_TABLE)
    assert stored["x_DeliveryId"].unique().to_list() == [good.delivery_id]  # last good delivery untouched


def test_a_corrupt_csv_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress(b'lineItem/UnblendedCost,bill/PayerAccountId\n1.0\n"unterminated'))
    legacy_delivery(tmp_path / "bucket", bad)
    with pytest.raises(BillingFileError, match=r"aws_legacy_cur: legacy-cur-1\.csv\.gz"):
        _aws(tmp_path / "bucket", tmp_path)


def test_a_manifest_naming_a_missing_object_is_a_clear_error(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    next(bucket.rglob("*.parquet")).unlink()
    with pytest.raises(BillingFileError, match=r"cpt-demo-Manifest\.json names objects that are not in the source"):
        _aws(bucket, tmp_path)


def test_a_local_mirror_made_below_the_bucket_prefix_loads(sample_month, tmp_path):
    """`aws s3 sync s3://bucket/cur2 ./mirror`: the manifest still names `cur2/cpt-demo/data/…` (its full key), the
    mirror holds `cpt-demo/data/…`; the files are found from the manifest's export folder."""
    mirror = tmp_path / "mirror"
    shutil.copytree(sample_month[0] / "aws" / "cur2", mirror)
    manifest = json.loads(next(mirror.rglob("*-Manifest.json")).read_text())
    assert all(f.split("/", 3)[3].startswith("cur2/cpt-demo/data/") for f in manifest["dataFiles"])

    mirrored = _aws(mirror, tmp_path / "mirrored")
    synced_whole = _aws(sample_month[0] / "aws", tmp_path / "whole")

    assert [(x.billing_period, x.rows, x.billed_cost) for x in mirrored] == [
        (x.billing_period, x.rows, x.billed_cost) for x in synced_whole
    ]


def test_a_broken_manifest_is_a_clear_error(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    next(bucket.rglob("*-Manifest.json")).write_text("{not json")
    with pytest.raises(BillingFileError, match="is not valid JSON"):
        discover(LocalFolderSource(bucket))


def _gcp_in_currency(sample_month, tmp_path, currency: str) -> Path:
    root = tmp_path / "gcp"
    shutil.copytree(sample_month[0] / "gcp", root)
    path = next(root.rglob("*.jsonl"))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        row["currency"] = currency
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def test_a_currency_without_a_rate_is_refused(sample_month, tmp_path):
    root = _gcp_in_currency(sample_month, tmp_path, "CHF")
    with pytest.raises(
        BillingFileError,
        match=r"no exchange rate for \[\('2026-10', 'CHF'\)\].*currency_rates\.csv"
        r".*first: billing_export-\d+\.jsonl row 1\)",
    ):
        ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")


def test_a_currency_with_a_rate_is_kept_as_billed(sample_month, tmp_path):
    """Bronze keeps the billing currency (FOCUS); dbt converts with seeds/currency_rates.csv."""
    root = _gcp_in_currency(sample_month, tmp_path, "EUR")
    ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert _bronze(tmp_path / "b", GCP_TABLE)["BillingCurrency"].unique().to_list() == ["EUR"]


def test_gcp_commitment_credits_fold_into_usage_and_promotions_become_credit_rows(sample_month, tmp_path):
    ingest_gcp_billing(LocalFolderSource(sample_month[0] / "gcp"), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    frame = _bronze(tmp_path / "b", GCP_TABLE)
    committed = frame.filter(pl.col("x_PricingTier") == "committed_use")
    assert committed.height > 0
    assert (committed["BilledCost"] < committed["ContractedCost"]).all()  # the CUD credit is netted in
    credits = frame.filter(pl.col("ChargeCategory") == "Credit")
    assert credits.height == 48 and (credits["BilledCost"] < 0).all()
    assert credits["Tags"].str.contains('"cpt-shared":"gke-usc1"').all()  # they follow the usage they apply to


def test_unknown_gcp_credit_type_is_refused(sample_month, tmp_path):
    root = tmp_path / "gcp"
    shutil.copytree(sample_month[0] / "gcp", root)
    path = next(root.rglob("*.jsonl"))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[0]["credits"] = [{"name": "x", "amount": -1.0, "full_name": None, "id": "x", "type": "MYSTERY_CREDIT"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(BillingFileError, match="MYSTERY_CREDIT"):
        ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")


def _gcp_rows(sample_month) -> list[dict]:
    path = next((sample_month[0] / "gcp").rglob("*.jsonl"))
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write_gcp(tmp_path: Path, rows: list[dict], raw_lines: list[str] = ()) -> Path:
    root = tmp_path / "gcp"
    path = root / "billing_export" / "invoice_month=202610" / "billing_export-000000.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "".join(line + "\n" for line in raw_lines))
    return root


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.update(cost="twelve"), "billing_export-000000.jsonl"),  # wrong type
        (lambda r: r.pop("usage_start_time"), r"jsonl: 1 rows lack usage_start_time \(first at row 6\)"),
        (lambda r: r.update(invoice=None), r"jsonl: 1 rows lack invoice\.month \(first at row 6\)"),
        (lambda r: r.update(cost_type="surprise"), "cost_type has values with no rule"),  # unknown value
    ],
    ids=["wrong-type", "missing-field", "missing-nested", "unknown-cost-type"],
)
def test_gcp_rows_of_the_wrong_shape_are_a_clear_error_and_bronze_keeps_the_good_month(
    sample_month, tmp_path, change, message
):
    good = _gcp_rows(sample_month)
    root = _write_gcp(tmp_path, good)
    first = ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")[0]
    broken = [dict(r) for r in good]
    change(broken[5])
    path = next(root.rglob("*.jsonl"))
    path.write_text("".join(json.dumps(r) + "\n" for r in broken))
    with pytest.raises(BillingFileError, match=message):
        ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    stored = _bronze(tmp_path / "b", GCP_TABLE)
    assert stored["x_DeliveryId"].unique().to_list() == [first.delivery_id]
    assert stored["BilledCost"].sum() == pytest.approx(first.billed_cost, rel=1e-12)


def test_gcp_export_parquet_files_read_like_jsonl(sample_month, tmp_path):
    from ingest.gcp.billing_export import EXPORT_SCHEMA

    source = next((sample_month[0] / "gcp").rglob("*.jsonl"))
    frame = pl.read_ndjson(source, schema=EXPORT_SCHEMA).with_columns(
        pl.col(c).str.to_datetime(time_zone="UTC") for c in ("usage_start_time", "usage_end_time", "export_time")
    )
    target = tmp_path / "gcp" / "billing_export" / "invoice_month=202610" / "part-0.parquet"
    target.parent.mkdir(parents=True)
    frame.write_parquet(target)
    loads = ingest_gcp_billing(LocalFolderSource(tmp_path / "gcp"), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert loads[0].billed_cost == pytest.approx(sample_month[1]["billed_by_provider_usd"]["gcp"], rel=1e-12)
    stored = _bronze(tmp_path / "b", GCP_TABLE)
    assert stored["ChargePeriodStart"].min().isoformat() == "2026-10-01T00:00:00"


# ---------- a bad delivery never replaces the last good one; nothing is counted twice


def _restate(bucket: Path, change, export: str = "cpt-demo") -> str:
    """Re-deliver the month of ``bucket`` with ``change`` applied to its CUR rows; returns the execution id."""
    path = next(bucket.rglob("*.parquet"))
    table = pq.read_table(path)
    return write_cur2_delivery(bucket, change(pl.from_arrow(table)).to_arrow().cast(table.schema), "2026-10", export)


def _first_row(column: str, value: float):
    return lambda frame: frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )


@pytest.mark.parametrize(
    "value, message",
    [
        (float("nan"), r"BilledCost = nan \(not a finite number; first: cpt-demo-00001\.snappy\.parquet row 1\)"),
        (float("inf"), r"BilledCost = inf \(not a finite number"),
        (float("-inf"), r"BilledCost = -inf \(not a finite number"),
        (1e300, r"1 lines exceed their ceiling \(first: cpt-demo-00001\.snappy\.parquet row 1, account"),
    ],
    ids=["nan", "inf", "-inf", "1e300"],
)
def test_a_restatement_with_impossible_amounts_is_refused_and_the_good_month_stays(
    sample_month, tmp_path, value, message
):
    bucket = _copy_aws(sample_month, tmp_path)
    good = _aws(bucket, tmp_path)[0]
    good_landed = {p: p.read_bytes() for p in (tmp_path / "landing").rglob("*.parquet")}
    _restate(bucket, _first_row("line_item_unblended_cost", value))
    with pytest.raises(BillingFileError, match=message):
        _aws(bucket, tmp_path)
    stored = _bronze(tmp_path / "bronze", AWS_TABLE)
    assert stored["x_DeliveryId"].unique().to_list() == [good.delivery_id]
    assert stored["BilledCost"].sum() == pytest.approx(good.billed_cost, rel=1e-12)
    assert all(p.read_bytes() == data for p, data in good_landed.items())  # the landed good version is kept
    assert len(list((tmp_path / "landing").rglob("*.parquet"))) == 2  # beside the refused one


def test_the_ceiling_follows_the_accounts_history_and_is_configurable(sample_month, tmp_path):
    from ingest.billing import AmountLimits

    bucket = _copy_aws(sample_month, tmp_path)
    good = _aws(bucket, tmp_path)[0]
    largest = _bronze(tmp_path / "bronze", AWS_TABLE)["BilledCost"].abs().max()
    # Another month of the same account with one line 50× its largest: fine by default, refused at 10×.
    path = next(bucket.rglob("*.parquet"))
    table = pq.read_table(path)
    november = pl.from_arrow(table).with_columns(
        pl.col(c).dt.offset_by("1mo") for c in ("line_item_usage_start_date", "line_item_usage_end_date")
    )
    november = _first_row("line_item_unblended_cost", largest * 50)(november)
    write_cur2_delivery(bucket, november.to_arrow().cast(table.schema), "2026-11")
    with pytest.raises(BillingFileError, match=r"> .*10 × the account's largest earlier line"):
        _aws(bucket, tmp_path, periods={"2026-11"}, limits=AmountLimits(max_ratio_to_history=10))
    assert _aws(bucket, tmp_path, periods={"2026-11"})[0].rows == good.rows


def test_a_gcp_cost_of_1e999_is_refused(sample_month, tmp_path):
    rows = _gcp_rows(sample_month)
    root = _write_gcp(tmp_path, rows)
    first = ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")[0]
    path = next(root.rglob("*.jsonl"))
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(f'"cost": {json.dumps(rows[3]["cost"])}', '"cost": 1e999', 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(BillingFileError, match=r"not a finite number; first: billing_export-000000\.jsonl row"):
        ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l"), tmp_path / "b")
    assert _bronze(tmp_path / "b", GCP_TABLE)["BilledCost"].sum() == pytest.approx(first.billed_cost, rel=1e-12)


def test_a_manifest_listing_a_file_twice_is_refused(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    manifest = next(bucket.rglob("*-Manifest.json"))
    doc = json.loads(manifest.read_text())
    doc["dataFiles"] = doc["dataFiles"] * 2
    manifest.write_text(json.dumps(doc))
    with pytest.raises(BillingFileError, match="more than once: its rows would be counted twice"):
        _aws(bucket, tmp_path)
    assert not (tmp_path / "bronze" / AWS_TABLE / "export=cpt-demo").exists()


def test_an_exact_copy_of_a_gcp_export_file_is_counted_once(sample_month, tmp_path):
    root = _write_gcp(tmp_path, _gcp_rows(sample_month))
    path = next(root.rglob("*.jsonl"))
    single = ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l1"), tmp_path / "b1")[0]
    shutil.copyfile(path, path.with_name("billing_export-000000 (1).jsonl"))
    load = ingest_gcp_billing(LocalFolderSource(root), "", LandingZone(tmp_path / "l2"), tmp_path / "b2")[0]
    assert load.billed_cost == pytest.approx(single.billed_cost, rel=1e-12) and load.rows == single.rows
    [note] = load.notes
    assert "billing_export-000000 (1).jsonl" in note and "billing_export-000000.jsonl" in note
    assert "is a byte-for-byte copy of" in note and note.endswith("read once")


def test_a_second_export_of_the_same_bill_is_refused_until_one_is_removed(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    good = _aws(bucket, tmp_path)[0]
    _restate(bucket, lambda frame: frame, export="cpt-demo-copy")  # the same bill from a second export
    refused = []
    loads = _aws(bucket, tmp_path, refused=refused)
    assert [x.action for x in loads] == ["skipped"]
    assert [x.action for x in refused] == ["refused"]
    assert "already loaded from export=cpt-demo/billing_period=2026-10" in refused[0].refused
    assert _bronze(tmp_path / "bronze", AWS_TABLE)["BilledCost"].sum() == pytest.approx(good.billed_cost, rel=1e-12)

    # The team deletes the first export from the bucket: bronze follows, the copy takes over; the month once.
    shutil.rmtree(bucket / "cur2" / "cpt-demo")
    loads = _aws(bucket, tmp_path)
    assert sorted(x.action for x in loads) == ["removed", "replaced"]
    stored = _bronze(tmp_path / "bronze", AWS_TABLE)
    assert stored.height == good.rows
    assert stored["BilledCost"].sum() == pytest.approx(good.billed_cost, rel=1e-12)


def test_a_delivery_gone_from_the_source_leaves_bronze_but_an_empty_listing_never_empties_it(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    _aws(bucket, tmp_path)
    shutil.rmtree(bucket / "cur2")
    (bucket / "other").mkdir()
    assert _aws(bucket, tmp_path) == []  # nothing listed at all: a wrong prefix must not wipe bronze
    assert _bronze(tmp_path / "bronze", AWS_TABLE).height > 0
    november = tmp_path / "november"
    _restate(_copy_aws(sample_month, tmp_path / "n"), lambda frame: frame)
    shutil.copytree(tmp_path / "n" / "bucket" / "cur2", bucket / "cur2")
    shutil.move(
        bucket / "cur2" / "cpt-demo" / "metadata" / "BILLING_PERIOD=2026-10",
        bucket / "cur2" / "cpt-demo" / "metadata" / "BILLING_PERIOD=2026-11",
    )
    del november
    loads = _aws(bucket, tmp_path)
    assert sorted((x.billing_period, x.action) for x in loads) == [("2026-10", "removed"), ("2026-11", "replaced")]


def test_changed_content_under_the_same_execution_id_is_read_again_and_said(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    first = _aws(bucket, tmp_path)[0]
    path = next(bucket.rglob("*.parquet"))
    table = pl.from_arrow(pq.read_table(path))
    pq.write_table(table.head(table.height - 10).to_arrow(), path, compression="snappy")  # same manifest, same id
    again = _aws(bucket, tmp_path)[0]
    assert not again.skipped and again.delivery_id == first.delivery_id and again.rows == first.rows - 10
    assert "content changed under the same delivery id" in again.notes[0]


def test_negative_usage_lines_are_kept_as_corrections_and_said(sample_month, tmp_path):
    bucket = _copy_aws(sample_month, tmp_path)
    path = next(bucket.rglob("*.parquet"))
    frame = pl.from_arrow(pq.read_table(path))
    usage = frame.with_row_index("n").filter(pl.col("line_item_line_item_type") == "Usage")["n"][0]
    _restate(bucket, _first_row_at(usage, "line_item_unblended_cost", -12.5))
    load = _aws(bucket, tmp_path)[0]
    assert load.notes == (
        f"1 Usage lines have a negative amount (billed -12.50; first: cpt-demo-00001.snappy.parquet row {usage + 1}):"
        " kept as corrections, netted into their hour's cost pool",
    )


def _first_row_at(row: int, column: str, value: float):
    return lambda frame: frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )
