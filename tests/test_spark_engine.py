"""The Spark engine: the same pipeline (`cpt run`: ingest, dbt, forecasts, the money checks, publish) with dbt on
Apache Spark (dbt-spark's local session, CPT_WAREHOUSE_ENGINE=spark) builds the same consumer tables as on DuckDB,
row for row — counts and text exactly, money and every other fraction within 1e-9 (a double's last bits are
rounded apart by the two engines) — over a history of two months, one of them closed, after an incremental day.
The forecasts and their backtest scores too: the forecast step learns from the history rounded to a millionth, the
same numbers from either engine.

One data directory, one bronze: `cpt run` on DuckDB for September and October but its last day, September closed
(`cpt close`: its chargeback frozen under closed/, which both engines then read back instead of recomputing it) and
then restated by AWS (adjustments, posted into October); the incremental models built on Spark for those days (dbt
alone: the state an incremental run starts from); the last day on DuckDB; then the last day through the whole
pipeline on Spark — an incremental day, whose incremental tables keep the days Spark built and add the 31st. What is
compared: every table of the published warehouse (orchestration/compare_warehouses.py) — the Spark run's published
file (the tables Spark built, loaded for the checks and the reports) and Spark's own table folders, each against the
DuckDB run's. Every day of both months is in them, so this is the history's equality too. A Spark build costs
minutes here (most of it a fixed cost per node, not rows), so the suite runs one pipeline on Spark."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ingest.paths import DataLayout
from ingest.sample.cur2 import restated, write_cur2_delivery
from ingest.sample.generator import SampleSpec, generate_history
from orchestration.compare_warehouses import compare
from orchestration.spark import dbt_on_spark, unit_tests_on_spark
from tests.conformance.focus_validator import assert_passes, validate
from tests.cpt_runner import cpt, one_line

pytestmark = pytest.mark.slow

TOLERANCE = 1e-9
DAY_ONE = "int_token_usage_hourly/usage_date=2026-09-01"
# Two months at the test month's volume each (the history's growth and weekly shape included).
HISTORY = SampleSpec(month="2026-10", seed=11, scale=0.05)


def _files(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in folder.glob("*.parquet")}


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """The comparisons after the incremental day, the Spark run's output, and the files of one day partition of an
    incremental table before and after it."""
    root = tmp_path_factory.mktemp("engines")
    source, data = root / "source", root / "data"
    generate_history(source, HISTORY, months=2)
    layout = DataLayout(data)
    day_one = layout.spark_tables / "internal.db" / DAY_ONE
    last_day = ("--start", "2026-10-31", "--end", "2026-10-31")
    with pytest.MonkeyPatch.context() as mp:
        ran = cpt(mp, data, source, "run", "--start", "2026-09-01", "--end", "2026-10-30")
        assert ran.exit_code == 0, ran.output
        closed = cpt(mp, data, source, "close", "--month", "2026-09")
        assert closed.exit_code == 0, closed.output
        # AWS restates the closed September (every amount 1 % higher): adjustments, posted into October
        cur = next((source / "aws").rglob("BILLING_PERIOD=2026-09/*.parquet"))
        write_cur2_delivery(source / "aws", restated(pq.read_table(cur), 1.01), "2026-09")
        ran = cpt(mp, data, source, "run", "--month", "2026-09")
        assert ran.exit_code == 0, ran.output
        dbt_on_spark(data, selection=("--select", "+config.materialized:incremental"))
        ran = cpt(mp, data, source, "run", *last_day)
        assert ran.exit_code == 0, ran.output
        on_duckdb = shutil.copyfile(layout.warehouse, root / "duckdb.duckdb")
        before = _files(day_one)
        ran = cpt(mp, data, source, "run", *last_day, CPT_WAREHOUSE_ENGINE="spark")
        assert ran.exit_code == 0, ran.output
    return {
        "spark": data,
        "output": ran.output,
        "files": (before, _files(day_one)),
        "published": compare(str(on_duckdb), str(layout.warehouse), TOLERANCE),
        "tables": compare(str(on_duckdb), str(layout.spark_tables), TOLERANCE),
    }


def _same(lines: list[str]) -> None:
    print("\n".join(lines))
    assert len(lines) >= 30, lines  # every consumer table (ops_load_history aside: when files landed)
    assert all(line.startswith("same ") for line in lines), "\n".join(lines)


def test_the_pipeline_runs_on_spark_with_its_money_checks(engines):
    text = one_line(engines["output"])
    assert "published" in text and "checks passed" in text, engines["output"]
    # the tables Spark built, in the Spark catalog's folders
    assert (DataLayout(engines["spark"]).spark_tables / "analytics.db" / "fct_cpt_daily").is_dir()


def test_after_an_incremental_day_on_spark_every_table_equals_duckdbs(engines):
    _same(engines["published"])
    _same(engines["tables"])


def test_the_closed_month_and_its_restatement_on_spark(engines):
    """September's chargeback comes from the closed store on Spark too, and its restatement is adjustments posted
    into October (the comparison above holds their rows)."""
    with duckdb.connect(str(DataLayout(engines["spark"]).warehouse), read_only=True) as con:
        months = con.execute(
            "select month::varchar, bool_and(is_closed), count(*) from analytics.fct_chargeback_monthly "
            "group by 1 order by 1"
        ).fetchall()
        [(lines, posted, posted_usd, into)] = con.execute(
            "select count(*), sum(amount), sum(amount_usd), list(distinct posting_month::varchar) "
            "from analytics.fct_chargeback_adjustments where restated_month = date '2026-09-01'"
        ).fetchall()
    assert [(month, closed) for month, closed, _ in months] == [("2026-09-01", True), ("2026-10-01", False)]
    assert all(rows > 0 for _, _, rows in months)
    assert lines > 0 and posted > 0 and posted_usd > 0 and into == ["2026-10-01"]


def test_the_incremental_day_on_spark_rewrote_only_its_own_day(engines):
    before, after = engines["files"]
    assert before and after == before  # the first day's files as Spark wrote them in the first build
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
    results = unit_tests_on_spark(engines["spark"])
    manifest = json.loads((engines["spark"] / "warehouse" / "spark" / "target" / "manifest.json").read_text())
    assert len(results) == len(manifest["unit_tests"]) >= 20
    assert all(result["status"] == "pass" for result in results)
