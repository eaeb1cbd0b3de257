"""Deterministic sample data: one calendar month of the fictional fleet in ``fleet.py``.

Writes, under ``out_dir``, files shaped like what the clouds and a gateway deliver (one module each):

    aws/cur2/cpt-demo/data/BILLING_PERIOD=YYYY-MM/cpt-demo-00001.snappy.parquet   CUR 2.0 (Data Exports)  aws.py
    aws/cur2/cpt-demo/metadata/BILLING_PERIOD=YYYY-MM/cpt-demo-Manifest.json      its manifest            cur2.py
    gcp/billing_export/invoice_month=YYYYMM/billing_export-000000.jsonl            detailed export rows    gcp.py
    gcp/catalog/compute_engine_skus.json                                           catalog SKUs            gcp.py
    tokens/gateway/YYYY/MM/DD/gateway-YYYYMMDD.jsonl.gz                            OpenAI-style usage logs gateway.py
    tokens/metrics/YYYY/MM/DD/<deployment>/<instance>.prom                         vLLM counters           counters.py
    truth.json                                                                     what was generated      common.py

``truth.json`` is computed from the generated line items and requests themselves (the generator knows each
line's amortized cost by construction), never by the ingest code, so that tests can hold the pipeline to it.
Same seed and scale → byte-identical files.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.sample.aws import write_aws_cur2
from ingest.sample.common import SampleSpec, Truth
from ingest.sample.counters import write_server_counters
from ingest.sample.gateway import write_gateway_logs
from ingest.sample.gcp import write_gcp_export

__all__ = ["SampleSpec", "generate"]


def generate(out_dir: Path, spec: SampleSpec = SampleSpec()) -> dict:
    """Write one month of sample data under ``out_dir`` and return the truth (also written as truth.json)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = Truth()
    write_aws_cur2(out_dir, spec, truth)
    write_gcp_export(out_dir, spec, truth)
    write_gateway_logs(out_dir, spec, truth)
    write_server_counters(out_dir, spec, truth)
    result = truth.as_dict(spec)
    (out_dir / "truth.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result
