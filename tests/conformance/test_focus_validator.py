"""FOCUS 1.2 conformance, by the FinOps Foundation's focus-validator: the published analytics.focus_billing table
(the generated month of all four clouds through the whole pipeline), and the real legacy CUR sample mapped to FOCUS.
Installs the validator's own Python 3.12 environment on first run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.aws.deliveries import ingest_aws_billing
from ingest.focus_export import export_focus
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.paths import DataLayout
from ingest.schemas import AWS_BILLING_TABLE as AWS_TABLE
from tests.conformance.focus_validator import assert_passes, read_junit, validate
from tests.cpt_runner import cpt
from tests.ingest.billing_support import LEGACY_SAMPLE, legacy_delivery

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bronze(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("conformance")
    zone = LandingZone(root / "landing")
    legacy_delivery(root / "legacy_bucket", LEGACY_SAMPLE)
    ingest_aws_billing(LocalFolderSource(root / "legacy_bucket"), "", zone, root / "legacy_bronze")
    return root


def test_the_published_focus_billing_table_passes_the_focus_validator(sample_month, tmp_path, monkeypatch):
    """The table FinOps tools read, exactly as the warehouse publishes it (AWS, GCP, Azure and OCI, every line), one
    provider's rows at a time: a FOCUS dataset is one provider's export, and the validator checks some rules over
    the whole file (InvoiceId is null on every row of a month not yet invoiced, set on every row of one that is),
    which two providers at different points of their invoicing cannot both meet in one file."""
    root, truth = sample_month
    result = cpt(monkeypatch, tmp_path / "data", root, "run", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(DataLayout(tmp_path / "data").warehouse), read_only=True) as con:
        billed = con.execute("select sum(BilledCost) from analytics.focus_billing").fetchone()[0]
        providers = [
            p for (p,) in con.execute("select distinct ProviderName from analytics.focus_billing order by 1").fetchall()
        ]
        for provider in providers:
            parquet = tmp_path / f"focus_billing_{provider.replace(' ', '_')}.parquet"
            query = f"select * from analytics.focus_billing where ProviderName = '{provider}'"
            con.execute(f"copy ({query}) to '{parquet}' (format parquet)")
    cent = Decimal("0.01")
    assert billed.quantize(cent) == Decimal(str(truth["billed_total_usd"])).quantize(cent)  # every line, to the cent
    assert providers == ["AWS", "Google Cloud", "Microsoft", "Oracle"]
    for provider in providers:
        assert_passes(validate(tmp_path / f"focus_billing_{provider.replace(' ', '_')}.parquet"))


def test_the_real_legacy_cur_sample_passes_the_focus_validator(bronze):
    """The anonymised legacy CUR sample (a real export) mapped to FOCUS, before any allocation."""
    parquet, csv = export_focus([bronze / "legacy_bronze" / AWS_TABLE], bronze / "focus", "aws_legacy_cur_sample")
    verdict = validate(parquet)
    assert_passes(verdict)
    assert csv.stat().st_size > 0


def test_a_failing_rule_is_not_excused(tmp_path):
    report = tmp_path / "r.xml"
    report.write_text(
        '<testsuites><testsuite name="s">'
        '<testcase name="BilledCost-C-002-M :: Type"><failure message="x"/></testcase>'
        '<testcase name="InvoiceId-C-003-C :: Composite"/>'
        '<testcase name="InvoiceId-C-004-C :: Nullability"><failure message="y"/></testcase>'
        '<testcase name="ServiceName-C-000-M :: Composite"><error message="z"/></testcase>'
        "</testsuite></testsuites>"
    )
    verdict = read_junit(Path("x.parquet"), report)
    assert verdict.failed == ["BilledCost-C-002-M"]
    assert verdict.errored == ["ServiceName-C-000-M"]
    assert verdict.excused == [("InvoiceId-C-004-C", "InvoiceId-C-003-C")]
    assert not verdict.ok
