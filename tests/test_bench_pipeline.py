"""The pipeline benchmark as a smoke test: tiny scale, one repeat; the floor query must equal the marts."""

import pytest

from ingest.bench.pipeline import HEADER, main, markdown_row

pytestmark = pytest.mark.slow


def test_the_floor_equals_the_marts_and_a_row_is_written(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n" + HEADER)
    result = main(["--scale", "20000", "--repeat", "1", "--write", str(out), "--workdir", str(tmp_path / "w")])
    assert result["floor_equal"]
    assert result["requests"] > 15_000 and result["bill_lines"] > 10_000
    assert out.read_text().strip().endswith(markdown_row(result).split(" | ", 1)[1])
