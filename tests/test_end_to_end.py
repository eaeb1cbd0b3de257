"""The real pipeline (Dagster job → ingest → dbt build and tests → checks → publish) on a generated month,
held to the figures the generator wrote down itself."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import duckdb
import polars as pl
import polars.selectors as cs
import pytest

from ingest.paths import DataLayout
from ingest.reconcile import conservation_by_month
from ingest.sample.fleet import DEPLOYMENTS, MODELS, TEAMS
from orchestration.defs.warehouse.assets import MARTS
from tests.cpt_runner import cpt

pytestmark = pytest.mark.slow


def _run(monkeypatch, data_dir, source_dir, home, *options: str) -> None:
    result = cpt(monkeypatch, data_dir, source_dir, "run", "--month", "2026-10", *options, DAGSTER_HOME=str(home))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def pipeline(sample_month, tmp_path_factory):
    root, truth = sample_month
    data_dir, home = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        _run(mp, data_dir, root, home)
        layout = DataLayout(data_dir)
        with duckdb.connect(str(layout.warehouse), read_only=True) as con:
            first = _floats(con.sql("select * from analytics.fct_cpt_daily").pl())
        yield layout, truth, first, (mp, data_dir, root, home)


def _floats(frame: pl.DataFrame) -> pl.DataFrame:
    """DECIMAL money as floats, for comparisons with a tolerance (the exact ones read the DECIMALs)."""
    return frame.with_columns(cs.decimal().cast(pl.Float64))


def _query(layout: DataLayout, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        return _floats(con.sql(sql).pl())


def test_published_money_ties_to_the_bill_to_the_cent_and_counts_to_the_logs_exactly(pipeline):
    """Money is DECIMAL(38, 12) and counts are integers in every published fact; the rows sum to the generated
    bill to the cent and to the logged requests and tokens exactly, per deployment and in total."""
    layout, truth, _, _ = pipeline
    cent = Decimal("0.01")
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        types = dict(
            con.execute(
                "select table_name || '.' || column_name, data_type from information_schema.columns "
                "where table_schema = 'analytics' and table_name like 'fct_%'"
            ).fetchall()
        )
        charged = con.execute("select sum(total_cost) from analytics.fct_cpt_daily").fetchone()[0]
        invoice = dict(
            con.execute(
                "select provider, sum(invoice_billed_cost) from analytics.fct_reconciliation_monthly group by 1"
            ).fetchall()
        )
        counts = con.execute(
            "select sum(requests), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens) "
            "from analytics.fct_cpt_daily"
        ).fetchone()
        per_deployment = {
            row[0]: row[1:]
            for row in con.execute(
                "select deployment, sum(requests), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens) "
                "from analytics.fct_deployment_hours group by 1"
            ).fetchall()
        }
    money = {c: t for c, t in types.items() if c.endswith("_cost")}
    assert money and set(money.values()) == {"DECIMAL(38,12)"}
    for column in ("requests", "input_tokens", "cached_input_tokens", "output_tokens"):
        assert types[f"fct_cpt_daily.{column}"] == types[f"fct_deployment_hours.{column}"] == "BIGINT"
    assert isinstance(charged, Decimal)
    assert charged.quantize(cent) == Decimal(str(truth["in_scope_effective_usd"])).quantize(cent)
    assert {p: v.quantize(cent) for p, v in invoice.items()} == {
        p: Decimal(str(v)).quantize(cent) for p, v in truth["billed_by_provider_usd"].items()
    }
    fields = ("requests", "input_tokens", "cached_input_tokens", "output_tokens")
    logged = {name: tuple(tokens[f] for f in fields) for name, tokens in truth["tokens"].items()}
    assert tuple(counts) == tuple(sum(t[i] for t in logged.values()) for i in range(4))
    assert {d: tuple(c) for d, c in per_deployment.items() if any(c)} == {d: t for d, t in logged.items() if any(t)}


def test_conservation_holds_and_matches_the_generated_in_scope_cost(pipeline):
    layout, truth, _, _ = pipeline
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        months = conservation_by_month(con)
    assert [m.month for m in months] == ["2026-10"]
    assert months[0].holds
    assert months[0].in_scope_cost == pytest.approx(truth["in_scope_effective_usd"], rel=1e-9)
    assert months[0].charged == pytest.approx(truth["in_scope_effective_usd"], rel=1e-9)


def test_cost_tokens_and_gpu_hours_per_deployment_equal_the_truth(pipeline):
    layout, truth, _, _ = pipeline
    per_deployment = _query(
        layout,
        "select deployment, sum(direct_cost) as cost, sum(gpu_hours) as gpu_hours, sum(requests) as requests, "
        "sum(input_tokens) as input_tokens, sum(cached_input_tokens) as cached, sum(output_tokens) as output "
        "from analytics.fct_deployment_hours group by deployment",
    )
    rows = {r["deployment"]: r for r in per_deployment.to_dicts()}
    assert set(rows) == set(truth["deployment_cost_usd"])
    for name, cost in truth["deployment_cost_usd"].items():
        tokens = truth["tokens"][name]
        assert rows[name]["cost"] == pytest.approx(cost, rel=1e-9), name
        assert rows[name]["gpu_hours"] == pytest.approx(truth["gpu_hours"][name], rel=1e-9), name
        assert rows[name]["requests"] == tokens["requests"], name
        assert rows[name]["input_tokens"] == tokens["input_tokens"], name
        assert rows[name]["cached"] == tokens["cached_input_tokens"], name
        assert rows[name]["output"] == tokens["output_tokens"], name


def test_shared_overhead_per_cluster_equals_the_truth(pipeline):
    layout, truth, _, _ = pipeline
    shared = _query(
        layout,
        "select d.cluster, sum(h.shared_cost) as shared from analytics.fct_deployment_hours h "
        "join analytics.dim_deployments d using (deployment) group by d.cluster",
    )
    got = {r["cluster"]: r["shared"] for r in shared.to_dicts()}
    assert got == pytest.approx(truth["shared_cost_usd"], rel=1e-9)


def test_every_dimension_of_the_cpt_facts_is_populated(pipeline):
    _, _, facts, _ = pipeline
    key = ["usage_date", "deployment", "model", "team", "region", "pricing_tier", "hardware"]
    assert facts.select(key).null_count().sum_horizontal().item() == 0
    assert set(facts["deployment"]) >= {d.name for d in DEPLOYMENTS}
    assert set(facts["model"]) - {"(none)"} == set(MODELS)
    assert set(facts["team"]) - {"unallocated"} == set(TEAMS)
    assert set(facts["region"]) >= {"us-east-1", "us-west-2", "us-central1"}
    assert set(facts["pricing_tier"]) >= {"on_demand", "spot", "reserved", "savings_plan", "committed_use"}
    assert set(facts["hardware"]) >= {
        "p5.48xlarge",
        "p4d.24xlarge",
        "g6e.xlarge",
        "a3-highgpu-8g",
        "g2-standard-8",
    }
    assert facts["usage_date"].n_unique() == 31
    busy = facts.filter(pl.col("output_tokens") > 0)
    assert (busy["cpt_micro_usd_per_output_token"] > 0).all()


def test_a_quiet_deployment_is_charged_idle_to_its_month_users(pipeline):
    _, _, facts, _ = pipeline
    quiet = next(d for d in DEPLOYMENTS if d.quiet_days)
    days = facts.filter(
        (pl.col("deployment") == quiet.name) & pl.col("usage_date").dt.day().is_in(list(quiet.quiet_days))
    )
    assert days["requests"].sum() == 0
    assert days["idle_cost"].sum() > 0 and days["allocated_cost"].sum() == 0
    assert set(days["team"]) == set(quiet.teams)


def _leave_what_a_killed_run_leaves(layout: DataLayout, home) -> tuple[list, str]:
    """The files and the Dagster run a `cpt run` killed at several points leaves behind: (files, run id)."""
    import dagster as dg

    from orchestration.housekeeping import process_tags

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = child.pid
    day = next((layout.bronze / "inference_requests").glob("source_format=*/day=*"))
    month = next((layout.bronze / "aws_billing_line_items").glob("**/billing_period=*"))
    files = [
        day / f".write-{dead}-a.parquet.tmp",  # killed before its first byte
        month / ".write-q8x1.parquet",  # named as before temporary names carried a process id: read by every glob
        layout.bronze / ".staging" / f"partition-{dead}-b" / "part-b-00000.parquet",
        layout.bronze / ".staging" / f"cpt-tokens-{dead}-c" / "parts" / "object-00000-0.parquet",
        layout.warehouse.parent / f".publish-{dead}-d.duckdb",
    ]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run = instance.add_run(
            dg.DagsterRun(job_name="daily_refresh", status=dg.DagsterRunStatus.STARTED, tags=process_tags(dead))
        )
    return files, run.run_id


HOSTILE_WEEK = [
    "cur-nan-amount",
    "gcp-cost-1e999",
    "gateway-truncated-gzip",
    "gateway-byte-order-mark",
    "prometheus-not-prometheus-text",
]
INVOICE = (
    "select month, provider, invoice_billed_cost, in_scope_billed_cost, in_scope_usage_cost, out_of_scope_billed_cost "
    "from analytics.fct_reconciliation_monthly order by all"
)


def test_kills_then_a_hostile_week_never_change_lose_or_block_the_money(pipeline, tmp_path):
    """`cpt run` (a process of its own) killed inside a bronze write, between the two renames of a partition swap
    and inside the publish — in a row — and, before the rerun, more of what killed runs leave (0-byte temporary
    files, one under the old name every reader's glob matched, staging folders, a publish copy, a run STARTED by a
    process that is gone). The rerun's marts equal this module's clean run, nothing is left behind, no run is left
    STARTED (the full loop with random moments: `make kill-loop`). Then a hostile week
    lands at once: a CUR restatement with a NaN, a GCP row costing 1e999, a truncated log, a line with a byte
    order mark, a scrape that is not Prometheus text and a link out of the source folder. The run exits 1 naming
    the refused files, yet publishes: the invoice and in-scope cost unchanged, conservation holding, every bad
    record in quarantine with its reason."""
    import shutil
    import signal

    import dagster as dg

    from tests.reliability.corpus import CASES, source_root
    from tests.reliability.kill_loop import NAMED_POINTS, environment, kill_rounds, marts, run_cpt

    clean, _, _, (_, _, root, _) = pipeline
    source, data = tmp_path / "source", tmp_path / "data"
    shutil.copytree(root, source)
    layout = DataLayout(data)
    planted: list = []
    report = kill_rounds(
        source,
        data,
        NAMED_POINTS,
        random_kills=0,
        log=lambda _: None,
        rerun_each=False,
        baseline=marts(clean),
        before_rerun=lambda: planted.append(_leave_what_a_killed_run_leaves(layout, data / "dagster_home")),
    )
    assert report.failures == []  # the rerun's marts equal the clean run's; nothing left; no run left STARTED
    assert report.kills == len(NAMED_POINTS)  # every named point was reached, and killed there
    assert report.reruns_converged == 1
    [(leftovers, killed_run)] = planted
    assert not any(p.exists() for p in leftovers)
    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        assert instance.get_run_by_id(killed_run).status == dg.DagsterRunStatus.FAILURE
    bronze = sorted(p.relative_to(layout.bronze).as_posix() for p in layout.bronze.rglob("*.parquet"))
    assert sum(1 for p in bronze if "billing_period=" in p) == 4  # a month each: AWS, GCP, the two FOCUS exports

    cases = {c.name: c for c in CASES}
    for name in HOSTILE_WEEK:
        cases[name].make(source_root(source, cases[name]))
    (source / "tokens" / "gateway" / "2026" / "10" / "05" / "passwd.jsonl").symlink_to("/etc/passwd")
    code, output = run_cpt(environment(source, data))

    assert code == 1 != -signal.SIGKILL
    assert "deliveries_accepted" in output
    assert "cpt-demo-00001.snappy.parquet row 1" in output and "billing_export-000000.jsonl row" in output
    assert _query(layout, INVOICE).equals(_query(clean, INVOICE))  # the refused bills left the money as it was
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        assert all(m.holds for m in conservation_by_month(con))
    quarantine = pl.read_parquet(layout.bronze / "token_quarantine" / "**" / "*.parquet")
    reasons = " | ".join(quarantine["reason"].to_list())
    for expected in ("compressed stream breaks off", "byte order mark", "not Prometheus text"):
        assert expected in reasons
    assert not quarantine["source_file"].str.contains("passwd").any()


def test_every_analytics_table_is_exported_the_same_bytes_after_each_publish(pipeline, tmp_path, monkeypatch):
    """The warehouse_exports asset (after each publish) and `cpt export`: every analytics table as Parquet and CSV
    with a manifest; the same warehouse gives the same bytes, whoever exports it and however often."""
    layout, _, _, (_, data_dir, root, _) = pipeline
    manifest = json.loads((layout.exports / "manifest.json").read_text())
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from analytics.{t}").fetchone()[0] for t in MARTS}
    assert {t: m["rows"] for t, m in manifest["tables"].items()} == counts
    for out in ("first", "again"):
        result = cpt(monkeypatch, data_dir, root, "export", "--out", str(tmp_path / out))
        assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "first").iterdir())
    assert files == sorted(p.name for p in layout.exports.iterdir())
    assert {f"{t}.{x}" for t in MARTS for x in ("parquet", "csv")} | {"manifest.json"} == set(files)
    for name in files:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
        assert (tmp_path / "first" / name).read_bytes() == (layout.exports / name).read_bytes(), name
    facts = pl.read_parquet(tmp_path / "first" / "fct_cpt_daily.parquet")
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        (total,) = con.execute("select sum(total_cost) from analytics.fct_cpt_daily").fetchone()
    assert facts.height == counts["fct_cpt_daily"] and facts["total_cost"].sum() == total  # DECIMAL, exact
    result = cpt(monkeypatch, data_dir, root, "export", "--month", "2026-09", "--out", str(tmp_path / "september"))
    september = json.loads((tmp_path / "september" / "manifest.json").read_text())["tables"]
    assert september["fct_cpt_daily"]["rows"] == 0 and september["focus_billing"]["rows"] == 0
    assert september["dim_teams"]["rows"] == counts["dim_teams"]  # tables without a date are exported whole


def test_the_published_file_is_self_contained(pipeline, tmp_path):
    """Copied to another folder with the data directory's bronze gone, every object in it still answers: nothing
    published reads outside the file (so it never shows bronze newer than its checks, nor fails while a run
    rewrites bronze)."""
    import shutil

    layout, _, first, _ = pipeline
    copy = tmp_path / "elsewhere" / "cpt.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(layout.warehouse, copy)
    aside = layout.bronze.with_name("bronze-away")
    layout.bronze.rename(aside)
    try:
        with duckdb.connect(str(copy), read_only=True) as con:
            objects = con.execute(
                "select table_schema, table_name from information_schema.tables order by all"
            ).fetchall()
            for schema, name in objects:
                con.execute(f'select count(*) from "{schema}"."{name}"').fetchall()
            facts = _floats(con.sql("select * from analytics.fct_cpt_daily").pl())
    finally:
        aside.rename(layout.bronze)
    names = {name for _, name in objects}
    assert not {n for n in names if n.startswith("stg_")}  # the views over bronze are not published
    # The interface for BI tools is the analytics schema: the marts and nothing else; the rest is internal.
    assert {name for schema, name in objects if schema == "analytics"} == set(MARTS)
    assert {schema for schema, _ in objects} == {"analytics", "internal"}
    key = ["usage_date", "deployment", "model", "team", "region", "pricing_tier", "hardware"]
    assert facts.sort(key).equals(first.sort(key))


def test_the_token_log_job_rebuilds_only_what_token_data_feeds(pipeline):
    """What the sensor starts when a day's logs arrive: that day re-read, the token models redo it, allocation and
    marts are rebuilt on the billing chain the full run built, and the published facts are unchanged."""
    import dagster as dg

    from orchestration.definitions import defs

    layout, _, first, _ = pipeline
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("token_logs_refresh").execute_in_process(
            instance=instance, partition_key="2026-10-31"
        )
    assert result.success
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"inference_requests", "int_inference_requests_attributed", "fct_cpt_daily", "published_warehouse"} <= built
    assert not {"int_billing_lines_scoped", "int_cost_pools_aggregated", "gcp_billing_line_items"} & built
    key = ["usage_date", "deployment", "model", "team", "region", "pricing_tier", "hardware"]
    assert _query(layout, "select * from analytics.fct_cpt_daily").sort(key).equals(first.sort(key))


def test_an_idle_policy_set_in_run_config_reaches_the_marts(pipeline):
    """Last in this module: it republishes the warehouse under another policy."""
    layout, _, first, (mp, data_dir, root, home) = pipeline
    _run(mp, data_dir, root, home, "--idle-policy", "central", "--central-team", "gpu-platform")
    facts = _query(layout, "select * from analytics.fct_cpt_daily")
    idle = facts.filter(pl.col("idle_cost") != 0)
    assert set(idle["team"]) == {"gpu-platform"}
    assert idle["idle_cost"].sum() == pytest.approx(first["idle_cost"].sum(), rel=1e-9)
    assert facts["total_cost"].sum() == pytest.approx(first["total_cost"].sum(), rel=1e-9)
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        assert all(m.holds for m in conservation_by_month(con))
