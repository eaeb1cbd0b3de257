"""The engines benchmark's row (`make bench-engines`; the run itself builds a month on Spark, too long for the
suite): its figures as written, and BENCHMARKS.md's engines table as the place it appends them."""

import shutil
from pathlib import Path

from orchestration.bench.engines import HEADER, markdown_row
from orchestration.bench.pipeline import write_row

ROOT = Path(__file__).resolve().parents[1]
RESULT = {
    "requests": 10_002_690, "nodes": 326, "duckdb_s": 100.0, "spark_s": 1_200.0, "spark_fixed_s": 112.0,
    "duckdb_day_s": 50.0, "spark_day_s": 1_000.0, "duckdb_rss_mb": 1_750.4, "spark_rss_mb": 3_065.2, "equal": True,
}  # fmt: skip


def test_the_row_gives_the_ratio_the_per_node_cost_and_spark_s_memory_with_its_jvm():
    cells = [cell.strip() for cell in markdown_row("M", RESULT).strip("|").split("|")]
    assert cells[2:] == ["M", "10,002,690", "326", "100.0", "1200.0", "12.0×", "112.0", "3.34", "50.0", "1000.0",
                         "1,750", "3,065", "yes"]  # fmt: skip
    assert len(cells) == HEADER.splitlines()[0].count("|") - 1


def test_benchmarks_md_holds_the_table_the_bench_appends_to(tmp_path):
    copy = shutil.copyfile(ROOT / "BENCHMARKS.md", tmp_path / "BENCHMARKS.md")
    row = markdown_row("M", RESULT)
    write_row(copy, row, HEADER)
    table = copy.read_text().split(HEADER, 1)[1]
    rows = table[: table.index("\n\n")].splitlines()
    assert rows[-1] == row and len(rows) >= 3
