import gzip
import hashlib
import json

import pyarrow.parquet as pq
import pytest

from ingest.sample.fleet import DEPLOYMENTS, MODELS, TEAMS
from ingest.sample.generator import SampleSpec, generate


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
