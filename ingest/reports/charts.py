"""The report charts (matplotlib, PNG bytes): cost by team, CPT trend by model, idle share by deployment, spend by
pricing tier, month over month. The same data gives the same bytes (no timestamp or version in the file)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl

from ingest.reports.month import MonthData

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

COLOURS = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#718096", "#b7791f"]


def _png(draw: Callable[..., None], *args: object, size: tuple[float, float] = (7.0, 3.2)) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "cpt",
        }
    ):
        figure, axes = plt.subplots(figsize=size, dpi=110)
        draw(axes, *args)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
        plt.close(figure)
    return buffer.getvalue()


def _usd(axis: Axis) -> None:
    from matplotlib.ticker import FuncFormatter  # matplotlib is imported when a chart is drawn, not with the module

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:,.0f}"))


def cost_by_team(data: MonthData) -> bytes:
    totals = data.lines.group_by("team").agg(pl.col("total_usd").sum().cast(pl.Float64)).sort("total_usd", "team")

    def draw(axes: Axes) -> None:
        axes.barh(totals["team"].to_list(), totals["total_usd"].to_list(), color=COLOURS[0])
        axes.set_title(f"Cost by team, {data.label} (USD)")
        _usd(axes.xaxis)

    return _png(draw, size=(7.0, 0.5 + 0.35 * max(totals.height, 3)))


def cpt_trend(data: MonthData) -> bytes:
    by_model = (
        data.history.group_by("month", "model")
        .agg(pl.col("total_cost").sum().cast(pl.Float64), pl.col("output_tokens").sum().cast(pl.Float64))
        .filter(pl.col("output_tokens") > 0)
        .with_columns(cpt=pl.col("total_cost") / pl.col("output_tokens") * 1e6)
        .sort("model", "month")
    )

    def draw(axes: Axes) -> None:
        models = by_model["model"].unique(maintain_order=True).to_list()
        for index, model in enumerate(models):
            colour = COLOURS[index % len(COLOURS)]
            rows = by_model.filter(pl.col("model") == model)
            labels = [f"{m:%Y-%m}" for m in rows["month"]]
            axes.plot(labels, rows["cpt"].to_list(), marker="o", color=colour, label=model)
        axes.set_title("CPT by model (µ$ per output token, all-in)")
        axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    return _png(draw)


def idle_share(data: MonthData) -> bytes:
    shares = (
        data.lines.filter(~pl.col("deployment").str.starts_with("shared:"))
        .group_by("deployment")
        .agg(pl.col("idle_cost").sum().cast(pl.Float64), pl.col("total_cost").sum().cast(pl.Float64))
        .with_columns(share=100 * pl.col("idle_cost") / pl.col("total_cost"))
        .sort("share", "deployment")  # a total order: group_by returns groups in any order
    )

    def draw(axes: Axes) -> None:
        axes.barh(shares["deployment"].to_list(), shares["share"].fill_nan(0).to_list(), color=COLOURS[1])
        axes.set_title(f"Idle share of cost by deployment, {data.label} (%)")

    return _png(draw, size=(7.0, 0.5 + 0.35 * max(shares.height, 3)))


def spend_by_tier(data: MonthData) -> bytes:
    tiers = data.lines.group_by("pricing_tier").agg(pl.col("total_usd").sum().cast(pl.Float64)).sort("pricing_tier")

    def draw(axes: Axes) -> None:
        axes.bar(tiers["pricing_tier"].to_list(), tiers["total_usd"].to_list(), color=COLOURS[2])
        axes.set_title(f"Spend by pricing tier, {data.label} (USD)")
        _usd(axes.yaxis)

    return _png(draw)


def month_over_month(data: MonthData) -> bytes:
    months = sorted(set(data.history["month"]))[-2:]
    totals = (
        data.history.filter(pl.col("month").is_in(months))
        .group_by("team", "month")
        .agg(pl.col("total_usd").sum().cast(pl.Float64))
        .sort("team", "month")
    )
    teams = sorted(set(totals["team"]))

    def draw(axes: Axes) -> None:
        width = 0.8 / max(len(months), 1)
        for index, month in enumerate(months):
            values = dict(totals.filter(pl.col("month") == month).select("team", "total_usd").iter_rows())
            positions = [t + index * width for t in range(len(teams))]
            heights = [values.get(team, 0.0) for team in teams]
            axes.bar(positions, heights, width, color=COLOURS[index], label=f"{month:%Y-%m}")
        axes.set_xticks([t + width * (len(months) - 1) / 2 for t in range(len(teams))], teams, rotation=20)
        axes.set_title("Month over month by team (USD)")
        axes.legend(frameon=False)
        _usd(axes.yaxis)

    return _png(draw)


ALL = {
    "cost_by_team": cost_by_team,
    "cpt_trend": cpt_trend,
    "idle_share": idle_share,
    "spend_by_tier": spend_by_tier,
    "month_over_month": month_over_month,
}
