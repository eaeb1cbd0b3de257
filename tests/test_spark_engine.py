"""The Spark engine: the same pipeline (`cpt run`: ingest, dbt, forecasts, the money checks, publish) with dbt on
Apache Spark (dbt-spark's local session, CPT_WAREHOUSE_ENGINE=spark) builds the same consumer tables as on DuckDB,
row for row — counts and text exactly, money and every other fraction within 1e-9 (a double's last bits are
rounded apart by the two engines) — for a month, and again after an incremental day.

Both engines read the same generated month into data directories of their own. What is compared: every table of
the published warehouse (tests/compare_warehouses.py) — the Spark run's published file (the tables Spark built,
loaded for the checks and the reports) and Spark's own table folders, each against the DuckDB run's."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.paths import DataLayout
from orchestration.spark import dbt_on_spark
from tests.compare_warehouses import compare
from tests.conformance.focus_validator import assert_passes, validate
from tests.cpt_runner import cpt, one_line

pytestmark = pytest.mark.slow

TOLERANCE = 1e-9
# The forecast step is Python fitted to each run's own warehouse: inputs a rounding error apart can tip a discrete
# outcome of its backtests (a point on an interval's edge, two candidates' errors a tie), so its accuracy table is
# left out here; every table built from the forecasts is compared.
FORECAST_SCORES = frozenset({"fct_forecast_accuracy"})
DAY_ONE = "int_token_usage_hourly/usage_date=2026-10-01"


def _files(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in folder.glob("*.parquet")}


@pytest.fixture(scope="module")
def engines(sample_month, tmp_path_factory):
    """The month but its last day on both engines, then the last day: the comparisons after each, the Spark runs'
    output and the files of one day partition before and after the incremental day."""
    source, _truth = sample_month
    root = tmp_path_factory.mktemp("engines")
    on_duckdb, on_spark = root / "duckdb", root / "spark"
    result: dict = {"spark": on_spark}
    with pytest.MonkeyPatch.context() as mp:
        # the second run is the 31st alone: only its logs are read again, so the incremental models get one new day
        for days in (
            ("--start", "2026-10-01", "--end", "2026-10-30"),
            ("--start", "2026-10-31", "--end", "2026-10-31"),
        ):
            ran = cpt(mp, on_duckdb, source, "run", *days)
            assert ran.exit_code == 0, ran.output
            ran = cpt(mp, on_spark, source, "run", *days, CPT_WAREHOUSE_ENGINE="spark")
            assert ran.exit_code == 0, ran.output
            published, tables = DataLayout(on_duckdb).warehouse, DataLayout(on_spark).spark_tables
            result.setdefault("outputs", []).append(ran.output)
            result.setdefault("files", []).append(_files(tables / "internal.db" / DAY_ONE))
            result.setdefault("published", []).append(
                compare(str(published), str(DataLayout(on_spark).warehouse), TOLERANCE, FORECAST_SCORES)
            )
            result.setdefault("tables", []).append(compare(str(published), str(tables), TOLERANCE, FORECAST_SCORES))
    return result


def _same(lines: list[str]) -> None:
    print("\n".join(lines))
    assert len(lines) >= 30, lines  # every consumer table (ops_load_history aside: when files landed)
    assert all(line.startswith("same ") for line in lines), "\n".join(lines)


def test_the_pipeline_runs_on_spark_with_its_money_checks(engines):
    for output in engines["outputs"]:
        text = one_line(output)
        assert "published" in text and "checks passed" in text, output
    # the tables Spark built, in the Spark catalog's folders
    assert (DataLayout(engines["spark"]).spark_tables / "analytics.db" / "fct_cpt_daily").is_dir()


def test_a_month_on_spark_equals_the_month_on_duckdb(engines):
    _same(engines["published"][0])
    _same(engines["tables"][0])


def test_after_an_incremental_day_both_engines_still_agree(engines):
    _same(engines["published"][1])
    _same(engines["tables"][1])
    # incremental on Spark: the last day's partition was written, the first day's files left as they were
    before, after = engines["files"]
    assert before and after == before
    hourly = DataLayout(engines["spark"]).spark_tables / "internal.db" / "int_token_usage_hourly"
    assert (hourly / "usage_date=2026-10-31").is_dir()


def test_focus_billing_built_on_spark_passes_the_focus_validator(engines, tmp_path):
    """The FOCUS table as Spark wrote it (its table folder), one provider's rows at a time, through the FinOps
    Foundation's validator — as tests/conformance does for the DuckDB build."""
    folder = DataLayout(engines["spark"]).spark_tables / "analytics.db" / "focus_billing"
    rows = f"read_parquet('{folder}/*.parquet')"
    with duckdb.connect() as con:
        providers = [p for (p,) in con.execute(f"select distinct ProviderName from {rows} order by 1").fetchall()]
        for provider in providers:
            query = f"select * from {rows} where ProviderName = '{provider}'"
            con.execute(f"copy ({query}) to '{tmp_path / provider.replace(' ', '_')}.parquet' (format parquet)")
    assert providers == ["AWS", "Google Cloud", "Microsoft", "Oracle"]
    for provider in providers:
        assert_passes(validate(tmp_path / f"{provider.replace(' ', '_')}.parquet"))


def test_the_dbt_unit_tests_pass_on_spark(engines):
    # over the Spark run's tables (a unit test reads its inputs' column types from the warehouse)
    dbt_on_spark(engines["spark"], unit_tests=True, selection=("--select", "test_type:unit"))
