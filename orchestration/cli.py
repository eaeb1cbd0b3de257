"""`cpt`: the command line for people (the Dagster UI is the other way in).

    cpt generate   write the deterministic sample month into the source folder
    cpt run        materialize every asset through Dagster for a range of days
    cpt show       print CPT by model × team × pricing tier from the published warehouse
    cpt budgets    budgets against spend and the month-end projection
    cpt whatif     a deployment's month re-priced: on demand, spot, commitments, autoscaled
    cpt reports    a month's finance workbook and PDF, team statements and showback page
    cpt close      close a month: its rows and reports frozen, later changes become adjustments
    cpt demo       generate + run + show + reports: the whole product on a fresh machine

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
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from ingest.paths import DataLayout
from orchestration.housekeeping import ensure_dagster_home
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


def _check_month(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise typer.BadParameter(f"{value!r} is not a month: use YYYY-MM, e.g. 2026-10")
    return value


@app.command()
def generate(
    month: str = typer.Option(
        DEFAULT_MONTH, callback=_check_month, help="Calendar month to generate (the last one with --months), YYYY-MM."
    ),
    months: int = typer.Option(
        1, min=1, max=36, help="Months of history ending with --month: traffic grows, dips on holidays, changes."
    ),
    seed: int = typer.Option(7, help="Random seed: same seed and scale, same bytes."),
    scale: float = typer.Option(1.0, help="Request volume multiplier (1.0 ≈ 400k requests a month)."),
    out: Path | None = typer.Option(None, help="Folder to write into (default $CPT_SOURCE_DIR)."),
) -> None:
    """Write sample billing exports and token logs (and their truth.json): one month, or --months of history."""
    from ingest.sample.generator import SampleSpec, generate_history
    from ingest.sample.generator import generate as generate_sample

    _environment()
    target = out or Path(os.environ["CPT_SOURCE_DIR"])
    started = time.perf_counter()
    spec = SampleSpec(month=month, seed=seed, scale=scale)
    truth = generate_sample(target, spec) if months == 1 else generate_history(target, spec, months)
    span = month if months == 1 else f"{min(truth['months'])} … {month}"
    requests = sum(t["requests"] for t in truth["tokens"].values())
    console.print(
        f"[green]generated[/] {span} into {target}: invoice ${truth['billed_total_usd']:,.2f}, "
        f"in scope ${truth['in_scope_effective_usd']:,.2f}, {requests:,} requests "
        f"({time.perf_counter() - started:.1f} s)",
        soft_wrap=True,
    )


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
    lo, hi = _checked_range(month, start, end)
    policy = {
        "allocation_key": allocation_key.value if allocation_key else None,
        "idle_policy": idle_policy.value if idle_policy else None,
        "central_team": central_team,
        "shared_policy": shared_policy.value if shared_policy else None,
        "full_refresh": full_refresh or None,
    }
    _run_pipeline(lo, hi, {k: v for k, v in policy.items() if v is not None}, verbose)


def _checked_range(month: str | None, start: str | None, end: str | None) -> tuple[date, date]:
    try:  # the partitions are made from CPT_HISTORY_START when this module loads
        from orchestration.partitions import history_start, last_complete_day
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return run_range(month, start, end, history_start(), last_complete_day())


def _run_pipeline(lo: date, hi: date, policy: dict, verbose: bool) -> None:
    """`cpt run` after its options are checked (and `cpt demo`'s run): the jobs, then the summary."""
    from orchestration.runner import DefinitionsError, captured, execute, load_definitions

    layout = _environment()  # only now: a refused command writes nothing
    started = time.perf_counter()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_path = layout.logs / f"cpt-run-{stamp}-{os.getpid()}.log"
    out = Console(file=sys.stdout, width=console.width)  # the terminal, whatever the capture does with stdout
    with captured(log_path, verbose) as log:
        with out.status("loading the definitions (and preparing the dbt manifest if missing or stale)"):
            try:
                defs = load_definitions()
            except DefinitionsError as exc:
                out.print(f"[red]failed[/] {exc}", soft_wrap=True)
                out.print(f"full log: {log_path}" if log else "", style="dim", soft_wrap=True)
                raise typer.Exit(1) from None
        outcome = execute(defs, layout, lo, hi, policy, out, log, verbose)
    _summarize(outcome, layout, lo, hi, time.perf_counter() - started, None if verbose else log_path, out)
    if outcome.failed or not outcome.published:  # a step skipped for want of an upstream output publishes nothing
        raise typer.Exit(1)


def _summarize(outcome, layout: DataLayout, lo: date, hi: date, seconds: float, log_path: Path | None, out: Console):
    """The run's last lines: what was published or what failed, the warnings, and where the full log is."""
    # soft_wrap: paths and causes stay whole (the terminal wraps them), to be copied as they are
    say = functools.partial(out.print, soft_wrap=True)
    run = f"Dagster run {outcome.run_ids[-1][:8]}" if outcome.run_ids else "no Dagster run"
    from orchestration.run_progress import SOURCE_NAMES  # Dagster is loaded by now: the run has run

    stages = list(SOURCE_NAMES.values())  # sources in the order the run's stages list them, whatever ran first
    for source in sorted(outcome.absent, key=stages.index):
        say(f"[yellow]skipped[/] {source}: {outcome.absent[source]}")
    for warning in outcome.warnings[:10]:
        say(f"[yellow]warning[/] {warning}")
    if len(outcome.warnings) > 10:
        say(f"[yellow]warning[/] … and {len(outcome.warnings) - 10} more in the full log")
    for alert in outcome.alerts:
        say(f"[magenta]alert[/] {alert}")
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
            f"{outcome.models_built} models, {outcome.checks_passed} checks passed"
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
    from orchestration.show import CPT_COLUMNS, RECONCILIATION_COLUMNS, json_value, read_month, table

    layout = _environment()
    if not layout.warehouse.exists():
        console.print(f"[red]no published warehouse at {layout.warehouse}[/]: run `cpt run` first", soft_wrap=True)
        raise typer.Exit(1)
    view = read_month(layout.warehouse, month, team, model)
    if output is OutputFormat.csv:
        names = list(view.rows[0]) if view.rows else [column for _, column, _ in CPT_COLUMNS]
        writer = csv.DictWriter(sys.stdout, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(view.rows)
    elif output is OutputFormat.json:
        print(json.dumps(view.rows, indent=1, default=json_value))
    else:
        out = Console(width=200) if wide and not console.is_terminal else console
        out.print(table(f"Cost per token in {view.month} by model × team × pricing tier", CPT_COLUMNS, view.rows, wide))
        out.print(table("Reconciliation to the invoice, USD", RECONCILIATION_COLUMNS, view.reconciliation, wide))
        for m in view.conservation:
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
    if not view.holds:
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
    from ingest.azure.cost_details import AZURE_COST_DETAILS
    from ingest.focus_exports import versions
    from ingest.focus_exports.reader import FOCUS_EXPORT
    from ingest.gcp.billing_export import BILLING_EXPORT
    from ingest.oci.cost_reports import OCI_COST_REPORT

    header = (
        "# Provider → FOCUS 1.2 mappings\n\nGenerated from the rule files by `cpt mappings --out ingest/MAPPINGS.md`;"
        " a test keeps it equal to the rules.\nLegacy CUR is renamed to CUR 2.0 column names first"
        " (ingest/aws/legacy_cur.py) and then mapped by the CUR 2.0 rules. Any provider's FOCUS export is read,"
        " checked and typed in FOCUS 1.2's columns first (ingest/focus_exports/versions.py, the table after the"
        " rules) and then mapped by the focus_export rules.\n\n"
    )
    rules = (CUR2, AWS_FOCUS, BILLING_EXPORT, AZURE_COST_DETAILS, OCI_COST_REPORT, FOCUS_EXPORT)
    return header + "\n".join(fmt.rules.describe() for fmt in rules) + "\n" + versions.describe()


@app.command()
def budgets(
    month: str | None = typer.Option(
        None, callback=_check_month, help="The month, YYYY-MM; default: the open one (after the last day with data)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, or csv / json for scripts."),
    wide: bool = typer.Option(False, help="Every column (the 95 % interval, input tokens left)."),
) -> None:
    """Budgets against spend and the month-end projection (with its 95 % interval and the probability of going
    over), the tokens each budget still buys at the forecast CPT, and the gateway's tpm limit."""
    from orchestration.show import BUDGET_COLUMNS, json_value, read_budgets, table

    layout = _environment()
    if not layout.warehouse.exists():
        console.print(f"[red]no published warehouse at {layout.warehouse}[/]: run `cpt run` first", soft_wrap=True)
        raise typer.Exit(1)
    rows = read_budgets(layout.warehouse, month)
    if output is OutputFormat.csv:
        names = list(rows[0]) if rows else [column for _, column, _ in BUDGET_COLUMNS]
        writer = csv.DictWriter(sys.stdout, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    if output is OutputFormat.json:
        print(json.dumps(rows, indent=1, default=json_value))
        return
    if not rows:
        console.print("no budgets for that month (dbt_project/seeds/budgets.csv)", soft_wrap=True)
        return
    as_of, shown = rows[0]["as_of_date"], rows[0]["month"]
    out = Console(width=200) if wide and not console.is_terminal else console
    out.print(table(f"Budgets for {shown}, forecast as of {as_of}, USD", BUDGET_COLUMNS, rows, wide))
    out.print(
        f"charts: {layout.charts}  gateway limits: {layout.gateway / 'litellm_team_update.jsonl'}",
        style="dim",
        soft_wrap=True,
    )


@app.command()
def whatif(
    deployment: str = typer.Option(..., help="The deployment (as in `cpt show --wide` or dim_deployments)."),
    month: str | None = typer.Option(None, callback=_check_month, help="The month, YYYY-MM; default: its newest."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, or csv / json for scripts."),
    wide: bool = typer.Option(False, help="Every column (what each scenario assumes)."),
) -> None:
    """What the deployment's month would have cost bought or run another way — on demand, spot, a savings plan,
    reserved or committed use, autoscaled to its traffic, in another region, on another GPU type — priced from the
    bill's own rates and the AWS price list (fct_cost_scenarios), cheapest first, with the saving against what was
    charged."""
    from orchestration.show import WHATIF_COLUMNS, json_value, read_whatif, table

    layout = _environment()
    _published(layout)
    rows = read_whatif(layout.warehouse, deployment, month)
    if not rows:
        console.print(f"[red]no scenarios for {deployment}[/] {month or ''}: see dim_deployments", soft_wrap=True)
        raise typer.Exit(1)
    if output is OutputFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    if output is OutputFormat.json:
        print(json.dumps(rows, indent=1, default=json_value))
        return
    shown = month or "its newest month"
    out = Console(width=200) if wide and not console.is_terminal else console
    out.print(table(f"What-if for {deployment}, {shown}, USD", WHATIF_COLUMNS, rows, wide))


def _published(layout: DataLayout) -> None:
    if not layout.warehouse.exists():
        console.print(f"[red]no published warehouse at {layout.warehouse}[/]: run `cpt run` first", soft_wrap=True)
        raise typer.Exit(1)


def _shown(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _print_reports(reports, state: str) -> None:
    console.print(f"Reports for {reports.month:%Y-%m} ({state}): {reports.reconciliation_line()}", soft_wrap=True)
    if float(reports.adjustments_usd):
        console.print(f"  adjustments to closed months posted here: {float(reports.adjustments_usd):,.2f} USD")
    for path in (reports.workbook, reports.finance_pdf, reports.showback):
        console.print(f"  {_shown(path)}", soft_wrap=True)
    teams = reports.folder / "teams"
    statements = f"{_shown(teams)}/<team>/statement-{reports.month:%Y-%m}.pdf|csv ({len(reports.statements)} teams)"
    console.print(f"  {statements}", soft_wrap=True)


@app.command()
def reports(
    month: str | None = typer.Option(
        None, callback=_check_month, help="The month, YYYY-MM; default: the last month with a chargeback."
    ),
) -> None:
    """The month's finance workbook (XLSX), finance report (PDF with charts), a statement per team (PDF and CSV)
    and a one-page showback (HTML), from the published warehouse, under $CPT_DATA_DIR/reports/YYYY-MM/. A closed
    month's reports are the frozen ones: checked against the close's manifest, never written again."""
    from ingest.reports.build import write_reports
    from ingest.reports.closing import closed_record
    from ingest.reports.month import months_with_data
    from ingest.reports.store import month_folder, verify

    layout = _environment()
    _published(layout)
    available = months_with_data(layout.warehouse)
    wanted = date.fromisoformat(f"{month}-01") if month else (available[-1] if available else None)
    if wanted is not None and closed_record(layout.closed, wanted) is not None:
        folder = month_folder(layout.closed, wanted)
        problems = verify(folder)
        if problems:
            console.print(f"[red]closed month {wanted:%Y-%m} does not match its manifest[/]: {'; '.join(problems)}")
            raise typer.Exit(1)
        console.print(f"{wanted:%Y-%m} is closed; its reports, as issued: {_shown(folder / 'reports')}", soft_wrap=True)
        return
    if wanted is None or wanted not in available:
        console.print(f"[red]no chargeback for {month or 'any month'}[/] in {layout.warehouse}", soft_wrap=True)
        raise typer.Exit(1)
    _print_reports(write_reports(layout.warehouse, wanted, layout.reports / f"{wanted:%Y-%m}"), "open")


@app.command()
def close(month: str = typer.Option(..., callback=_check_month, help="The month to close, YYYY-MM.")) -> None:
    """Close a month: its chargeback, reconciliation and adjustment rows and its reports are frozen under
    $CPT_DATA_DIR/closed/month=YYYY-MM/ with a checksum manifest, and no later run changes them; a later restatement
    becomes adjustments in the next open month. Refused, changing nothing, when the month has no data, its bill is
    not final (AWS: every line invoiced; other providers: 5 days after the month ended) or it is already closed."""
    from ingest.reports.closing import CloseRefused, close_month

    layout = _environment()
    _published(layout)
    try:
        closed = close_month(layout, date.fromisoformat(f"{month}-01"), datetime.now(UTC))
    except CloseRefused as refused:
        console.print(f"[red]not closed[/]: {refused}", soft_wrap=True)
        raise typer.Exit(1) from None
    rows = ", ".join(f"{table} {count:,}" for table, count in closed.rows.items())
    console.print(f"closed {month} at {closed.closed_at:%Y-%m-%d %H:%M} UTC ({rows} rows frozen)", soft_wrap=True)
    _print_reports(closed.reports, "closed")
    console.print(f"  manifest: {_shown(closed.folder / 'MANIFEST.json')}", soft_wrap=True)


@app.command()
def demo(
    month: str = typer.Option(DEFAULT_MONTH, help="The sample history's last month, YYYY-MM."),
    months: int = typer.Option(3, min=1, max=36, help="Months of history (three give the forecasts 30-day backtests)."),
    scale: float = typer.Option(1.0, help="Request volume multiplier."),
) -> None:
    """Generate the sample history, run the whole pipeline through Dagster, and print the last month's CPT table,
    the budgets of the month after, and where the last month's reports are."""
    generate(month=month, months=months, seed=7, scale=scale, out=None)
    year, number = map(int, month.split("-"))
    first = year * 12 + number - 1 - (months - 1)  # months counted from year 0
    first_month = f"{first // 12:04d}-{first % 12 + 1:02d}"
    (lo, _), (_, hi) = _checked_range(first_month, None, None), _checked_range(month, None, None)
    _run_pipeline(lo, hi, policy={}, verbose=False)
    show(month=month, team=None, model=None, output=OutputFormat.table, wide=False)
    budgets(month=None, output=OutputFormat.table, wide=False)
    reports(month=month)


if __name__ == "__main__":
    app()
