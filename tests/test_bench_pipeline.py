"""The pipeline benchmark as CI's smoke test: scale S (1M requests, ~33k bill lines), one repeat; both floor
queries (over the delivered files and over bronze) must equal the marts. Times are never asserted."""

import pytest

from orchestration.bench.pipeline import HEADER, main, markdown_row

pytestmark = pytest.mark.slow


def test_at_scale_s_both_floors_equal_the_marts_and_a_row_is_written(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n" + HEADER)
    chart = tmp_path / "bench-scale.png"  # not the repository's chart
    result = main(
        ["--scale", "S", "--repeat", "1", "--write", str(out), "--chart", str(chart), "--workdir", str(tmp_path / "w")]
    )
    assert result["floor_equal"], result
    assert result["requests"] > 950_000 and result["bill_lines"] > 30_000
    assert result["floor_raw_s"] > 0 and result["floor_bronze_s"] > 0
    assert out.read_text().strip().endswith(markdown_row(result).split(" | ", 1)[1])
    assert chart.read_bytes().startswith(b"\x89PNG")
