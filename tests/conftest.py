"""Shared fixtures: one small generated month for the whole session (generation is deterministic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.sample.generator import SampleSpec, generate

SMALL = SampleSpec(month="2026-10", seed=11, scale=0.05)


@pytest.fixture(scope="session")
def sample_month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A generated month at 5% of the demo's request volume: (source folder, truth)."""
    root = tmp_path_factory.mktemp("source")
    generate(root, SMALL)
    return root, json.loads((root / "truth.json").read_text())
