"""The look-ahead: forecasts of the daily history (a Python step between two dbt runs), then the dbt models that
read them (forecasts, accuracy, month-end projections, budgets, gateway limits, anomalies)."""

import time

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ingest.forecast import store
from orchestration.dbt_invocation import stream_dbt
from orchestration.defs.warehouse.assets import AFTER_FORECAST, DBT_BUILD_ARGS
from orchestration.defs.warehouse.translator import CptDbtTranslator
from orchestration.resources import WarehouseResource, dbt_project


@dg.multi_asset(
    name="cost_forecasts",
    specs=[
        dg.AssetSpec(
            name,
            group_name="forecast",
            kinds={"python", "parquet"},
            owners=["team:platform"],
            deps=["int_forecast_series_daily"],
            description=description,
        )
        for name, description in store.DESCRIPTIONS.items()
    ],
)
def cost_forecasts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Daily cost, input and output tokens for the next 90 days of the total, every team, team × model, model and
    deployment (statsforecast: seasonal naive, ETS and Theta with weekly seasonality, the best per series by
    rolling-origin backtest; odd histories get a documented fallback), written to forecast/ for dbt."""
    started = time.perf_counter()
    frames, summary = store.run(store.read_series(warehouse.layout.build_warehouse))
    store.write(frames, warehouse.layout.forecasts)
    context.log.info(f"forecast {summary.series} series as of {summary.as_of_date}: {summary.methods}")
    for name, frame in frames.items():
        metadata: dict[str, str | int | float] = {
            "rows": frame.height,
            "path": str(warehouse.layout.forecasts / f"{name}.parquet"),
        }
        if name == "series_forecasts":  # the step's figures, once
            metadata |= summary.metadata() | {"seconds": round(time.perf_counter() - started, 1)}
        yield dg.MaterializeResult(asset_key=name, metadata=metadata)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=CptDbtTranslator(),
    select=AFTER_FORECAST,
    name="cpt_forecast_models",
)
def cpt_forecast_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Builds and tests the models that read cost_forecasts into the warehouse build: fct_forecast_daily,
    fct_forecast_accuracy, fct_month_end_projection, fct_budget_status, fct_gateway_team_limits,
    fct_cost_anomalies (and their staging views)."""
    yield from stream_dbt(dbt, DBT_BUILD_ARGS, context, warehouse.layout)
