"""What the forecasts become after each publish: charts, gateway limits and alerts, read from the published file."""

import dagster as dg

from ingest.forecast import alerts, charts, gateway
from orchestration.chart_metadata import charts_metadata
from orchestration.resources import AlertWebhookResource, WarehouseResource


@dg.asset(key="forecast_charts", group_name="forecast", kinds={"png"}, owners=["team:platform"],
          deps=["published_warehouse"])  # fmt: skip
def forecast_charts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per team and in total: daily cost (actual, forecast, 80 % and 95 % bands) and the monthly bill (actual,
    projected with its 95 % interval) against the budget, as PNG under warehouse/charts/ — shown here too."""
    written = charts.render_all(warehouse.layout.warehouse, warehouse.layout.charts)
    return dg.MaterializeResult(metadata=charts_metadata(warehouse.layout.charts, written, "no forecast yet"))


@dg.asset(key="gateway_limits", group_name="forecast", kinds={"json"}, owners=["team:platform"],
          deps=["published_warehouse"])  # fmt: skip
def gateway_limits(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The budgets as limits the gateway enforces: one LiteLLM POST /team/update body per team with a budget
    (max_budget, budget_duration, tpm_limit) in warehouse/gateway/litellm_team_update.jsonl; the README's "Forecasts,
    budgets and alerts" has the command that applies them."""
    bodies = gateway.team_update_bodies(warehouse.layout.warehouse)
    path = gateway.write_bodies(bodies, warehouse.layout.gateway)
    table = "\n".join(
        f"| {b['team_id']} | {b['max_budget']:,.2f} | {b['budget_duration']} | {b.get('tpm_limit', 'unchanged')} |"
        for b in bodies
    )
    return dg.MaterializeResult(
        metadata={
            "path": str(path),
            "teams": len(bodies),
            "bodies": dg.MetadataValue.md(
                "| team_id | max_budget | budget_duration | tpm_limit |\n|---|---|---|---|\n" + table
            ),
        }
    )


@dg.asset(key="budget_alerts", group_name="forecast", kinds={"python"}, owners=["team:platform"],
          deps=["published_warehouse"])  # fmt: skip
def budget_alerts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, alerts_webhook: AlertWebhookResource
) -> dg.MaterializeResult:
    """Budgets spent or projected over and the last days' anomalies, posted to CPT_ALERT_WEBHOOK_URL once each
    (off when unset). An endpoint that is down does not fail the run: its alerts wait for the next one."""
    found = alerts.find_alerts(warehouse.layout.warehouse)
    metadata: dict = {"alerts": len(found), "errors": sum(a.severity == "error" for a in found)}
    if alerts_webhook.url:
        delivery = alerts.deliver(found, alerts_webhook.url, warehouse.layout.alerts)
        metadata |= {
            "posted": len(delivery.posted),
            "pending": len(delivery.pending),
            "already_sent": delivery.already_sent,
        }
        if delivery.error:
            context.log.warning(f"{delivery.error}; {len(delivery.pending)} alert(s) kept for the next run")
    else:
        metadata["webhook"] = "off (CPT_ALERT_WEBHOOK_URL is empty)"
    metadata["list"] = dg.MetadataValue.md("\n".join(f"- {a.text}" for a in found) or "none")
    return dg.MaterializeResult(metadata=metadata)
