"""The token-log benchmark runs end to end at a tiny size (its times are reported, never asserted)."""

from ingest.bench.token_logs import main


def test_the_benchmark_counts_every_generated_line_in_each_variant(tmp_path):
    report = main(
        ["--lines", "3000", "--files", "4", "--dirty-every", "2", "--repeat", "1", "--workdir", str(tmp_path)]
    )
    assert report["scan"]["rows"] == report["floor"]["rows"] == 3000
    assert report["pipeline (clean)"]["rows"] == 3000
    assert report["pipeline (dirty)"]["rows"] == 3002  # files 0 and 2 got one truncated line each
    assert all(r["peak_rss_mb"] > 0 for r in report.values())
