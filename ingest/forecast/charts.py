"""Forecast charts (PNG), per team and in total, from the published warehouse: on the left the daily cost — actual,
then the forecast with its 80 % and 95 % bands; on the right each month's bill — actual, projected with its 95 %
interval — against the monthly budget."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from ingest import duck
from ingest.housekeeping import temporary_prefix

HISTORY_DAYS = 92  # days of actuals drawn before the forecast


def _frames(con: duckdb.DuckDBPyConnection, level: str, key: str) -> dict[str, pl.DataFrame]:
    where = "true" if level == "total" else f"{level} = $key"
    params = {} if level == "total" else {"key": key}
    actual = con.sql(
        f"select usage_date as day, cast(sum(total_cost) as double) as cost from analytics.fct_cpt_daily "
        f"where {where} group by usage_date order by usage_date",
        params=params,
    ).pl()
    forecast = con.sql(
        "select forecast_date as day, cast(cost as double) as cost, cast(cost_lo_80 as double) as lo_80, "
        "cast(cost_hi_80 as double) as hi_80, cast(cost_lo_95 as double) as lo_95, "
        "cast(cost_hi_95 as double) as hi_95 from analytics.fct_forecast_daily "
        "where series_level = $level and series_key = $key order by forecast_date",
        params={"level": level, "key": key},
    ).pl()
    monthly = con.sql(
        f"select month, cast(sum(total_cost) as double) as cost from analytics.fct_cpt_monthly where {where} "
        "group by month order by month",
        params=params,
    ).pl()
    projected = con.sql(
        "select month, cast(projected_cost as double) as cost, cast(projected_lo_95 as double) as lo_95, "
        "cast(projected_hi_95 as double) as hi_95, month_complete from analytics.fct_month_end_projection "
        "where series_level = $level and series_key = $key order by month",
        params={"level": level, "key": key},
    ).pl()
    budget = con.sql(
        "select month, cast(sum(budget_usd) as double) as budget from analytics.fct_budget_status "
        "where model = '*' and ($level = 'total' or team = $key) group by month order by month",
        params={"level": level, "key": key},
    ).pl()
    return {"actual": actual, "forecast": forecast, "monthly": monthly, "projected": projected, "budget": budget}


def render(frames: dict[str, pl.DataFrame], title: str, out: Path) -> Path:
    """One chart to `out` (PNG), written under a temporary name and renamed into place."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    actual = frames["actual"].tail(HISTORY_DAYS)
    forecast, projected, budget = frames["forecast"], frames["projected"], frames["budget"]
    fig, (daily, monthly) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [2.2, 1]})
    daily.plot(actual["day"], actual["cost"], color="#1f4e79", linewidth=1.4, label="actual")
    if not forecast.is_empty():
        daily.fill_between(
            forecast["day"], forecast["lo_95"], forecast["hi_95"], color="#f4a261", alpha=0.25, label="95 % interval"
        )
        daily.fill_between(
            forecast["day"], forecast["lo_80"], forecast["hi_80"], color="#f4a261", alpha=0.45, label="80 % interval"
        )
        daily.plot(forecast["day"], forecast["cost"], color="#e76f51", linewidth=1.4, label="forecast")
    daily.set_title("Daily cost (USD)", fontsize=10)
    daily.set_ylim(bottom=0)
    daily.grid(alpha=0.3)
    daily.legend(fontsize=8, loc="lower left")
    daily.tick_params(axis="x", labelsize=8, rotation=30)

    # months: actual for the closed ones, the projection (with its 95 % interval) from the as-of month on
    closed = frames["monthly"].join(projected.select("month"), on="month", how="anti")
    labels = [m.strftime("%Y-%m") for m in closed["month"].to_list() + projected["month"].to_list()]
    values = closed["cost"].to_list() + projected["cost"].to_list()
    colors = ["#1f4e79"] * closed.height + ["#1f4e79" if c else "#e76f51" for c in projected["month_complete"]]
    positions = list(range(len(labels)))
    monthly.bar(positions, values, color=colors)
    offset = closed.height
    open_months = [
        (i + offset, row) for i, row in enumerate(projected.iter_rows(named=True)) if not row["month_complete"]
    ]
    if open_months:
        monthly.errorbar(
            [i for i, _ in open_months],
            [row["cost"] for _, row in open_months],
            yerr=[
                [row["cost"] - row["lo_95"] for _, row in open_months],
                [row["hi_95"] - row["cost"] for _, row in open_months],
            ],
            fmt="none",
            ecolor="black",
            capsize=4,
            linewidth=1,
        )
    budget_by_month = dict(zip([m.strftime("%Y-%m") for m in budget["month"]], budget["budget"], strict=True))
    for i, label in enumerate(labels):
        if label in budget_by_month:
            monthly.hlines(
                budget_by_month[label],
                i - 0.45,
                i + 0.45,
                colors="#2a9d8f",
                linewidth=2.2,
                label="budget" if i == labels.index(next(iter(budget_by_month))) else None,
            )
    monthly.set_xticks(positions, labels, fontsize=8, rotation=30)
    monthly.set_title("Monthly bill: actual, projected (95 %), budget", fontsize=10)
    monthly.grid(axis="y", alpha=0.3)
    if budget_by_month:
        monthly.legend(fontsize=8, loc="lower left")
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{temporary_prefix('write')}{out.name}.tmp")
    fig.savefig(temporary, dpi=110, format="png")
    plt.close(fig)
    os.replace(temporary, out)
    return out


def render_all(warehouse: Path, folder: Path) -> list[Path]:
    """The total's chart and one per team with a forecast (total.png, team-<name>.png); charts of teams that are
    gone are removed."""
    written = []
    with duck.connect(str(warehouse), read_only=True) as con:
        as_of = con.sql("select max(as_of_date) from analytics.fct_forecast_daily").fetchall()[0][0]
        if as_of is None:
            return []
        teams = [
            t
            for (t,) in con.sql(
                "select distinct series_key from analytics.fct_forecast_daily where series_level = 'team' order by 1"
            ).fetchall()
        ]
        series = [("total", "total", f"All teams — cost forecast as of {as_of}", "total.png")] + [
            ("team", team, f"{team} — cost forecast as of {as_of}", f"team-{_safe(team)}.png") for team in teams
        ]
        for level, key, title, name in series:
            written.append(render(_frames(con, level, key), title, folder / name))
    for stale in set(folder.glob("*.png")) - set(written):
        stale.unlink()
    return written


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
