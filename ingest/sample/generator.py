"""Deterministic sample data: one calendar month of the fictional fleet in ``fleet.py``.

Writes, under ``out_dir``, files shaped like what the clouds and a gateway deliver (one module each):

    aws/cur2/cpt-demo/data/BILLING_PERIOD=YYYY-MM/cpt-demo-00001.snappy.parquet   CUR 2.0 (Data Exports)  aws.py
    aws/cur2/cpt-demo/metadata/BILLING_PERIOD=YYYY-MM/cpt-demo-Manifest.json      its manifest            cur2.py
    aws/price_list/ec2_gpu_instances.json                                          EC2 GPU list prices     aws_prices.py
    gcp/billing_export/invoice_month=YYYYMM/billing_export-000000.jsonl            detailed export rows    gcp.py
    gcp/catalog/compute_engine_skus.json                                           catalog SKUs            gcp.py
    focus/azure/cpt-focus/YYYYMMDD-YYYYMMDD/<run>/part_0_0001.csv.gz               Azure FOCUS export      focus.py
    focus/oci/FOCUS Reports/YYYY/MM/DD/<n>.csv.gz                                  OCI FOCUS reports       focus.py
    tokens/gateway/YYYY/MM/DD/gateway-YYYYMMDD.jsonl.gz                            OpenAI-style usage logs gateway.py
    tokens/metrics/YYYY/MM/DD/<deployment>/<instance>.prom                         vLLM counters           counters.py
    truth.json                                                                     what was generated      common.py

``generate_history`` writes several months whose traffic grows, dips on holidays, gains a deployment half-way and
one team's step change (``common.History``); ``truth.json`` then holds each month's truth and the events.

``truth.json`` is computed from the generated line items and requests themselves (the generator knows each
line's amortized cost by construction), never by the ingest code, so that tests can hold the pipeline to it.
Same seed and scale → byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from ingest.sample.aws import write_aws_cur2
from ingest.sample.aws_prices import write_aws_price_list
from ingest.sample.common import History, SampleSpec, Truth
from ingest.sample.counters import write_server_counters
from ingest.sample.focus import write_focus_clouds
from ingest.sample.gateway import write_gateway_logs
from ingest.sample.gcp import write_gcp_export

__all__ = ["History", "SampleSpec", "generate", "generate_history"]


def generate(out_dir: Path, spec: SampleSpec = SampleSpec()) -> dict:
    """Write one month of sample data under ``out_dir`` and return the truth (also written as truth.json)."""
    result = _write_month(out_dir, spec)
    (out_dir / "truth.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result


def generate_history(out_dir: Path, last: SampleSpec, months: int) -> dict:
    """Write ``months`` months ending with ``last.month`` (each its own delivery, with its own seed) whose traffic
    moves as ``History`` says, and return the truth: each month's, the history's events, and the totals."""
    first = _month_start(last.start, -(months - 1))
    end = _month_start(last.start, 1)
    history = History(first_day=first.date(), last_day=(end - timedelta(days=1)).date())
    truths = {}
    for k in range(months):
        month = _month_start(first, k).strftime("%Y-%m")
        spec = replace(last, month=month, seed=last.seed + k, history=history)
        truths[month] = _write_month(out_dir, spec)
    tokens: dict[str, dict[str, int]] = {}
    for truth in truths.values():
        for deployment, counts in truth["tokens"].items():
            total = tokens.setdefault(deployment, dict.fromkeys(counts, 0))
            for key, value in counts.items():
                total[key] += value
    result = {
        "months": truths,
        "history": history.as_dict(),
        "seed": last.seed,
        "scale": last.scale,
        "fleet": last.fleet,
        "billed_total_usd": sum(t["billed_total_usd"] for t in truths.values()),
        "in_scope_effective_usd": sum(t["in_scope_effective_usd"] for t in truths.values()),
        "tokens": dict(sorted(tokens.items())),
    }
    (out_dir / "truth.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result


def _month_start(month: datetime, offset: int) -> datetime:
    index = month.year * 12 + month.month - 1 + offset
    return datetime(index // 12, index % 12 + 1, 1)


def _write_month(out_dir: Path, spec: SampleSpec) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = Truth()
    write_aws_cur2(out_dir, spec, truth)
    write_aws_price_list(out_dir)
    write_gcp_export(out_dir, spec, truth)
    write_focus_clouds(out_dir, spec, truth)
    write_gateway_logs(out_dir, spec, truth)
    write_server_counters(out_dir, spec, truth)
    return truth.as_dict(spec)
