"""`make ui`: `dagster dev` on 127.0.0.1 serves the asset graph (started and stopped by this test)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fakes.http import free_port, listening_addresses
from tests.orchestration.test_definitions import SNAPSHOT

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_dagster_dev_serves_the_asset_graph_on_loopback(cpt_env, tmp_path):
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    log = (tmp_path / "dagster-dev.log").open("w")
    process = subprocess.Popen(
        [
            "env",
            "--default-signal=INT,TERM",
            str(bin_dir / "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, nodes = time.monotonic() + 180, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = _graphql(port, "{ assetNodes { assetKey { path } } }")
                nodes = answer.get("data", {}).get("assetNodes")
                if nodes:
                    break
            except OSError:
                pass
            time.sleep(2)
        assert nodes, (tmp_path / "dagster-dev.log").read_text()[-3000:]
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert keys == set(json.loads(SNAPSHOT.read_text())["assets"])  # every asset of the definitions
        # Bound to loopback only.
        assert listening_addresses(port) == {f"127.0.0.1:{port}"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
