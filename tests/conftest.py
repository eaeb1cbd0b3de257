"""Shared fixtures: one small generated month for the whole session (generation is deterministic)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from ingest.sample.generator import SampleSpec, generate
from tests.fakes import s3 as s3_fake

SMALL = SampleSpec(month="2026-10", seed=11, scale=0.05)
ROOT = Path(__file__).parents[1]


def _repository_state() -> str:
    """What git sees changed in the working tree (tracked files changed, untracked files not ignored)."""
    done = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""  # not a git checkout: nothing to compare


@pytest.fixture(scope="session", autouse=True)
def tests_leave_the_repository_as_they_found_it():
    """Tests write under their temporary folders only: a test that rewrites a file of the repository (a chart, a
    table of figures) fails the session here."""
    before = _repository_state()
    yield
    assert _repository_state() == before, "a test changed files of the repository (git status differs)"


@pytest.fixture(scope="session")
def sample_month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A generated month at 5% of the demo's request volume: (source folder, truth)."""
    root = tmp_path_factory.mktemp("source")
    generate(root, SMALL)
    return root, json.loads((root / "truth.json").read_text())


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """`cpt demo` (what `make demo` runs once installed) into a data directory of its own: (data dir, output).
    Shared by the README's, the cookbook's and the forecasts' tests — and by the test workers: the first to ask
    runs it (three months of history take a while) under a lock the others wait on. Users of the demo only read
    it (a test that writes copies what it needs)."""
    from tests.cpt_runner import cpt

    base = tmp_path_factory.getbasetemp()
    # under xdist each worker's base temp is a folder of this session's (pytest-N/popen-gwK): share the parent
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    data, output = shared / "demo" / "data", shared / "demo" / "output.txt"
    with (shared / "demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not output.exists():
            with pytest.MonkeyPatch.context() as mp:
                result = cpt(mp, data, data / "source", "demo")
            assert result.exit_code == 0, result.output
            output.write_text(result.output)
    return data, output.read_text()


@pytest.fixture(scope="session")
def moto_server():
    """moto's S3 server over real HTTP on 127.0.0.1, for the whole session: (url, port)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}", port
    server.stop()


@pytest.fixture(scope="session")
def azurite(tmp_path_factory):
    """Azurite's blob service on 127.0.0.1 for the whole session (started and stopped by PID)."""
    from tests.fakes.azurite import Azurite

    with Azurite(tmp_path_factory.mktemp("azurite")) as emulator:
        yield emulator


@pytest.fixture
def bucket(moto_server, monkeypatch):
    """A fresh bucket on moto's server (its boto3 client); boto3 picks the dummy credentials up from the
    environment, as from any credential chain."""
    for key, value in s3_fake.ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    s3 = boto3.client("s3", endpoint_url=moto_server[0])
    s3.create_bucket(Bucket=s3_fake.BUCKET)
    yield s3
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=s3_fake.BUCKET):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=s3_fake.BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=s3_fake.BUCKET)


def pytest_collection_modifyitems(items):
    """The pipeline tests (marked slow) first: with the files spread over workers (make test), the longest start
    first instead of leaving one worker a long tail."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
