"""The latency–cost frontier per model (PNG): each deployment configuration × load bucket of
fct_latency_cost_frontier as a point, CPT against p99 latency, the Pareto-optimal points joined into the frontier,
and the p99 latency SLO drawn where the model's configurations share one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl

from ingest import duck
from ingest.housekeeping import temporary_prefix

MARKERS = {"low": "o", "medium": "s", "high": "^"}
COLOURS = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795"]


def read_frontier(warehouse: Path) -> pl.DataFrame:
    with duck.connect(str(warehouse), read_only=True) as con:
        return con.sql(
            "select model, deployment, config_id, load_bucket, cast(cpt_micro_usd_per_output_token as double) as cpt,"
            " p99_latency_ms, slo_p99_latency_ms, is_pareto_optimal, requests from analytics.fct_latency_cost_frontier"
            " order by model, deployment, config_id, load_bucket"
        ).pl()


def chart_name(model: str) -> str:
    return "frontier-" + re.sub(r"[^A-Za-z0-9._-]", "_", model) + ".png"


def render(points: pl.DataFrame, model: str, out: Path) -> Path:
    """One model's frontier to `out`, written under a temporary name and renamed into place."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7.5, 4.2), dpi=110)
    configs = points.select("deployment", "config_id").unique(maintain_order=True).rows()
    for index, (deployment, config_id) in enumerate(configs):
        own = points.filter((pl.col("deployment") == deployment) & (pl.col("config_id") == config_id))
        since = config_id.split("@")[-1]
        for bucket, marker in MARKERS.items():
            rows = own.filter(pl.col("load_bucket") == bucket)
            if rows.height:
                axes.scatter(rows["p99_latency_ms"] / 1000, rows["cpt"], marker=marker, s=46,
                             color=COLOURS[index % len(COLOURS)],
                             label=f"{deployment} (from {since})" if bucket == "low" else None)  # fmt: skip
    front = points.filter(pl.col("is_pareto_optimal")).sort("p99_latency_ms")
    axes.plot(front["p99_latency_ms"] / 1000, front["cpt"], color="#1a202c", linewidth=1, linestyle="--",
              label="Pareto frontier")  # fmt: skip
    slos = points["slo_p99_latency_ms"].drop_nulls().unique()
    if slos.len() == 1:
        axes.axvline(slos[0] / 1000, color="#c53030", linewidth=1, label="p99 latency SLO")
    axes.set_xlabel("p99 request latency (s)")
    axes.set_ylabel("CPT (µ$ per output token)")
    axes.set_title(f"{model}: cost per token against latency (○ low, □ medium, △ high load)", fontsize=9)
    axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.parent / f".{temporary_prefix('write')}{out.name}.tmp"
    figure.savefig(temporary, format="png", metadata={"Software": None})
    plt.close(figure)
    os.replace(temporary, out)
    return out


def render_all(warehouse: Path, folder: Path) -> list[Path]:
    """A frontier chart per model with points, under `folder`."""
    points = read_frontier(warehouse)
    return [
        render(points.filter(pl.col("model") == model), model, folder / chart_name(model))
        for model in points["model"].unique(maintain_order=True).to_list()
    ]
