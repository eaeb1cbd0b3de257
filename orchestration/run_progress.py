"""What `cpt run` shows while Dagster works: a line per stage with its figures, then a summary.

Dagster hands every event of a run to the loggers the run config turns on; ``run_events_logger`` passes them to
the Python logger ``cpt.run.events``, where ``RunProgress`` listens (in the same process: `cpt run` executes its
jobs in process). The UI's runs never turn this logger on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import dagster as dg
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

EVENTS_LOGGER = "cpt.run.events"


@dg.logger(
    config_schema=None, description="Passes a run's events to the Python logger cpt.run.events (the `cpt run` display)."
)
def run_events_logger(_init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(EVENTS_LOGGER)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


# The stages a run goes through, by the assets that make them.
BILLING = (
    "aws_billing_line_items",
    "gcp_billing_line_items",
    "azure_billing_line_items",
    "oci_billing_line_items",
    "focus_billing_line_items",
    "aws_list_prices",
    "gcp_list_prices",
)
TOKENS = ("inference_requests", "inference_token_counter_samples")
PUBLISH = "published_warehouse"
EXPORTS = "warehouse_exports"
SOURCE_NAMES = {
    "aws_billing_line_items": "AWS billing",
    "gcp_billing_line_items": "GCP billing",
    "azure_billing_line_items": "Azure billing",
    "oci_billing_line_items": "OCI billing",
    "focus_billing_line_items": "FOCUS exports",
    "aws_list_prices": "AWS list prices",
    "gcp_list_prices": "GCP list prices",
    "inference_requests": "token logs",
    "inference_token_counter_samples": "server counters",
}


@dataclass
class RunOutcome:
    """What a `cpt run` did, gathered from its events: the figures of the summary and what went wrong."""

    deliveries: int = 0
    billing_rows: int = 0
    files: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    models_built: int = 0
    checks_passed: int = 0
    published: str | None = None
    absent: dict[str, str] = field(default_factory=dict)  # source → why it was skipped
    failures: list[str] = field(default_factory=list)  # "<step>: <cause>"
    failed_checks: list[str] = field(default_factory=list)  # ERROR-severity checks that failed
    warnings: list[str] = field(default_factory=list)  # WARN checks that failed, and warnings logged
    alerts: list[str] = field(default_factory=list)  # budget and anomaly checks that failed: news, not failures
    run_ids: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.failures or self.failed_checks)


def _value(metadata: dict, name: str, default=0):
    entry = metadata.get(name)
    return default if entry is None else getattr(entry, "value", entry)


def error_cause(error) -> str:
    """What went wrong in a step, in at most two lines (the rest is in the full log): the error the asset raised,
    not Dagster's "Error occurred while executing op …" around it."""
    while error.cause is not None and (
        error.cls_name == "DagsterExecutionStepExecutionError" or error.message.startswith("Error occurred while")
    ):
        error = error.cause
    lines = [line.strip() for line in (error.message or "").strip().splitlines() if line.strip()]
    text = re.sub(r"^[\w.]+\.(\w+): ", r"\1: ", " ".join(lines[:2]))  # the class without its module
    return text if len(text) <= 300 else text[:299] + "…"


class StageColumn(ProgressColumn):
    """✓ for a stage done, ✗ for one that stopped short, a spinner while it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.spinner = SpinnerColumn()

    def render(self, task: Task) -> RenderableType:
        if task.fields.get("stopped"):
            return Text("✗", style="red")
        return Text("✓", style="green") if task.finished else self.spinner.render(task)


class RunProgress(logging.Handler):
    """A rich progress display fed by a run's Dagster events; also writes every record to the full log."""

    def __init__(self, console: Console, warehouse_assets: int, log_file=None) -> None:
        super().__init__(level=logging.DEBUG)
        self.outcome = RunOutcome()
        self.seen: set[tuple[str | None, str]] = set()
        self.log_file = log_file
        self.progress = Progress(
            StageColumn(),
            TextColumn("{task.description:<11}"),
            BarColumn(bar_width=12),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.tasks = {
            "billing": self.progress.add_task("billing", total=len(BILLING), detail=""),
            "tokens": self.progress.add_task("token logs", total=len(TOKENS), detail=""),
            "models": self.progress.add_task("models", total=warehouse_assets, detail=""),
            "checks": self.progress.add_task("checks", total=None, detail=""),
            "publish": self.progress.add_task("publish", total=1, detail=""),
        }

    def __enter__(self) -> RunProgress:
        self.progress.start()
        logging.getLogger(EVENTS_LOGGER).addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger(EVENTS_LOGGER).removeHandler(self)
        checks = self.tasks["checks"]
        if self.progress.tasks[checks].completed and not self.outcome.failed_checks:
            self.progress.update(checks, total=self.progress.tasks[checks].completed)
        for task in self.progress.tasks:
            if not task.finished:  # a stage that never started is left out; one cut short is marked
                self.progress.update(task.id, stopped=True, visible=task.completed > 0)
        self.progress.stop()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._record(record)
        except Exception:  # the display must never fail the run; logging prints the error to the full log
            self.handleError(record)

    def _record(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        if self.log_file is not None:
            self.log_file.write(f"{logging.getLevelName(record.levelno)} {record.getMessage()}\n")
        event = meta.get("dagster_event")
        if event is None:
            if record.levelno >= logging.WARNING and record.levelno < logging.ERROR:
                self.outcome.warnings.append(str(meta.get("orig_message") or record.getMessage()))
            return
        if meta.get("run_id") and meta["run_id"] not in self.outcome.run_ids:
            self.outcome.run_ids.append(meta["run_id"])
        if event.is_step_materialization:
            # A run of many partitions materializes an asset once per partition, with the same figures.
            asset = event.event_specific_data.materialization.asset_key.to_user_string()
            if (meta.get("run_id"), asset) not in self.seen:
                self.seen.add((meta.get("run_id"), asset))
                self._materialized(event)
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            self._checked(event.event_specific_data)
        elif event.is_step_failure:
            cause = error_cause(event.event_specific_data.error)
            self.outcome.failures.append(f"{event.step_key}: {cause}")

    def _materialized(self, event) -> None:
        materialization = event.event_specific_data.materialization
        asset = materialization.asset_key.to_user_string()
        metadata = dict(materialization.metadata)
        outcome = self.outcome
        if asset in SOURCE_NAMES and _value(metadata, "source_absent", ""):
            outcome.absent[SOURCE_NAMES[asset]] = _value(metadata, "source_absent", "")
        if asset in BILLING:
            outcome.deliveries += _value(metadata, "deliveries") - _value(metadata, "refused")
            outcome.billing_rows += _value(metadata, "rows")
            deliveries = "1 delivery" if outcome.deliveries == 1 else f"{outcome.deliveries} deliveries"
            detail = f"{deliveries}, {outcome.billing_rows:,} rows"
            self.progress.update(self.tasks["billing"], advance=1, detail=detail)
        elif asset in TOKENS:
            outcome.files += _value(metadata, "files")
            outcome.rows_loaded += _value(metadata, "rows_loaded")
            outcome.rows_quarantined += _value(metadata, "rows_quarantined")
            detail = f"{outcome.files:,} files, {outcome.rows_loaded:,} rows, {outcome.rows_quarantined:,} quarantined"
            self.progress.update(self.tasks["tokens"], advance=1, detail=detail)
        elif asset == PUBLISH:
            outcome.published = str(_value(metadata, "path", ""))
            self.progress.update(self.tasks["publish"], advance=1, detail="warehouse replaced")
        elif asset == EXPORTS:
            self.progress.update(self.tasks["publish"], detail="warehouse replaced, exported")
        else:
            outcome.models_built += 1
            self.progress.update(self.tasks["models"], advance=1)

    def _checked(self, evaluation) -> None:
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        description = evaluation.description or ""
        if evaluation.passed:
            self.outcome.checks_passed += 1
        elif _value(evaluation.metadata, "budget_alert", False):
            self.outcome.alerts.append(f"{evaluation.check_name}: {description}")
        elif evaluation.severity == dg.AssetCheckSeverity.WARN:
            self.outcome.warnings.append(f"check {name} failed: {description}".strip())
        else:
            self.outcome.failed_checks.append(f"{name}: {description}".strip(": "))
        failed = len(self.outcome.failed_checks)
        detail = f"{self.outcome.checks_passed:,} passed" + (f", [red]{failed} failed[/]" if failed else "")
        self.progress.update(self.tasks["checks"], advance=1, detail=detail)
