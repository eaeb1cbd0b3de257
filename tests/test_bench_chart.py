"""The benchmark's chart reads the newest row of each scale from BENCHMARKS.md's table and draws it."""

from pathlib import Path

from orchestration.bench.chart import newest_rows, write_chart
from orchestration.bench.pipeline import HEADER

ROOT = Path(__file__).resolve().parents[1]


def _row(scale: str, requests: str, pipeline: str, dagster: str = "—") -> str:
    cells = ["2026-12-02", "2 cores", scale, requests, "1", "1", "1", "1", "1", "1", pipeline, "2.0", "1.0", "3×",
             "1", "600", "ingest 500, dbt 600", "1 (5%)", dagster, "yes", "3"]  # fmt: skip
    return "| " + " | ".join(cells) + " |\n"


def test_the_newest_row_of_each_scale_is_drawn_smallest_first(tmp_path):
    text = "# Benchmarks\n\n" + HEADER + _row("L", "30,000,000", "160.0") + _row("S", "1,000,000", "30.0", "20.0")
    text += _row("S", "1,000,000", "25.0", "9.5") + "\n## Earlier rows\n\n" + _row("M", "10,000,000", "70.0")
    (tmp_path / "BENCHMARKS.md").write_text(text)
    rows = newest_rows(text, HEADER)
    assert [(r["scale"], r["pipeline s"], r["Dagster overhead s"]) for r in rows] == [
        ("S", "25.0", "9.5"),
        ("L", "160.0", "—"),
    ]  # a row below the table (another section) is not in it
    out = write_chart(tmp_path / "BENCHMARKS.md", HEADER, tmp_path / "chart.png")
    assert out is not None and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_chart_in_the_repository_is_drawn_from_benchmarks_md():
    rows = newest_rows((ROOT / "BENCHMARKS.md").read_text(), HEADER)
    assert {r["scale"] for r in rows} >= {"S", "L"} and (ROOT / "docs" / "bench-scale.png").exists()
