"""The forecast benchmark runs small and writes its row (its figures are measured, never asserted)."""

from ingest.bench import forecast as bench


def test_the_forecast_benchmark_writes_its_row(tmp_path):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\nintro\n")
    figures = bench.main(["--series", "30", "--days", "70", "--repeat", "1", "--write", str(report)])
    assert figures["series"] == 30 and figures["forecast_s"] > 0 and figures["baseline_s"] > 0
    assert sum(figures["methods"].values()) == 30
    bench.main(["--series", "30", "--days", "70", "--repeat", "1", "--write", str(report)])
    text = report.read_text()
    assert text.count(bench.SECTION) == 1 and text.count("| 30 × 70 |") == 2  # a second run adds a row
