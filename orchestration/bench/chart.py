"""The benchmark's picture: time and peak memory against scale, from BENCHMARKS.md's results table.

For each scale the newest row: the pipeline (ingest, dbt builds, outputs), its raw-file floor and, where measured, the
same month through `cpt run` (Dagster included), against the month's requests; and the peak RSS of the largest
process. Log scales on both axes, so that a line's slope says how it grows (1 = linear). Written by the bench
command after each row (``--write``; ``--chart`` names the file).
"""

from __future__ import annotations

from pathlib import Path

SCALE_ORDER = ("S", "M", "L")


def newest_rows(markdown: str, header: str) -> list[dict[str, str]]:
    """The newest row of each scale in the results table under ``header``, smallest scale first."""
    columns = [c.strip() for c in header.splitlines()[0].strip("|").split("|")]
    table = markdown.split(header, 1)[1] if header in markdown else ""
    newest: dict[str, dict[str, str]] = {}
    for line in table.splitlines():
        if not line.startswith("|"):
            break
        row = dict(zip(columns, (c.strip() for c in line.strip("|").split("|")), strict=True))
        newest[row["scale"]] = row  # rows are appended at the end: the last one of a scale is its newest
    return [newest[s] for s in SCALE_ORDER if s in newest] + [r for s, r in newest.items() if s not in SCALE_ORDER]


def _number(text: str) -> float | None:
    head = text.split(" ")[0].replace(",", "").rstrip("×")
    try:
        return float(head)
    except ValueError:
        return None


def draw(rows: list[dict[str, str]], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    requests = [_number(r["requests"]) for r in rows]
    fig, (times, memory) = plt.subplots(1, 2, figsize=(10, 4), dpi=110)
    pipeline = [_number(r["pipeline s"]) for r in rows]
    overhead = [_number(r["Dagster overhead s"]) for r in rows]
    series = {
        "pipeline (ingest, dbt builds, outputs)": pipeline,
        "raw-file floor (one DuckDB query)": [_number(r["floor (raw files) s"]) for r in rows],
        "`cpt run` (with Dagster)": [
            (p or 0) + d if d is not None else None for p, d in zip(pipeline, overhead, strict=True)
        ],
    }
    for label, values in series.items():
        points = [(x, y) for x, y in zip(requests, values, strict=True) if x and y]
        if points:
            times.plot(*zip(*points, strict=True), marker="o", label=label)
    for row, x, seconds in zip(rows, requests, pipeline, strict=True):
        label = f"{row['scale']}: {row['pipeline s']} s"
        times.annotate(label, (x, seconds or 1), textcoords="offset points", xytext=(6, -12), fontsize=8)
    times.set(xscale="log", yscale="log", xlabel="requests in the month", ylabel="seconds", title="Time")
    times.margins(x=0.15, y=0.2)
    times.legend(fontsize=8)
    rss = [(x, _number(r["peak RSS MB"])) for x, r in zip(requests, rows, strict=True)]
    memory.plot(*zip(*rss, strict=True), marker="o", color="tab:purple", label="peak RSS, largest process")
    for x, mb in rss:
        memory.annotate(f"{mb:,.0f} MB", (x, mb), textcoords="offset points", xytext=(6, -12), fontsize=8)
    memory.axhline(2048, color="tab:red", linestyle="--", linewidth=1, label="2 GB bound")
    memory.set(xscale="log", yscale="log", xlabel="requests in the month", ylabel="MB", title="Peak memory")
    memory.margins(x=0.15, y=0.2)
    memory.legend(fontsize=8)
    for axis in (times, memory):
        axis.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:g}M"))
        axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axis.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if f"{v:.0e}"[0] in "25" else ""))
    machine = rows[-1]["machine"] if rows else ""
    fig.suptitle(f"The month at each scale ({machine}; newest row of each scale in BENCHMARKS.md)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata={"Software": None})
    plt.close(fig)
    return out


def write_chart(benchmarks: Path, header: str, out: Path) -> Path | None:
    """The chart of the results table under ``header`` in ``benchmarks`` (None when it has no row)."""
    rows = newest_rows(benchmarks.read_text(), header)
    return draw(rows, out) if rows else None
