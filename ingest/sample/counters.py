"""The sample month's server counters: vLLM's Prometheus token and request counters of the deployments that have
no request logs, one timestamped reading every five minutes."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import numpy as np

from ingest.sample.common import SampleSpec, Truth, hourly_rate
from ingest.sample.fleet import DEPLOYMENTS, MODELS

SCRAPE_MINUTES = 5
RESTART_AT = (17, 12)  # day, hour: the first instance's server restarts, its counters begin again at zero


def write_server_counters(out_dir: Path, spec: SampleSpec, truth: Truth) -> None:
    """vLLM's token and request counters, one timestamped reading every five minutes, one file per instance-day.

    Tokens are generated between readings, and the restart happens right after a reading, so the counters lose
    nothing and the truth is every token generated.
    """
    rng = np.random.default_rng(spec.seed + 1)
    for dep in (d for d in DEPLOYMENTS if not d.request_logs):
        mean_in, mean_out, _, _ = MODELS[dep.model]
        totals = {"requests": 0, "input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0}
        for instance in range(len(dep.tiers)):
            counters = {"input": 0, "output": 0, "requests": 0}
            for day in range(spec.hours // 24):
                samples: dict[str, list[str]] = {"input": [], "output": [], "requests": []}
                for tick in range(24 * 60 // SCRAPE_MINUTES):
                    ts = spec.start + timedelta(days=day, minutes=tick * SCRAPE_MINUTES)
                    if instance == 0 and (ts.day, ts.hour, ts.minute) == (*RESTART_AT, SCRAPE_MINUTES):
                        counters = {"input": 0, "output": 0, "requests": 0}  # restarted just after a reading
                    if tick or day:  # tokens generated since the previous reading
                        rate = hourly_rate(dep, ts, spec.scale, spec.history) * SCRAPE_MINUTES / 60 / len(dep.tiers)
                        n = int(rng.poisson(rate))
                        tokens_in = int(np.maximum(1, rng.lognormal(np.log(mean_in) - 0.32, 0.8, n)).sum()) if n else 0
                        tokens_out = (
                            int(np.maximum(1, rng.lognormal(np.log(mean_out) - 0.32, 0.8, n)).sum()) if n else 0
                        )
                        counters = {
                            k: counters[k] + v
                            for k, v in (("input", tokens_in), ("output", tokens_out), ("requests", n))
                        }
                        totals["requests"] += n
                        totals["input_tokens"] += tokens_in
                        totals["output_tokens"] += tokens_out
                    stamp = int(ts.replace(tzinfo=UTC).timestamp() * 1000)
                    for key in samples:
                        samples[key].append(f"{counters[key]}.0 {stamp}")
                day_start = spec.start + timedelta(days=day)
                path = out_dir / "tokens" / "metrics" / f"{day_start:%Y/%m/%d}" / dep.name / f"pod-{instance}.prom"
                path.parent.mkdir(parents=True, exist_ok=True)
                label = f'{{model_name="{dep.model}"}}'
                lines = []
                for key, metric, help_text in (
                    ("input", "vllm:prompt_tokens_total", "Number of prefill tokens processed."),
                    ("output", "vllm:generation_tokens_total", "Number of generation tokens processed."),
                    ("requests", "vllm:request_success_total", "Count of successfully processed requests."),
                ):
                    family = metric.removesuffix("_total")
                    lines += [f"# HELP {family} {help_text}", f"# TYPE {family} counter"]
                    lines += [f"{metric}{label} {sample}" for sample in samples[key]]
                path.write_text("\n".join(lines) + "\n")
        truth.tokens[dep.name] = totals
