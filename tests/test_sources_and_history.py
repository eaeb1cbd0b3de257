"""A real team's first month: any month of history, any subset of sources, and a backfill across a year boundary
that equals the same months run one by one."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from polars.testing import assert_frame_equal

from ingest.paths import DataLayout
from ingest.reconcile import conservation_by_month
from ingest.sample.generator import SampleSpec, generate
from tests.cpt_runner import cpt, marts, one_line
from tests.test_cookbook import question

pytestmark = pytest.mark.slow


def _source(tmp_path_factory, months: list[str]) -> tuple[Path, list[dict]]:
    import json

    root, truths = tmp_path_factory.mktemp("source"), []
    for month in months:
        generate(root, SampleSpec(month=month, seed=11, scale=0.02))
        truths.append(json.loads((root / "truth.json").read_text()))
    return root, truths


def _without(source: Path, target: Path, *folders: str) -> Path:
    shutil.copytree(
        source,
        target,
        ignore=lambda folder, names: [n for n in names if Path(folder, n) in {source / f for f in folders}],
    )
    return target


def _query(data_dir: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(DataLayout(data_dir).warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def november_2023(tmp_path_factory):
    root, (truth,) = _source(tmp_path_factory, ["2023-11"])
    return root, truth


def test_an_aws_only_month_in_2023_runs_end_to_end(november_2023, tmp_path, monkeypatch):
    root, truth = november_2023
    source = _without(root, tmp_path / "source", "gcp", "focus")
    result = cpt(monkeypatch, tmp_path / "data", source, "run", "--month", "2023-11")

    assert result.exit_code == 0, result.output
    said = one_line(result.output)
    assert f"skipped GCP billing: CPT_GCP_BILLING_URI={source / 'gcp'} does not exist" in said
    assert "skipped GCP list prices: CPT_GCP_CATALOG_URI=" in said
    assert said.count("skipped GCP billing") == 1  # said once, however many days the run covers
    assert "published" in said and "2023-11-01 … 2023-11-30" in said
    # Quiet: no dbt node lines, no Dagster log lines or warnings; they are in the run's log file, named at the end.
    assert "Running with dbt" not in said and "BetaWarning" not in said and " - dagster - " not in said
    (log,) = (tmp_path / "data" / "logs").glob("cpt-run-*.log")
    assert f"full log: {log}" in said and "Running with dbt" in log.read_text()
    # dbt's artifacts stay in the data directory; the forecast models' build reused the main build's parse.
    artifacts = DataLayout(tmp_path / "data").dbt_artifacts
    (forecast_build,) = artifacts.glob("cpt_forecast_models-*/dbt.log")
    assert "Nothing changed, skipping partial parsing" in forecast_build.read_text()
    assert (artifacts / "partial_parse.msgpack").exists()
    with duckdb.connect(str(DataLayout(tmp_path / "data").warehouse), read_only=True) as con:
        (month,) = conservation_by_month(con)
        invoice = con.execute(
            "select provider, sum(invoice_billed_cost)::double from analytics.fct_reconciliation_monthly group by 1"
        )
        assert invoice.fetchall() == [("aws", pytest.approx(truth["billed_by_provider_usd"]["aws"], abs=0.005))]
        tokens = con.execute("select sum(output_tokens) from analytics.fct_cpt_daily").fetchone()[0]
        # The operations tables: conservation per month, the delivery in force with its lines, every FOCUS line.
        proof = con.execute(
            "select strftime(month, '%Y-%m'), in_scope_cost::double, difference::double "
            "from analytics.ops_conservation_monthly"
        ).fetchall()
        deliveries = con.execute(
            "select provider, sum(line_items), sum(billed_cost_in_billing_currency) "
            "from analytics.ops_billing_deliveries group by 1"
        ).fetchall()
        focus_lines = con.execute("select count(*), sum(BilledCost) from analytics.focus_billing").fetchone()
    assert month.month == "2023-11" and month.holds
    ((proof_month, in_scope, difference),) = proof
    assert (proof_month, in_scope) == ("2023-11", pytest.approx(month.in_scope_cost, rel=1e-12))
    assert abs(difference) <= 1e-9 * in_scope
    ((provider, lines, billed),) = deliveries
    assert (provider, lines) == ("aws", focus_lines[0]) and abs(billed - focus_lines[1]) < Decimal("1e-6")
    cent = Decimal("0.01")
    assert focus_lines[1].quantize(cent) == Decimal(str(truth["billed_by_provider_usd"]["aws"])).quantize(cent)
    # Every token is reported, the GCP deployments' too (they have no cost here: unpriced).
    assert tokens == sum(t["output_tokens"] for t in truth["tokens"].values())


def test_a_gcp_only_month_runs(november_2023, tmp_path, monkeypatch):
    root, truth = november_2023
    source = _without(root, tmp_path / "source", "aws", "focus")
    result = cpt(monkeypatch, tmp_path / "data", source, "run", "--month", "2023-11", "--verbose")

    assert result.exit_code == 0, result.output
    assert "Running with dbt" in result.output  # --verbose: everything, dbt's lines included
    assert f"skipped AWS billing: CPT_AWS_BILLING_URI={source / 'aws'} does not exist" in one_line(result.output)
    invoice = _query(
        tmp_path / "data",
        "select provider, sum(invoice_billed_cost)::double from analytics.fct_reconciliation_monthly group by 1",
    )
    assert invoice == [("gcp", pytest.approx(truth["billed_by_provider_usd"]["gcp"], abs=0.005))]


def test_focus_exports_of_two_clouds_run_end_to_end(november_2023, tmp_path, monkeypatch):
    """An Azure FOCUS 1.2 export (CSV.gz, a run folder) and an OCI FOCUS 1.0 one (parquet, a file per month) as the
    only bills: every line charged, conservation holds, each provider's invoice is its export's BilledCost."""
    import polars as pl

    from tests.ingest.focus_exports.support import focus_rows, write

    root, _ = november_2023
    source = _without(root, tmp_path / "source", "aws", "gcp", "focus")
    azure = focus_rows("1.2", "2023-11", "ea-1")
    oci = focus_rows("1.0", "2023-11", "ocid1.tenancy.oc1..aaaa", n=2).with_columns(
        *(pl.lit("Oracle").alias(c) for c in ("ProviderName", "PublisherName", "InvoiceIssuerName")),
        pl.col("Tags").str.replace("chat-h100", "chat-oci"),  # a deployment lives in one cloud
    )
    write(azure, source / "focus/azure/cpt-focus/20231101-20231130/run-1/part_0_0001.csv.gz")
    write(oci, source / "focus/oci/focus-2023-11.parquet")
    result = cpt(monkeypatch, tmp_path / "data", source, "run", "--month", "2023-11")

    assert result.exit_code == 0, result.output
    invoice = _query(
        tmp_path / "data",
        "select provider, sum(invoice_billed_cost)::double from analytics.fct_reconciliation_monthly "
        "group by 1 order by 1",
    )
    assert invoice == [
        ("azure", pytest.approx(3 * 98.32 + 1.5)),
        ("oci", pytest.approx(2 * 98.32 + 1.5)),
    ]
    with duckdb.connect(str(DataLayout(tmp_path / "data").warehouse), read_only=True) as con:
        assert all(month.holds for month in conservation_by_month(con))
    providers = _query(
        tmp_path / "data", "select ProviderName, count(*) from analytics.focus_billing group by 1 order by 1"
    )
    assert providers == [("Microsoft", 4), ("Oracle", 3)]


def test_the_real_azure_ea_sample_runs_end_to_end(tmp_path, monkeypatch):
    """The anonymized EA cost details export (27 rows, 1.261369 CAD, September 2023) as a month's only bill: loaded
    from a Cost Management run folder, converted from CAD with its month's rate, reconciled to its invoice."""
    from tests.ingest.azure.test_cost_details import SAMPLE

    source = tmp_path / "source"
    run = source / "azure/cpt-actual/20230901-20230930/3b2f0a6e-run"
    run.mkdir(parents=True)
    shutil.copyfile(SAMPLE, run / "part_0_0001.csv")
    result = cpt(monkeypatch, tmp_path / "data", source, "run", "--month", "2023-09")

    assert result.exit_code == 0, result.output
    invoice = _query(
        tmp_path / "data",
        "select provider, sum(invoice_billed_cost)::double from analytics.fct_reconciliation_monthly group by 1",
    )
    assert invoice == [("azure", pytest.approx(1.26136926505726 * 0.7405, abs=1e-9))]  # CAD at September's rate
    with duckdb.connect(str(DataLayout(tmp_path / "data").warehouse), read_only=True) as con:
        assert all(month.holds for month in conservation_by_month(con))
    currency = _query(tmp_path / "data", "select distinct BillingCurrency from analytics.focus_billing")
    assert currency == [("CAD",)]  # the FOCUS table keeps the billing currency


def test_the_real_oci_cost_report_runs_end_to_end(tmp_path, monkeypatch):
    """The OCI cost report sample (506 rows, 2.523589 USD, 13 November 2023) as a month's only bill, from the report
    bucket's layout: reconciled to its invoice, conservation holding, the FOCUS table holding Oracle's rows."""
    from tests.ingest.oci.test_cost_reports import SAMPLE

    source = tmp_path / "source"
    reports = source / "oci/reports/cost-csv"
    reports.mkdir(parents=True)
    shutil.copyfile(SAMPLE, reports / "0000000030000269.csv.gz")
    result = cpt(monkeypatch, tmp_path / "data", source, "run", "--month", "2023-11")

    assert result.exit_code == 0, result.output
    invoice = _query(
        tmp_path / "data",
        "select provider, sum(invoice_billed_cost)::double from analytics.fct_reconciliation_monthly group by 1",
    )
    assert invoice == [("oci", pytest.approx(2.5235893254006485, abs=1e-9))]
    with duckdb.connect(str(DataLayout(tmp_path / "data").warehouse), read_only=True) as con:
        assert all(month.holds for month in conservation_by_month(con))
    rows = _query(tmp_path / "data", "select ProviderName, count(*) from analytics.focus_billing group by 1")
    assert rows == [("Oracle", 506)]


def test_token_logs_without_a_bill_report_tokens_with_cpt_undefined(november_2023, tmp_path, monkeypatch):
    root, truth = november_2023
    source = _without(root, tmp_path / "source", "aws", "gcp", "focus")
    broken = source / "tokens" / "gateway" / "2023" / "11" / "10" / "broken.jsonl"
    broken.write_text("not a record\n" * 60)  # a day losing more than 1 % of its records to quarantine
    result = cpt(monkeypatch, tmp_path / "data", source, "run", "--month", "2023-11")

    assert result.exit_code == 0, result.output  # a warning is not a failure: published, and the warning listed
    said = one_line(result.output)
    assert "skipped AWS billing" in said and "skipped GCP billing" in said
    assert "warning check inference_requests:quarantine_rate_is_low failed: 1 format-day(s) above 1.00%" in said
    assert "published" in said and "60 quarantined" in said
    ((cost, tokens, requests),) = _query(
        tmp_path / "data", "select sum(total_cost), sum(output_tokens), sum(requests) from analytics.fct_cpt_daily"
    )
    assert cost == 0
    assert tokens == sum(t["output_tokens"] for t in truth["tokens"].values())
    assert requests == sum(t["requests"] for t in truth["tokens"].values())
    quarantined = _query(
        tmp_path / "data",
        "select log_day, source_format, source_file, records, first_row, last_row "
        "from analytics.ops_token_quarantine_daily",
    )
    assert [(str(d), f, file, n, lo, hi) for d, f, file, n, lo, hi in quarantined] == [
        ("2023-11-10", "gateway_jsonl", "2023/11/10/broken.jsonl", 60, 1, 60)
    ]
    # The cookbook's quarantine question answers it: one format, one reason, 60 records on one day.
    ((source_format, reason, records, days),) = _query(
        tmp_path / "data", question("Token log quarantine by reason").sql
    )
    assert (source_format, records, days) == ("gateway_jsonl", 60, 1) and reason
    shown = cpt(monkeypatch, tmp_path / "data", source, "show", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert '"cpt_micro_usd_per_output_token": null' in shown.output  # no cost: cost per token is undefined, not zero


def test_an_unreachable_source_is_an_error_naming_its_setting(november_2023, tmp_path, monkeypatch, moto_server):
    root, _ = november_2023
    endpoint, _ = moto_server
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    result = cpt(
        monkeypatch, tmp_path / "data", root, "run", "--month", "2023-11", CPT_AWS_BILLING_URI="s3://no-such-bucket/cur"
    )

    assert result.exit_code == 1, result.output
    said = one_line(result.output)
    assert "failed aws_billing_line_items: SourceUnreachableError: CPT_AWS_BILLING_URI=s3://no-such-bucket/cur" in said
    assert "NoSuchBucket" in said
    assert "nothing was published" in said and "full log:" in said
    assert "no warehouse has been published yet" in said  # not "keeps its last good state": it never had one
    assert not DataLayout(tmp_path / "data").warehouse.exists()


def test_a_backfill_across_a_year_equals_its_months_run_one_by_one(tmp_path_factory, tmp_path, monkeypatch):
    months = ["2024-11", "2024-12", "2025-01", "2025-02"]
    source, _ = _source(tmp_path_factory, months)

    backfill = cpt(monkeypatch, tmp_path / "backfill", source, "run", "--start", "2024-11-01", "--end", "2025-02-28")
    assert backfill.exit_code == 0, backfill.output
    assert "2024-11-01 … 2025-02-28" in one_line(backfill.output)
    for month in months:
        single = cpt(monkeypatch, tmp_path / "monthly", source, "run", "--month", month)
        assert single.exit_code == 0, single.output

    by_month, at_once = marts(tmp_path / "monthly"), marts(tmp_path / "backfill")
    assert by_month.keys() == at_once.keys()
    for name in by_month:
        assert_frame_equal(by_month[name], at_once[name], check_exact=False, rel_tol=1e-9)
    assert {
        m
        for (m,) in _query(
            tmp_path / "backfill", "select distinct strftime(month, '%Y-%m') from analytics.fct_reconciliation_monthly"
        )
    } == set(months)
