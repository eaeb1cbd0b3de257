"""The incremental token models give what a full rebuild gives (the daily run redoes a day, not the month).

A month is built with days 1-29 of gateway logs; then day 31 arrives, and day 5 is delivered again changed: 100
requests gone, a re-shipped copy of a day-6 request, and a copy of a day-7 request stamped earlier, on day 5 (so
that request's first copy moves to day 5). The incremental build of what token data feeds (as the token job runs
it) must equal a `--full-refresh` of the same models on the same bronze, row for row, in the request table, the
per-day token models and the marts.
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ingest.dbt_inputs import prepare as prepare_dbt_inputs
from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone
from ingest.paths import DataLayout
from ingest.tokens.ingest import ingest_gateway_day
from orchestration.bench.pipeline import TOKEN_DOWNSTREAM, ingest_all
from orchestration.defs.warehouse.assets import DBT_BUILD_ARGS

pytestmark = pytest.mark.slow

DBT_PROJECT = Path(__file__).parents[1] / "dbt_project"
COMPARED = {
    "int_inference_request_copies": "request_id, bronze_file, source_file",
    "int_inference_requests_attributed": "request_id",
    "int_token_usage_hourly": "usage_hour, deployment, team, model, instance_id",
    "int_request_latency_daily": "usage_date, deployment, model, team",
    "fct_cpt_daily": "usage_date, deployment, model, team, region, pricing_tier, hardware",
    "fct_deployment_hours": "usage_hour, deployment",
}


def _build(data: Path, *extra: str) -> None:
    prepare_dbt_inputs(DataLayout(data))  # the forecast marts build empty; no month is closed
    env = {**os.environ, "CPT_DATA_DIR": str(data), "DBT_PROFILES_DIR": str(DBT_PROJECT)}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *DBT_BUILD_ARGS, "--quiet", *extra],
        cwd=DBT_PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def _tables(warehouse: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            name: con.sql(f"select * exclude (loaded_at) from internal.{name} order by {order}").pl()
            if name.startswith("int_")
            else con.sql(f"select * from analytics.{name} order by {order}").pl()
            for name, order in COMPARED.items()
        }


def _day_file(source: Path, day: int) -> Path:
    return source / "tokens" / "gateway" / f"2026/10/{day:02d}" / f"gateway-202610{day:02d}.jsonl.gz"


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt") as fh:
        return [json.loads(line) for line in fh]


def test_an_incremental_build_equals_a_full_rebuild(sample_month, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(sample_month[0], source)
    data = tmp_path / "data"
    layout = DataLayout(data)
    logs = LocalFolderSource(source / "tokens" / "gateway")
    landing = LandingZone(layout.landing)

    ingest_all(source, data, [date(2026, 10, d) for d in range(1, 30)])
    (data / "warehouse" / "build").mkdir(parents=True)
    _build(data)

    day5, day6, day7 = (_read(_day_file(source, d)) for d in (5, 6, 7))
    moved = {**day7[0], "gateway": {**day7[0]["gateway"], "finished_at": "2026-10-05T12:00:00.000000Z"}}
    changed = [*day5[100:], day6[0], moved]
    _day_file(source, 5).write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in changed).encode()))
    for day in (5, 31):
        ingest_gateway_day(logs, "", landing, layout.bronze, date(2026, 10, day))
    _build(data, *TOKEN_DOWNSTREAM)  # what the token_logs_refresh job rebuilds
    incremental = _tables(layout.build_warehouse)
    with duckdb.connect(str(layout.build_warehouse), read_only=True) as con:
        runs = [
            r[0] for r in con.execute("select distinct loaded_at from internal.int_inference_request_copies").fetchall()
        ]
        latest = dict(
            con.execute(
                "select usage_date, max(loaded_at) from internal.int_token_usage_hourly group by all"
            ).fetchall()
        )
    # Incremental for real: only the requests of the files read (days 5 and 31) or ranked again with them (the
    # day-6 request re-shipped on day 5) were written again; every other day keeps the first run's rows.
    assert len(runs) == 2
    assert {day.day for day, loaded in latest.items() if loaded == max(runs)} == {5, 6, 31}

    _build(data, *TOKEN_DOWNSTREAM, "--full-refresh")
    full = _tables(layout.build_warehouse)

    requests = incremental["int_inference_requests_attributed"]
    ids = set(requests["request_id"])
    assert not {r["id"] for r in day5[:100]} & ids
    assert day6[0]["id"] in ids and requests.height == len(ids)
    kept = requests.filter(pl.col("request_id") == moved["id"])
    assert kept["usage_date"].to_list() == [date(2026, 10, 5)]
    assert requests.filter(pl.col("usage_date") == date(2026, 10, 31)).height > 0
    for name in COMPARED:
        assert_frame_equal(incremental[name], full[name], check_exact=False, rel_tol=1e-12, abs_tol=1e-9), name
