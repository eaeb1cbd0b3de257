import gzip
import hashlib
import json
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from ingest.sample.fleet import DEPLOYMENTS, MODELS, TEAMS
from ingest.sample.generator import SampleSpec, generate, generate_history


def _digest(root):
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    spec = SampleSpec(month="2026-02", seed=3, scale=0.01)
    generate(tmp_path / "a", spec)
    generate(tmp_path / "b", spec)
    generate(tmp_path / "c", SampleSpec(month="2026-02", seed=4, scale=0.01))
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_scale_multiplies_request_volume(sample_month, tmp_path):
    _, small = sample_month
    bigger = generate(tmp_path, SampleSpec(month="2026-10", seed=11, scale=0.2))
    n_small = sum(t["requests"] for t in small["tokens"].values())
    n_big = sum(t["requests"] for t in bigger["tokens"].values())
    assert 3.5 < n_big / n_small < 4.5


def test_fleet_multiplies_the_vms_and_so_the_bill_but_not_the_traffic(tmp_path):
    one = generate(tmp_path / "one", SampleSpec(month="2026-10", seed=5, scale=0.01))
    three = generate(tmp_path / "three", SampleSpec(month="2026-10", seed=5, scale=0.01, fleet=3))
    assert three["tokens"] == one["tokens"]
    for deployment, hours in one["gpu_hours"].items():
        assert three["gpu_hours"][deployment] == pytest.approx(3 * hours)
    lines = {
        name: len(pq.read_table(next((tmp_path / name / "aws" / "cur2").rglob("*.parquet"))))
        for name in ("one", "three")
    }
    assert lines["three"] > 1.8 * lines["one"]


def test_truth_is_internally_consistent(sample_month):
    _, truth = sample_month
    # With every commitment fully used, amortized cost adds up to the invoice across all scopes.
    assert sum(truth["effective_by_scope_usd"].values()) == pytest.approx(truth["billed_total_usd"], rel=1e-12)
    assert truth["in_scope_effective_usd"] == pytest.approx(
        sum(truth["deployment_cost_usd"].values()) + sum(truth["shared_cost_usd"].values()), rel=1e-12
    )


def test_fleet_has_what_the_demo_needs(sample_month):
    root, truth = sample_month
    assert len(DEPLOYMENTS) >= 6 and len(set(MODELS)) >= 4 and len(TEAMS) >= 5
    quiet = next(d for d in DEPLOYMENTS if d.quiet_days)
    seen_days = set()
    for path in root.joinpath("tokens", "gateway").rglob("*.jsonl.gz"):
        with gzip.open(path, "rt") as fh:
            for line in fh:
                record = json.loads(line)
                if record["gateway"]["deployment"] == quiet.name:
                    seen_days.add(int(record["gateway"]["finished_at"][8:10]))
    assert seen_days and not seen_days & set(quiet.quiet_days)
    assert set(truth["deployment_cost_usd"]) == {d.name for d in DEPLOYMENTS}


def _requests_by_day(source: Path, deployment: str, team: str | None = None) -> dict[date, int]:
    frames = [pl.read_ndjson(path) for path in sorted((source / "tokens" / "gateway").rglob("*.jsonl.gz"))]
    logs = pl.concat(frames).unnest("gateway").filter(pl.col("deployment") == deployment)
    if team is not None:
        logs = logs.filter(pl.col("team") == team)
    days = logs.select(pl.col("finished_at").str.slice(0, 10).str.to_date().alias("day"))
    return {day: n for day, n in days.group_by("day").len().iter_rows()}


def test_a_history_grows_dips_on_holidays_gains_a_deployment_and_steps_one_team(tmp_path):
    """Three months (Jul–Sep 2026) at a twentieth of the demo's traffic: what truth.json says happened, happened."""
    truth = generate_history(tmp_path, SampleSpec(month="2026-09", seed=5, scale=0.05), 3)
    history = truth["history"]
    assert sorted(truth["months"]) == ["2026-07", "2026-08", "2026-09"]
    assert history["holidays"]["days"] == ["2026-07-04", "2026-09-07"]
    assert truth["billed_total_usd"] == pytest.approx(sum(m["billed_total_usd"] for m in truth["months"].values()))
    for month in truth["months"]:  # each month is a delivery of its own
        assert (tmp_path / "aws" / "cur2" / "cpt-demo" / "data" / f"BILLING_PERIOD={month}").is_dir()
        assert (tmp_path / "gcp" / "billing_export" / f"invoice_month={month.replace('-', '')}").is_dir()

    # the new deployment: no request and no billed VM before its first day, both from it on
    started = date.fromisoformat(history["deployment_started"]["day"])
    new = history["deployment_started"]["deployment"]
    served = _requests_by_day(tmp_path, new)
    assert min(served) == started and sum(served.values()) > 100
    billed = [
        json.loads(line)
        for path in (tmp_path / "gcp" / "billing_export").rglob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    billed_days = {
        row["usage_start_time"][:10] for row in billed if {"key": "cpt-deployment", "value": new} in row["labels"]
    }
    assert min(billed_days) == started.isoformat()

    # a weekly shape, growth and a holiday dip on a deployment no other event touches
    code = _requests_by_day(tmp_path, "code-qwen32b-usw2")
    july = sum(n for d, n in code.items() if d.month == 7 and d.weekday() < 5)
    september = sum(n for d, n in code.items() if d.month == 9 and d.weekday() < 5)
    assert september / 22 > 1.05 * july / 23  # weekdays of each month: growth of 6 % a month
    assert code[date(2026, 9, 7)] < 0.6 * code[date(2026, 8, 31)]  # Labor Day against the Monday before

    # support-bot's share of a shared deployment doubles-ish from the step day
    step = date.fromisoformat(history["team_step"]["day"])
    chat, support = (
        _requests_by_day(tmp_path, "chat-llama70b-use1"),
        _requests_by_day(tmp_path, "chat-llama70b-use1", "support-bot"),
    )
    share_before = sum(support.get(d, 0) for d in chat if d < step) / sum(n for d, n in chat.items() if d < step)
    share_after = sum(support.get(d, 0) for d in chat if d >= step) / sum(n for d, n in chat.items() if d >= step)
    assert share_before == pytest.approx(0.35, abs=0.03) and share_after == pytest.approx(0.7 / 1.35, abs=0.03)
