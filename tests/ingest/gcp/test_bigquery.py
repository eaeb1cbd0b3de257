"""The BigQuery path with the real google-cloud-bigquery client over HTTP against a local REST endpoint."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.dbt_inputs import prepare as prepare_dbt_inputs
from ingest.gcp.bigquery import BigQueryExport, export_query, ingest_gcp_bigquery
from ingest.landing.zone import LandingZone
from ingest.paths import DataLayout
from ingest.schemas import GCP_BILLING_TABLE
from tests.fakes.bigquery_server import FakeBigQuery

EXPORT_TABLE = "acme-billing.billing_export.gcp_billing_export_resource_v1_01ABCD_23EF45_67GH89"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def export_rows(sample_month) -> list[dict]:
    path = next((sample_month[0] / "gcp").rglob("*.jsonl"))
    return [json.loads(line) for line in path.read_text().splitlines()]


def _day(row: dict) -> date:
    return datetime.fromisoformat(row["usage_start_time"].replace("Z", "+00:00")).astimezone(UTC).date()


def _net(row: dict) -> float:
    return row["cost"] + sum(c["amount"] for c in row["credits"])


def _expected_by_day(rows: list[dict]) -> dict[date, float]:
    totals: dict[date, float] = defaultdict(float)
    for row in rows:
        totals[_day(row)] += _net(row)
    return totals


def _bronze_by_day(bronze: Path) -> dict[date, float]:
    frame = pl.read_parquet(bronze / GCP_BILLING_TABLE / "**" / "*.parquet")
    by_day = frame.group_by(pl.col("ChargePeriodStart").dt.date()).agg(pl.col("BilledCost").sum())
    return dict(zip(by_day["ChargePeriodStart"], by_day["BilledCost"], strict=True))


def test_only_the_window_is_queried_and_every_page_is_read(export_rows, tmp_path):
    with FakeBigQuery(export_rows) as fake:
        export = BigQueryExport(EXPORT_TABLE, client=fake.client())
        loads = ingest_gcp_bigquery(
            export, LandingZone(tmp_path / "l"), tmp_path / "b", date(2026, 10, 10), date(2026, 10, 10), lookback_days=5
        )
    assert [x.billing_period for x in loads] == [f"2026-10-{d:02d}" for d in range(5, 11)]
    (query,) = fake.queries
    assert "_PARTITIONTIME >= TIMESTAMP_TRUNC(@window_start, DAY)" in query["query"] and "resource" in query["query"]
    params = {p["name"]: p["parameterValue"]["value"] for p in query["queryParameters"]}
    assert params["window_start"].startswith("2026-10-05") and params["window_end"].startswith("2026-10-11")
    expected = _expected_by_day(export_rows)
    got = _bronze_by_day(tmp_path / "b")
    assert sum(x.rows for x in loads) > 500  # more than one page of results
    for day in range(5, 11):
        assert got[date(2026, 10, day)] == pytest.approx(expected[date(2026, 10, day)], rel=1e-12)


def test_late_and_revised_rows_replace_their_days_and_reach_the_marts(export_rows, tmp_path):
    late = [r for r in export_rows if _day(r) == date(2026, 10, 3) and "H100" in r["sku"]["description"]]
    revised_index = next(i for i, r in enumerate(export_rows) if _day(r) == date(2026, 10, 2) and r["cost"] > 1)
    served = [r for r in export_rows if r not in late]
    zone, bronze = LandingZone(tmp_path / "data" / "landing"), tmp_path / "data" / "bronze"
    with FakeBigQuery(served) as fake:
        export = BigQueryExport(EXPORT_TABLE, client=fake.client())
        ingest_gcp_bigquery(export, zone, bronze, date(2026, 10, 4), date(2026, 10, 4), lookback_days=5)
        assert _bronze_by_day(bronze)[date(2026, 10, 3)] == pytest.approx(_expected_by_day(served)[date(2026, 10, 3)])

        # Three days later: the H100 rows of Oct 3 arrive, and a row of Oct 2 is revised.
        revised = copy.deepcopy(served)
        target = revised.index(export_rows[revised_index])
        revised[target]["cost"] += 12.5
        revised += [dict(r, export_time="2026-10-06T09:00:00Z") for r in late]
        fake.rows = revised
        loads = ingest_gcp_bigquery(export, zone, bronze, date(2026, 10, 6), date(2026, 10, 6), lookback_days=5)
        again = ingest_gcp_bigquery(export, zone, bronze, date(2026, 10, 6), date(2026, 10, 6), lookback_days=5)

    got, expected = _bronze_by_day(bronze), _expected_by_day(revised)
    for day in range(1, 7):
        assert got[date(2026, 10, day)] == pytest.approx(expected[date(2026, 10, day)], rel=1e-12), day
    assert got[date(2026, 10, 3)] > _expected_by_day(served)[date(2026, 10, 3)]
    assert {x.billing_period for x in loads if not x.skipped} >= {"2026-10-02", "2026-10-03"}
    assert all(x.skipped for x in again if x.rows)  # nothing changed since: every day with rows is skipped

    # The marts: a real dbt build over this bronze carries both changes, once each.
    prepare_dbt_inputs(DataLayout(tmp_path / "data"))  # the forecast marts build empty
    (tmp_path / "data" / "warehouse" / "build").mkdir(parents=True)
    env = {**os.environ, "CPT_DATA_DIR": str(tmp_path / "data"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = Path(sys.executable).parent / "dbt"
    build = subprocess.run(
        [str(dbt), "build", "--quiet", "--profiles-dir", "."],
        cwd=REPO / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-3000:]
    with duckdb.connect(str(tmp_path / "data" / "warehouse" / "build" / "cpt.duckdb"), read_only=True) as con:
        in_scope = con.execute("select sum(effective_cost) from internal.int_billing_lines_spread_hourly").fetchone()[0]
        charged = con.execute(
            "select sum(allocated_cost + idle_cost + shared_cost + unallocated_cost)::double "
            "from analytics.fct_cpt_daily"
        ).fetchone()[0]
    labelled = [r for r in revised if {label["key"] for label in r["labels"]} & {"cpt-deployment", "cpt-shared"}]
    window = [r for r in labelled if date(2026, 9, 26) <= _day(r) <= date(2026, 10, 6)]
    assert in_scope == pytest.approx(sum(_net(r) for r in window), rel=1e-9)
    assert charged == pytest.approx(in_scope, rel=1e-9)


def test_table_names_are_checked_before_they_reach_sql():
    with pytest.raises(ValueError, match="not a BigQuery table name"):
        export_query("acme.billing`; DROP GCP_BILLING_TABLE x; --", detailed=False)
    assert "resource" not in export_query("acme-billing.ds.gcp_billing_export_v1_X", detailed=False)
