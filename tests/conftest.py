"""Shared fixtures: one small generated month for the whole session (generation is deterministic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from ingest.sample.generator import SampleSpec, generate

SMALL = SampleSpec(month="2026-10", seed=11, scale=0.05)


@pytest.fixture(scope="session")
def sample_month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A generated month at 5% of the demo's request volume: (source folder, truth)."""
    root = tmp_path_factory.mktemp("source")
    generate(root, SMALL)
    return root, json.loads((root / "truth.json").read_text())


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """`cpt demo` (what `make demo` runs once installed) into a data directory of its own: (data dir, output).
    Shared by the README's and the cookbook's tests."""
    from tests.cpt_runner import cpt

    data = tmp_path_factory.mktemp("demo") / "data"
    with pytest.MonkeyPatch.context() as mp:
        result = cpt(mp, data, data / "source", "demo")
    assert result.exit_code == 0, result.output
    return data, result.output


@pytest.fixture(scope="session")
def moto_server():
    """moto's S3 server over real HTTP on 127.0.0.1, for the whole session: (url, port)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}", port
    server.stop()


def pytest_collection_modifyitems(items):
    """The pipeline tests (marked slow) first: with the files spread over workers (make test), the longest start
    first instead of leaving one worker a long tail."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
