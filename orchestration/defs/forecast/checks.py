"""Budget and anomaly checks on the warehouse build. They never block publishing — a team over budget is news
for finance, not a broken warehouse — and `cpt run` lists them as alerts rather than failures (metadata
budget_alert); the Dagster UI shows them red (ERROR) or yellow (WARN)."""

import dagster as dg

from ingest import duck
from ingest.forecast.alerts import ANOMALY_DAYS
from orchestration.resources import WarehouseResource

ALERT = {"budget_alert": True}


def _rows(warehouse: WarehouseResource, sql: str) -> list[tuple]:
    with duck.connect(str(warehouse.layout.build_warehouse), read_only=True) as con:
        return con.sql(sql).fetchall()


def _table(header: str, rows: list[tuple]) -> dg.MetadataValue:
    columns = header.count("|") - 1
    lines = [header, "|" + "---|" * columns] + ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines))


def _budgets_with_status(
    warehouse: WarehouseResource, status: str, severity: dg.AssetCheckSeverity, figure: str, said: str, fine: str
) -> dg.AssetCheckResult:
    """The budgets of a status, as a check result: passed when there are none; their list and table otherwise."""
    rows = _rows(
        warehouse,
        f"select strftime(month, '%Y-%m'), team, model, round({figure}, 2), round(budget_usd, 2), "
        "round(probability_over_budget, 3) from analytics.fct_budget_status "
        f"where status = '{status}' order by 1, 2, 3",
    )
    named = ", ".join(f"{team}{'' if model == '*' else '/' + model} {month}" for month, team, model, *_ in rows)
    return dg.AssetCheckResult(
        passed=not rows,
        severity=severity,
        description=f"{said}: {named}" if rows else fine,
        metadata={
            **ALERT,
            status: len(rows),
            "budgets": _table(f"| month | team | model | {figure} | budget | probability over |", rows),
        },
    )


@dg.asset_check(asset="fct_budget_status")
def spend_within_budget(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Fails (ERROR) when a team's actual spend in a month is over its budget."""
    return _budgets_with_status(
        warehouse,
        "over_budget",
        dg.AssetCheckSeverity.ERROR,
        figure="spent_to_date",
        said="over budget",
        fine="no team over its budget",
    )


@dg.asset_check(asset="fct_budget_status")
def projection_within_budget(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Warns when a month's projected bill is over a team's budget (status projected_over)."""
    return _budgets_with_status(
        warehouse,
        "projected_over",
        dg.AssetCheckSeverity.WARN,
        figure="projected_cost",
        said="projected over budget",
        fine="every projection within its budget",
    )


@dg.asset_check(asset="fct_cost_anomalies")
def no_recent_anomalies(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Warns when cost, tokens or CPT of a team or deployment left its 95 % interval in the last days."""
    recent = _rows(
        warehouse,
        "select usage_date, series_level, series_key, measure, round(actual, 2), round(expected, 2), likely_driver "
        "from analytics.fct_cost_anomalies where usage_date > "
        f"(select max(as_of_date) from analytics.fct_forecast_daily) - {ANOMALY_DAYS} order by 1, 2, 3, 4",
    )
    return dg.AssetCheckResult(
        passed=not recent,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(recent)} anomal{'y' if len(recent) == 1 else 'ies'} in the last {ANOMALY_DAYS} days",
        metadata={
            **ALERT,
            "anomalies": len(recent),
            "list": _table("| day | level | series | measure | actual | expected | likely driver |", recent),
        },
    )
