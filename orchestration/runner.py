"""One `cpt run`: the definitions loaded, the three jobs executed in one Dagster instance, the outcome gathered.

The command line (cli.py) parses the options and prints; this module does the work between.
"""

from __future__ import annotations

import os
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path
from typing import TextIO

import dagster as dg
from rich.console import Console

from ingest.paths import DataLayout
from orchestration.housekeeping import prepare_run, process_tags
from orchestration.run_progress import EXPORTS, PUBLISH, RunProgress


class DefinitionsError(RuntimeError):
    """The Dagster definitions did not load: the dbt project or a definition has an error (one line; the
    traceback is in the run's log)."""


def load_definitions() -> dg.Definitions:
    """The definitions (preparing the dbt manifest if it is missing or stale); a failure is one line."""
    from orchestration.dbt_manifest import ManifestPreparationError

    try:
        from orchestration.definitions import defs
    except ManifestPreparationError as exc:
        raise DefinitionsError(str(exc)) from None
    except Exception as exc:
        traceback.print_exc()  # into the run's log
        first = (str(exc).strip().splitlines() or [""])[0]
        raise DefinitionsError(f"loading the Dagster definitions: {type(exc).__name__}: {first}") from None
    return defs


@contextmanager
def captured(log_path: Path, verbose: bool) -> Iterator[TextIO | None]:
    """Everything Dagster, dbt and Python warnings print goes to the run's log file, unless --verbose."""
    if verbose:
        yield None
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log, redirect_stdout(log), redirect_stderr(log), warnings.catch_warnings():
        warnings.simplefilter("default")
        yield log


def execute(defs, layout: DataLayout, lo: date, hi: date, policy: dict, out: Console, log, verbose: bool):
    """The three jobs of a run, in one Dagster instance: list prices, AWS billing by month, the rest by day."""
    from orchestration.defs.warehouse.selections import WAREHOUSE

    loggers = {"cpt_events": {}, "console": {"config": {"log_level": "INFO" if verbose else "WARNING"}}}
    if not verbose:
        del loggers["console"]  # the full log gets every record from the events logger instead
    config = {"loggers": loggers}
    process = process_tags(os.getpid())  # so that a later run can tell these runs were abandoned if killed
    # the "models" stage: every warehouse asset (dbt models and seeds, the forecast step, charts, limits, alerts)
    # but the publish and export steps, which have a stage of their own
    warehouse = WAREHOUSE.resolve(defs.resolve_asset_graph())
    display = RunProgress(out, len({key.to_user_string() for key in warehouse} - {PUBLISH, EXPORTS}), log)
    with dg.DagsterInstance.get() as instance, display:
        removed, abandoned = prepare_run(instance, layout.data_dir)
        if removed or abandoned:
            out.print(
                f"cleaned up after an interrupted run: {len(removed)} temporary files, "
                f"{len(abandoned)} runs marked failed"
            )
        for prices in ("aws_price_list_refresh", "gcp_catalog_refresh"):
            refresh = defs.resolve_job_def(prices).execute_in_process(
                instance=instance, raise_on_error=False, run_config=config, tags=process
            )
            if not refresh.success:
                return display.outcome
        aws = defs.resolve_job_def("aws_billing_refresh").execute_in_process(
            instance=instance,
            asset_selection=[dg.AssetKey("aws_billing_line_items")],
            tags={
                **process,
                "dagster/asset_partition_range_start": f"{lo:%Y-%m}-01",
                "dagster/asset_partition_range_end": f"{hi:%Y-%m}-01",
            },
            raise_on_error=False,
            run_config=config,
        )
        if not aws.success:
            return display.outcome
        # A refused delivery fails its check but not its run: the warehouse is rebuilt on the last good state.
        daily_config = {**config, "ops": {"cpt_dbt_models": {"config": policy}}} if policy else config
        defs.resolve_job_def("daily_refresh").execute_in_process(
            instance=instance,
            tags={
                **process,
                "dagster/asset_partition_range_start": lo.isoformat(),
                "dagster/asset_partition_range_end": hi.isoformat(),
            },
            raise_on_error=False,
            run_config=daily_config,
        )
    return display.outcome
