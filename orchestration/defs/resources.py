"""The resources and loggers every definition shares. A resource reaches an asset, sensor or check through a
parameter of its name (``aws_billing: DeliverySourceResource``); each is bound from the environment when the
definitions load (orchestration/resources.py), never at import time."""

import dagster as dg

from orchestration.resources import build_resources
from orchestration.run_progress import run_events_logger


@dg.definitions
def resources() -> dg.Definitions:
    # console: Dagster's default; cpt_events: turned on by `cpt run` for its progress display.
    return dg.Definitions(
        resources=build_resources(),
        loggers={"console": dg.colored_console_logger, "cpt_events": run_events_logger},
    )
