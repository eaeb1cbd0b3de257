"""Benchmark: gateway JSONL → bronze parquet, through the real ingestion code, against DuckDB's own floor.

    python -m ingest.bench.token_logs --lines 5000000 --repeat 3     (or: make bench-tokens)

Generates one day of gateway logs (``--files`` hourly objects, written by DuckDB: no Python loop per line),
then times, each in a fresh process so peak RSS is its own, medians of ``--repeat`` runs:

- scan: DuckDB counting the records (every line parsed as JSON, no field read, nothing written) — how fast
  this machine can even read the logs;
- floor: one DuckDB ``read_json`` → parquet of the same fields, no validation, no quarantine, no checksum;
- pipeline (clean): ``ingest_gateway_day`` — checksum, strict parse, validation, bronze parts, manifest;
- pipeline (dirty): the same day with one malformed line in every ``--dirty-every``-th file (those files take
  the tolerant way and the bad lines are quarantined).

Reports records/s, peak RSS and the pipeline/floor ratio measured in the same run (the machines are shared
and noisy: compare ratios, not seconds). Nothing here is asserted by tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from ingest import duck

DAY = date(2026, 10, 3)


def generate(folder: Path, lines: int, files: int, dirty_every: int = 0) -> Path:
    """``lines`` gateway records of DAY in ``files`` hourly files under folder/YYYY/MM/DD/; with
    ``dirty_every``, one truncated line in the middle of every dirty_every-th file."""
    day_dir = folder / f"{DAY:%Y/%m/%d}"
    day_dir.mkdir(parents=True, exist_ok=True)
    per_file = lines // files
    con = duck.connect()
    for n in range(files):
        first, count = n * per_file, per_file if n < files - 1 else lines - n * per_file
        target = day_dir / f"gateway-{n:02d}.jsonl"
        con.execute(_records_sql(first, count, n, target)).fetchall()
        if dirty_every and n % dirty_every == 0:
            with target.open("rb") as f:
                data = f.read()
            middle = data.index(b"\n", len(data) // 2) + 1
            target.write_bytes(data[:middle] + b'{"id": "truncated-by-a-crash", "usa\n' + data[middle:])
    return folder


def _records_sql(first: int, count: int, hour: int, target: Path) -> str:
    seconds = 3600.0 / max(count, 1)
    return f"""
    copy (
      select
        'chatcmpl-' || lpad(to_hex(i), 16, '0') as id,
        'chat.completion' as object,
        epoch(ts)::bigint as created,
        ['llama-3.1-8b-instruct', 'llama-3.1-70b-instruct', 'qwen2.5-coder-32b'][1 + i % 3] as model,
        {{'prompt_tokens': 200 + (i * 7919) % 1800, 'completion_tokens': 20 + (i * 104729) % 600,
          'total_tokens': 220 + (i * 7919) % 1800 + (i * 104729) % 600,
          'prompt_tokens_details': {{'cached_tokens': (i * 31) % 200}}}} as usage,
        {{'deployment': ['chat-llama8b-use1', 'chat-llama70b-use1', 'code-qwen32b-usw2'][1 + i % 3],
          'team': ['search', 'support-bot', 'marketing', 'platform', 'research'][1 + (i // 7) % 5],
          'api_key_hash': md5((i % 400)::varchar)[:16], 'region': 'us-east-1', 'instance_id': null,
          'started_at': strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ'),
          'finished_at': strftime(ts + interval 2 second, '%Y-%m-%dT%H:%M:%S.%fZ'),
          'latency_ms': 2000.0, 'ttft_ms': 80.0 + i % 50, 'status': 'success'}} as gateway
      from (
        select i, timestamp '{DAY.isoformat()}' + interval {hour} hour
                  + to_microseconds(((i - {first}) * {seconds} * 1e6)::bigint) as ts
        from range({first}, {first + count}) t(i)
      )
    ) to '{target}' (format json)
    """


def _floor(folder: Path, out: Path) -> int:
    from ingest.tokens.gateway import FIELDS
    from ingest.tokens.jsonl import columns_spec, sql_path

    selects = ", ".join(f"{sql_path(p)} as {c}" for c, (p, _) in FIELDS.items())
    con = duck.connect()
    sql = (
        f"copy (select {selects} from read_json('{folder}/**/*.jsonl', format = 'newline_delimited', "
        f"ignore_errors = true, columns = {columns_spec(FIELDS)})) to '{out}' (format parquet)"
    )
    return con.execute(sql).fetchall()[0][0]


def _scan(folder: Path) -> int:
    con = duck.connect()
    sql = (
        f"select count(*) from read_json('{folder}/**/*.jsonl', format = 'newline_delimited', records = false, "
        "ignore_errors = true, columns = {'record': 'JSON'})"
    )
    return con.execute(sql).fetchall()[0][0]


def _pipeline(folder: Path, out: Path) -> int:
    from ingest.landing.sources import LocalFolderSource
    from ingest.landing.zone import LandingZone
    from ingest.tokens.ingest import ingest_gateway_day

    load = ingest_gateway_day(LocalFolderSource(folder), "", LandingZone(out / "landing"), out / "bronze", DAY)
    return load.rows_in


def _measure(what: str, folder: Path) -> dict:
    """Run one measurement in this process (called in a fresh child by ``main``)."""
    with tempfile.TemporaryDirectory(prefix="cpt-bench-") as tmp:
        started = time.perf_counter()
        if what == "scan":
            rows = _scan(folder)
        elif what == "floor":
            rows = _floor(folder, Path(tmp) / "floor.parquet")
        else:
            rows = _pipeline(folder, Path(tmp))
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(what: str, folder: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "ingest.bench.token_logs", "--measure", what, "--folder", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--dirty-every", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None, help="where the generated logs go (default: a temp dir)")
    parser.add_argument("--measure", choices=["scan", "floor", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(_measure(args.measure, args.folder)))
        return {}

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="cpt-bench-logs-"))
    try:
        started = time.perf_counter()
        clean = generate(workdir / "clean", args.lines, args.files)
        dirty = generate(workdir / "dirty", args.lines, args.files, args.dirty_every)
        print(f"generated 2 × {args.lines:,} lines in {time.perf_counter() - started:.1f} s", flush=True)
        runs: dict[str, list[dict]] = {"scan": [], "floor": [], "pipeline (clean)": [], "pipeline (dirty)": []}
        for _ in range(args.repeat):  # interleaved, so a noisy neighbour hurts every variant alike
            runs["scan"].append(_child("scan", clean))
            runs["floor"].append(_child("floor", clean))
            runs["pipeline (clean)"].append(_child("pipeline", clean))
            runs["pipeline (dirty)"].append(_child("pipeline", dirty))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    floor = statistics.median(r["seconds"] for r in runs["floor"])
    report = {}
    print(f"{'':18} {'rows in':>12} {'median s':>9} {'records/s':>11} {'peak RSS MB':>12} {'× floor':>8}")
    for name, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        rows = results[0]["rows"]
        rss = max(r["peak_rss_mb"] for r in results)
        report[name] = {"rows": rows, "seconds": seconds, "records_per_s": rows / seconds, "peak_rss_mb": rss}
        print(f"{name:18} {rows:>12,} {seconds:>9.2f} {rows / seconds:>11,.0f} {rss:>12,.0f} {seconds / floor:>8.2f}")
    return report


if __name__ == "__main__":
    main()
