"""`cpt`: the command line for people (the Dagster UI is the other way in).

    cpt generate   write the deterministic sample month into the source folder
    cpt run        materialize every asset through Dagster for a range of days
    cpt show       print CPT by model × team × pricing tier from the published warehouse
    cpt demo       generate + run + show: the whole product on a fresh machine

Paths come from CPT_DATA_DIR (default ./data), CPT_SOURCE_DIR, the delivery locations and DAGSTER_HOME: every
setting and its default is in orchestration/settings.py, and the commands fill the defaults in before loading
Dagster.
"""

from __future__ import annotations

import calendar
import csv
import functools
import json
import os
import re
import sys
import time
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TextIO

import duckdb
import typer
from rich import box
from rich.console import Console
from rich.table import Table

from ingest.paths import DataLayout
from ingest.reconcile import conservation_by_month
from orchestration.housekeeping import ensure_dagster_home, prepare_run, process_tags
from orchestration.policies import AllocationKey, IdlePolicy, SharedPolicy
from orchestration.settings import apply_defaults

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Cost-Per-Token warehouse.")
# Piped output (CI logs, `make demo | tee`) is 100 columns wide, like the narrowest terminal we fit.
console = Console(width=None if Console().is_terminal else 100)

DEFAULT_MONTH = "2026-10"


def _environment() -> DataLayout:
    """Fill the settings' defaults in (orchestration/settings.py) so that Dagster's EnvVar resources and dbt find
    them, and prepare DAGSTER_HOME."""
    apply_defaults()
    ensure_dagster_home(Path(os.environ["DAGSTER_HOME"]))
    return DataLayout(Path(os.environ["CPT_DATA_DIR"]))


def _month_range(month: str) -> tuple[str, str]:
    year, mon = map(int, month.split("-"))
    last = calendar.monthrange(year, mon)[1]
    return date(year, mon, 1).isoformat(), date(year, mon, last).isoformat()


@app.command()
def generate(
    month: str = typer.Option(DEFAULT_MONTH, help="Calendar month to generate, YYYY-MM."),
    seed: int = typer.Option(7, help="Random seed: same seed and scale, same bytes."),
    scale: float = typer.Option(1.0, help="Request volume multiplier (1.0 ≈ 400k requests)."),
    out: Path | None = typer.Option(None, help="Folder to write into (default $CPT_SOURCE_DIR)."),
) -> None:
    """Write one month of sample billing exports and gateway logs (and their truth.json)."""
    from ingest.sample.generator import SampleSpec
    from ingest.sample.generator import generate as generate_sample

    _environment()
    target = out or Path(os.environ["CPT_SOURCE_DIR"])
    started = time.perf_counter()
    truth = generate_sample(target, SampleSpec(month=month, seed=seed, scale=scale))
    requests = sum(t["requests"] for t in truth["tokens"].values())
    console.print(
        f"[green]generated[/] {month} into {target}: invoice ${truth['billed_total_usd']:,.2f}, "
        f"in scope ${truth['in_scope_effective_usd']:,.2f}, {requests:,} requests "
        f"({time.perf_counter() - started:.1f} s)",
        soft_wrap=True,
    )


def _check_month(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise typer.BadParameter(f"{value!r} is not a month: use YYYY-MM, e.g. 2026-10")
    return value


def _check_day(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else _bad_day(value)
    except ValueError:
        return _bad_day(value)


def _bad_day(value: str) -> str:
    raise typer.BadParameter(f"{value!r} is not a day: use YYYY-MM-DD, e.g. 2026-10-01")


def run_range(month: str | None, start: str | None, end: str | None, first: date, last: date) -> tuple[date, date]:
    """The days a run covers, checked against the history kept (``first``) and the last complete day (``last``).

    ``--month``: that month (up to ``last`` when it is the current one). ``--start``/``--end``: those days
    (``--end`` defaults to ``last``, ``--start`` to the first of ``--end``'s month). Neither: this month to date,
    or last month on the 1st. A range that cannot run is refused here, before anything is written."""
    if month and (start or end):
        raise typer.BadParameter("give either --month or --start/--end, not both", param_hint="--month")
    if month:
        year, mon = map(int, month.split("-"))
        lo, hi = date(year, mon, 1), min(date(year, mon, calendar.monthrange(year, mon)[1]), last)
        if lo > last:
            raise typer.BadParameter(f"{month} has no complete day yet (the last is {last})", param_hint="--month")
    elif start or end:
        hi = date.fromisoformat(end) if end else last
        lo = date.fromisoformat(start) if start else hi.replace(day=1)
    else:
        hi, lo = last, last.replace(day=1)
    if lo > hi:
        raise typer.BadParameter(f"--start {lo} is after --end {hi}", param_hint="--start")
    if lo < first:
        raise typer.BadParameter(
            f"{lo} is before the history kept, which starts {first}: set CPT_HISTORY_START "
            f"(YYYY-MM) to an earlier month",
            param_hint="--start" if start else "--month",
        )
    if hi > last:
        raise typer.BadParameter(f"{hi} is not over yet: the last complete day is {last} (UTC)", param_hint="--end")
    return lo, hi


@contextmanager
def _captured(log_path: Path, verbose: bool) -> Iterator[TextIO | None]:
    """Everything Dagster, dbt and Python warnings print goes to the run's log file, unless --verbose."""
    if verbose:
        yield None
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log, redirect_stdout(log), redirect_stderr(log), warnings.catch_warnings():
        warnings.simplefilter("default")
        yield log


@app.command()
def run(
    month: str | None = typer.Option(
        None, callback=_check_month, help="Month to run, YYYY-MM. Default: this month to yesterday (UTC)."
    ),
    start: str | None = typer.Option(None, callback=_check_day, help="First day, YYYY-MM-DD (instead of --month)."),
    end: str | None = typer.Option(None, callback=_check_day, help="Last day, inclusive; default: yesterday."),
    allocation_key: AllocationKey | None = typer.Option(None, help="How pool cost is split (ALLOCATION.md)."),
    idle_policy: IdlePolicy | None = typer.Option(None, help="Who pays idle capacity."),
    central_team: str | None = typer.Option(None, help="Team that pays idle capacity under --idle-policy central."),
    shared_policy: SharedPolicy | None = typer.Option(None, help="How shared cost is spread."),
    full_refresh: bool = typer.Option(False, help="Rebuild the incremental dbt models from scratch."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every Dagster and dbt log line."),
) -> None:
    """Materialize every asset (ingest, dbt build and tests, checks, publish) through Dagster, for a range of days.

    Exit code 0: published (warnings listed). 1: failed — a step failed (nothing new was published: the warehouse
    keeps its last good state) or a delivery was refused (published without it). 2: bad usage (options or
    settings); nothing was run. Allocation policies left unset keep dbt_project.yml's defaults."""
    try:  # the partitions are made from CPT_HISTORY_START when this module loads
        from orchestration.partitions import history_start, last_complete_day
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    lo, hi = run_range(month, start, end, history_start(), last_complete_day())
    layout = _environment()  # only now: a refused command writes nothing
    policy = {
        "allocation_key": allocation_key.value if allocation_key else None,
        "idle_policy": idle_policy.value if idle_policy else None,
        "central_team": central_team,
        "shared_policy": shared_policy.value if shared_policy else None,
        "full_refresh": full_refresh or None,
    }
    started = time.perf_counter()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = layout.logs / f"cpt-run-{stamp}-{os.getpid()}.log"
    out = Console(file=sys.stdout, width=console.width)  # the terminal, whatever the capture does with stdout
    from orchestration.dbt_manifest import ManifestPreparationError

    with _captured(log_path, verbose) as log:
        with out.status("loading the definitions (and preparing the dbt manifest if missing or stale)"):
            try:
                from orchestration.definitions import defs
            except ManifestPreparationError as exc:
                out.print(f"[red]failed[/]: {exc}", soft_wrap=True)
                raise typer.Exit(1) from None
            except Exception as exc:  # a definitions error: one line here, the traceback in the log file
                traceback.print_exc()
                first = (str(exc).strip().splitlines() or [""])[0]
                out.print(
                    f"[red]failed[/] loading the Dagster definitions: {type(exc).__name__}: {first}", soft_wrap=True
                )
                out.print(f"full log: {log_path}" if log else "", style="dim", soft_wrap=True)
                raise typer.Exit(1) from None
        outcome = _execute(defs, layout, lo, hi, {k: v for k, v in policy.items() if v is not None}, out, log, verbose)
    _summarize(outcome, layout, lo, hi, time.perf_counter() - started, None if verbose else log_path, out)
    if outcome.failed:
        raise typer.Exit(1)


def _execute(defs, layout: DataLayout, lo: date, hi: date, policy: dict, out: Console, log, verbose: bool):
    """The three jobs of a run, in one Dagster instance: list prices, AWS billing by month, the rest by day."""
    import dagster as dg

    from orchestration.defs.warehouse.assets import cpt_dbt_models
    from orchestration.run_progress import RunProgress

    loggers = {"cpt_events": {}, "console": {"config": {"log_level": "INFO" if verbose else "WARNING"}}}
    if not verbose:
        del loggers["console"]  # the full log gets every record from the events logger instead
    config = {"loggers": loggers}
    process = process_tags(os.getpid())  # so that a later run can tell these runs were abandoned if killed
    display = RunProgress(out, len(cpt_dbt_models.keys), log)
    with dg.DagsterInstance.get() as instance, display:
        removed, abandoned = prepare_run(instance, layout.data_dir)
        if removed or abandoned:
            out.print(
                f"cleaned up after an interrupted run: {len(removed)} temporary files, "
                f"{len(abandoned)} runs marked failed"
            )
        catalog = defs.resolve_job_def("gcp_catalog_refresh").execute_in_process(
            instance=instance, raise_on_error=False, run_config=config, tags=process
        )
        if not catalog.success:
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


def _summarize(outcome, layout: DataLayout, lo: date, hi: date, seconds: float, log_path: Path | None, out: Console):
    """The run's last lines: what was published or what failed, the warnings, and where the full log is."""
    # soft_wrap: paths and causes stay whole (the terminal wraps them), to be copied as they are
    say = functools.partial(out.print, soft_wrap=True)
    run = f"Dagster run {outcome.run_ids[-1][:8]}" if outcome.run_ids else "no Dagster run"
    for source, why in outcome.absent.items():
        say(f"[yellow]skipped[/] {source}: {why}")
    for warning in outcome.warnings[:10]:
        say(f"[yellow]warning[/] {warning}")
    if len(outcome.warnings) > 10:
        say(f"[yellow]warning[/] … and {len(outcome.warnings) - 10} more in the full log")
    for failure in outcome.failures:
        say(f"[red]failed[/] {failure}")
    for check in outcome.failed_checks:
        say(f"[red]failed check[/] {check}")
    if outcome.published:
        verdict = "[red]published without what was refused[/]" if outcome.failed else "[green]published[/]"
        say(
            f"{verdict} {outcome.published} for {lo} … {hi} in {seconds:.1f} s: {outcome.deliveries} billing "
            f"deliver{'y' if outcome.deliveries == 1 else 'ies'}, {outcome.rows_loaded:,} token log rows loaded, "
            f"{outcome.rows_quarantined:,} quarantined, "
            f"{outcome.models_built} dbt models, {outcome.checks_passed} checks passed"
        )
    else:
        kept = (
            f"the warehouse {layout.warehouse} keeps its last good state"
            if layout.warehouse.exists()
            else f"no warehouse has been published yet ({layout.warehouse})"
        )
        say(f"[red]nothing was published[/] for {lo} … {hi} ({seconds:.1f} s): {kept}")
    where = f"full log: {log_path}; " if log_path else ""
    say(f"{where}{run} (`make ui` shows it)", style="dim")


# fct_cpt_monthly holds the month's sums and ratios (computed in dbt): the CLI selects, it does not recompute.
_CPT_MONTHLY = """
select
    strftime(month, '%Y-%m') as month, model, team, pricing_tier, requests, input_tokens, cached_input_tokens,
    output_tokens, allocated_cost, idle_cost, shared_cost, unallocated_cost, total_cost, priced_cost,
    cpt_micro_usd_per_output_token, input_usd_per_1m_input_tokens, output_usd_per_1m_output_tokens
from analytics.fct_cpt_monthly
where strftime(month, '%Y-%m') = $month
    and ($team is null or team = $team)
    and ($model is null or model = $model)
order by model, team, pricing_tier
"""

_RECONCILIATION = """
select strftime(month, '%Y-%m') as month, provider, invoice_billed_cost, in_scope_billed_cost,
       out_of_scope_billed_cost, tax_billed_cost, amortization_difference, in_scope_usage_cost, allocated_cost,
       idle_cost, shared_cost, unallocated_cost, allocation_difference
from analytics.fct_reconciliation_monthly
where $month is null or strftime(month, '%Y-%m') = $month
order by 1, 2
"""

# (header, column, narrow): the narrow tables fit a 100-column terminal; --wide shows every column.
_CPT_COLUMNS = (
    ("model", "model", True),
    ("team", "team", True),
    ("tier", "pricing_tier", True),
    ("requests", "requests", True),
    ("output tok", "output_tokens", True),
    ("cost $", "total_cost", True),
    ("idle $", "idle_cost", False),
    ("shared $", "shared_cost", False),
    ("µ$/out tok", "cpt_micro_usd_per_output_token", True),
    ("$/1M in", "input_usd_per_1m_input_tokens", False),
    ("$/1M out", "output_usd_per_1m_output_tokens", False),
)
_RECONCILIATION_COLUMNS = (
    ("month", "month", True),
    ("provider", "provider", True),
    ("invoice", "invoice_billed_cost", True),
    ("in scope (billed)", "in_scope_billed_cost", False),
    ("out of scope", "out_of_scope_billed_cost", False),
    ("tax", "tax_billed_cost", False),
    ("amortization", "amortization_difference", False),
    ("in scope", "in_scope_usage_cost", True),
    ("allocated", "allocated_cost", True),
    ("idle", "idle_cost", True),
    ("shared", "shared_cost", True),
    ("unallocated", "unallocated_cost", True),
    ("difference", "allocation_difference", True),
)
_TEXT = {"model", "team", "pricing_tier", "month", "provider"}


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column in _TEXT:
        return str(value)
    if column in ("requests", "output_tokens", "input_tokens"):
        return f"{value:,.0f}"
    if column == "allocation_difference":
        return f"{float(value):.1e}"
    return f"{value:,.2f}"


def _json_value(value):
    """DECIMAL money as a JSON number; dates as ISO text."""
    return float(value) if isinstance(value, Decimal) else str(value)


def _table(title: str, columns: tuple, rows: list[dict], wide: bool) -> Table:
    shown = [c for c in columns if wide or c[2]]
    cells = [[_cell(column, row[column]) for _, column, _ in shown] for row in rows]
    table = Table(
        title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, title_justify="left"
    )
    for i, (header, column, _) in enumerate(shown):
        if column in _TEXT:  # names wrap when the terminal is narrow; figures never lose a digit
            table.add_column(header, overflow="fold")
        else:
            width = max([len(r[i]) for r in cells] + [len(w) for w in header.split()])
            table.add_column(header, justify="right", no_wrap=True, min_width=width)
    for row in cells:
        table.add_row(*row)
    return table


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def show(
    month: str | None = typer.Option(
        None, callback=_check_month, help="The month, YYYY-MM; default: the newest month in the warehouse."
    ),
    team: str | None = typer.Option(None, help="Only this team."),
    model: str | None = typer.Option(None, help="Only this model."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, or csv / json for scripts."),
    wide: bool = typer.Option(False, help="Every column (idle, shared, $ per 1M input/output tokens, …)."),
) -> None:
    """One month of the published warehouse: CPT by model × team × pricing tier, the reconciliation to the invoice
    and the conservation proof. csv and json print the CPT rows with every column."""
    layout = _environment()
    if not layout.warehouse.exists():
        console.print(f"[red]no published warehouse at {layout.warehouse}[/]: run `cpt run` first", soft_wrap=True)
        raise typer.Exit(1)
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        if month is None:
            [(month,)] = con.execute("select strftime(max(month), '%Y-%m') from analytics.fct_cpt_monthly").fetchall()
        cursor = con.execute(_CPT_MONTHLY, {"month": month, "team": team, "model": model})
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        cursor = con.execute(_RECONCILIATION, {"month": month})
        names = [d[0] for d in cursor.description]
        reconciliation = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        months = [m for m in conservation_by_month(con) if m.month == month]
    holds = all(m.holds for m in months)
    if output is OutputFormat.csv:
        names = list(rows[0]) if rows else [column for _, column, _ in _CPT_COLUMNS]
        writer = csv.DictWriter(sys.stdout, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif output is OutputFormat.json:
        print(json.dumps(rows, indent=1, default=_json_value))
    else:
        out = Console(width=200) if wide and not console.is_terminal else console
        out.print(_table(f"Cost per token in {month} by model × team × pricing tier", _CPT_COLUMNS, rows, wide))
        out.print(_table("Reconciliation to the invoice, USD", _RECONCILIATION_COLUMNS, reconciliation, wide))
        for m in months:
            status = "[green]holds[/]" if m.holds else "[red]VIOLATED[/]"
            out.print(
                f"conservation {m.month}: allocated {m.allocated:,.2f} + idle {m.idle:,.2f} + shared "
                f"{m.shared:,.2f} + unallocated {m.unallocated:,.2f} = {m.charged:,.2f}; in-scope cost "
                f"{m.in_scope_cost:,.2f} (difference {m.difference:.2e}) {status}",
                soft_wrap=True,
            )
        out.print(
            f"warehouse: {layout.warehouse}  (schema analytics: fct_*, dim_*, ops_*, focus_billing)",
            style="dim",
            soft_wrap=True,
        )
    if not holds:
        Console(stderr=True).print("[red]conservation VIOLATED[/]: allocated + idle + shared + unallocated ≠ cost")
        raise typer.Exit(1)


@app.command()
def export(
    out: Path = typer.Option(..., help="Folder to write the files and manifest.json into (created)."),
    month: str | None = typer.Option(
        None, callback=_check_month, help="Only this month's rows, YYYY-MM (tables with a date); default: all."
    ),
) -> None:
    """Every table of the published warehouse's analytics schema as Parquet and CSV, with manifest.json (rows,
    columns and types, each file's SHA-256). The same warehouse exports to the same bytes."""
    layout = _environment()
    if not layout.warehouse.exists():
        console.print(f"[red]no published warehouse at {layout.warehouse}[/]: run `cpt run` first", soft_wrap=True)
        raise typer.Exit(1)
    from ingest.export import MANIFEST, export_warehouse

    tables = export_warehouse(layout.warehouse, out.resolve(), month)["tables"]
    rows = sum(t["rows"] for t in tables.values())
    console.print(f"exported {len(tables)} tables ({rows:,} rows) to {out.resolve()}; see {MANIFEST}", soft_wrap=True)


@app.command()
def mappings(out: Path | None = typer.Option(None, help="Write the Markdown here instead of printing it.")) -> None:
    """The provider → FOCUS mapping of every billing format, generated from the rule files."""
    text = mapping_docs()
    if out:
        out.write_text(text)
        console.print(f"wrote {out}")
    else:
        print(text)


def mapping_docs() -> str:
    from ingest.aws.cur2 import CUR2
    from ingest.aws.focus_export import AWS_FOCUS
    from ingest.gcp.billing_export import BILLING_EXPORT

    header = (
        "# Provider → FOCUS 1.2 mappings\n\nGenerated from the rule files by `cpt mappings --out ingest/MAPPINGS.md`;"
        " a test keeps it equal to the rules.\nLegacy CUR is renamed to CUR 2.0 column names first"
        " (ingest/aws/legacy_cur.py) and then mapped by the CUR 2.0 rules.\n\n"
    )
    return header + "\n".join(fmt.rules.describe() for fmt in (CUR2, AWS_FOCUS, BILLING_EXPORT))


@app.command()
def demo(
    month: str = typer.Option(DEFAULT_MONTH, help="Sample month, YYYY-MM."),
    scale: float = typer.Option(1.0, help="Request volume multiplier."),
) -> None:
    """Generate the sample month, run the whole pipeline through Dagster, and print the CPT table."""
    generate(month=month, seed=7, scale=scale, out=None)
    run(
        month=month,
        start=None,
        end=None,
        allocation_key=None,
        idle_policy=None,
        central_team=None,
        shared_policy=None,
        full_refresh=False,
        verbose=False,
    )
    show(month=month, team=None, model=None, output=OutputFormat.table, wide=False)


if __name__ == "__main__":
    app()
