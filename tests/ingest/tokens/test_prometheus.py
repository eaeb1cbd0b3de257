"""vLLM / SGLang / TGI Prometheus counters into bronze samples: the real scrape's figures, restarts reported."""

from datetime import date
from pathlib import Path

import polars as pl

from ingest.landing.sources import LocalFolderSource
from ingest.landing.zone import LandingZone


def test_the_real_vllm_scrape_gives_its_known_token_counts(tmp_path):
    from ingest.tokens.ingest import ingest_counter_day

    sample = Path(__file__).parents[2] / "fixtures" / "vllm_metrics" / "vllm_metrics_excerpt.prom"
    target = tmp_path / "src" / "2026" / "10" / "03" / "qwen-coder" / "pod-0" / "scrape-1790985600.prom"
    target.parent.mkdir(parents=True)
    target.write_bytes(sample.read_bytes())
    (target.parent / "scrape-1790985900.prom").write_text("this is { not prometheus\n")
    load = ingest_counter_day(
        LocalFolderSource(tmp_path / "src"), "", LandingZone(tmp_path / "l"), tmp_path / "b", date(2026, 10, 3)
    )
    assert (load.files, load.files_quarantined) == (2, 1)
    samples = pl.read_parquet(tmp_path / "b" / "inference_token_counter_samples" / "**" / "*.parquet")
    values = dict(zip(samples["counter"], samples["value"], strict=True))
    assert values == {"input_tokens": 148.0, "output_tokens": 955.0, "requests": 4.0}  # 148 + 955 = 1103
    assert samples["model"].unique().to_list() == ["Qwen/Qwen2.5-Coder-1.5B-Instruct"]
    quarantine = pl.read_parquet(tmp_path / "b" / "token_quarantine" / "**" / "*.parquet")
    assert quarantine["reason"].str.starts_with("not Prometheus text").to_list() == [True]


def test_a_counter_that_halves_mid_day_is_counted_as_a_restart_and_reported(tmp_path):
    """The stated rule (Prometheus' counter-reset rule): any drop is a restart; the load names each one."""
    from ingest.tokens.ingest import ingest_counter_day

    sample = (Path(__file__).parents[2] / "fixtures" / "vllm_metrics" / "vllm_metrics_excerpt.prom").read_text()
    folder = tmp_path / "src" / "2026" / "10" / "03" / "qwen-coder" / "pod-0"
    folder.mkdir(parents=True)
    for epoch, factor in ((1790985600, 1.0), (1790985900, 2.0), (1790986200, 1.0)):  # 955 → 1910 → 955 tokens
        text = sample.replace("955.0", f"{955.0 * factor}").replace("148.0", f"{148.0 * factor}")
        (folder / f"scrape-{epoch}.prom").write_text(text)
    load = ingest_counter_day(
        LocalFolderSource(tmp_path / "src"), "", LandingZone(tmp_path / "l"), tmp_path / "b", date(2026, 10, 3)
    )
    assert (load.files, load.files_quarantined) == (3, 0)
    assert sorted(r.split(": ")[0].split(" ")[2] for r in load.resets) == ["input_tokens", "output_tokens"]
    assert any(r.endswith("1,910 → 955") for r in load.resets)
