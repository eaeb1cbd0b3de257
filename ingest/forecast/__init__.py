"""Forecasts of daily cost and tokens: odd histories (`history`), backtests and their scores (`accuracy`), the
models chosen per series (`engine`), and the files dbt reads (`store`)."""
