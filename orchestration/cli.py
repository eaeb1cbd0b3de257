"""`cpt`: the command line for people (the Dagster UI is the other way in).

    cpt generate   write the deterministic sample month into the source folder
    cpt run        materialize every asset through Dagster for a range of days
    cpt show       print CPT by model × team × pricing tier from the published warehouse
    cpt demo       generate + run + show: the whole product on a fresh machine

Paths come from CPT_DATA_DIR (default ./data), CPT_SOURCE_DIR (default $CPT_DATA_DIR/source), the delivery
locations CPT_AWS_BILLING_URI, CPT_GCP_BILLING_URI, CPT_GATEWAY_LOGS_URI (default: folders of $CPT_SOURCE_DIR; an
s3://bucket/prefix works for AWS billing) and DAGSTER_HOME (default $CPT_DATA_DIR/dagster_home); the commands set
these defaults for Dagster before loading it.
"""

from __future__ import annotations

import calendar
import os
import time
from datetime import date
from pathlib import Path

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from ingest.paths import DataLayout
from ingest.reconcile import conservation_by_month
from orchestration.housekeeping import ensure_dagster_home, prepare_run, process_tags

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Cost-Per-Token warehouse.")
# Piped output (CI logs, `make demo | tee`) gets a wide table instead of rich's 80-column default.
console = Console(width=None if Console().is_terminal else 170)

DEFAULT_MONTH = "2026-10"


def _environment() -> DataLayout:
    """Resolve the three locations once and export them, so Dagster's EnvVar resources find them."""
    data_dir = Path(os.environ.get("CPT_DATA_DIR") or "data").resolve()
    os.environ["CPT_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("CPT_SOURCE_DIR", str(data_dir / "source"))
    source_dir = Path(os.environ["CPT_SOURCE_DIR"]).resolve()
    os.environ.setdefault("CPT_AWS_BILLING_URI", str(source_dir / "aws"))
    os.environ.setdefault("CPT_GCP_BILLING_URI", str(source_dir / "gcp"))
    os.environ.setdefault("CPT_GATEWAY_LOGS_URI", str(source_dir / "tokens" / "gateway"))
    os.environ.setdefault("CPT_LITELLM_LOGS_URI", str(source_dir / "tokens" / "litellm"))
    os.environ.setdefault("CPT_OTEL_SPANS_URI", str(source_dir / "tokens" / "otel"))
    os.environ.setdefault("CPT_PROMETHEUS_URI", str(source_dir / "tokens" / "metrics"))
    os.environ.setdefault("CPT_GCP_CATALOG_URI", str(source_dir / "gcp" / "catalog" / "compute_engine_skus.json"))
    # Dagster refuses a relative DAGSTER_HOME: resolve it as the data directory is.
    os.environ["DAGSTER_HOME"] = str(Path(os.environ.get("DAGSTER_HOME") or data_dir / "dagster_home").resolve())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    ensure_dagster_home(Path(os.environ["DAGSTER_HOME"]))
    return DataLayout(data_dir)


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
        f"({time.perf_counter() - started:.1f} s)"
    )


@app.command()
def run(
    start: str = typer.Option(None, help="First day (YYYY-MM-DD); default: first day of --month."),
    end: str = typer.Option(None, help="Last day, inclusive; default: last day of --month."),
    month: str = typer.Option(DEFAULT_MONTH, help="Month to run when --start/--end are not given."),
    allocation_key: str = typer.Option(None, help="weighted_tokens | output_tokens | gpu_seconds (ALLOCATION.md)."),
    idle_policy: str = typer.Option(None, help="share_by_usage | owner | central."),
    central_team: str = typer.Option(None, help="Team that pays idle capacity under --idle-policy central."),
    shared_policy: str = typer.Option(None, help="gpu_cost | even | fixed."),
    full_refresh: bool = typer.Option(False, help="Rebuild the incremental dbt models from scratch."),
) -> None:
    """Materialize every asset (ingest, dbt build and tests, checks, publish) through Dagster, in one run.

    Allocation policies left unset keep dbt_project.yml's defaults; set ones go to the run config of the dbt
    assets, as they would from the Dagster UI's launchpad."""
    layout = _environment()
    import dagster as dg

    from orchestration.definitions import defs

    first, last = _month_range(month)
    start, end = start or first, end or last
    started = time.perf_counter()
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    process = process_tags(os.getpid())  # so that a later run can tell these runs were abandoned if killed
    with dg.DagsterInstance.get() as instance:
        removed, abandoned = prepare_run(instance, layout.data_dir)
        if removed or abandoned:
            console.print(
                f"cleaned up after an interrupted run: {len(removed)} temporary files, "
                f"{len(abandoned)} runs marked failed"
            )
        # List prices, AWS billing by month (its own partitioning), then everything else by day, rebuilding once.
        catalog = defs.get_job_def("gcp_catalog_refresh").execute_in_process(
            instance=instance, raise_on_error=False, run_config=quiet, tags=process
        )
        aws = defs.get_job_def("aws_billing_refresh").execute_in_process(
            instance=instance,
            asset_selection=[dg.AssetKey("aws_billing_line_items")],
            tags={
                **process,
                "dagster/asset_partition_range_start": f"{start[:7]}-01",
                "dagster/asset_partition_range_end": f"{end[:7]}-01",
            },
            raise_on_error=False,
            run_config=quiet,
        )
        result = catalog if not catalog.success else aws
        if catalog.success and aws.success:
            policy = {
                "allocation_key": allocation_key,
                "idle_policy": idle_policy,
                "central_team": central_team,
                "shared_policy": shared_policy,
                "full_refresh": full_refresh or None,
            }
            policy = {k: v for k, v in policy.items() if v is not None}
            daily_config = {**quiet, "ops": {"cpt_dbt_models": {"config": policy}}} if policy else quiet
            result = defs.get_job_def("daily_refresh").execute_in_process(
                instance=instance,
                tags={
                    **process,
                    "dagster/asset_partition_range_start": start,
                    "dagster/asset_partition_range_end": end,
                },
                raise_on_error=False,
                run_config=daily_config,
            )
    # A refused delivery fails its check but not its run: the months after it load and the warehouse is rebuilt
    # on the last good state, and the command still exits 1, naming what was refused.
    ran = [r for r in {id(r): r for r in (catalog, aws, result)}.values()]
    failed_checks = [e for r in ran for e in r.get_asset_check_evaluations() if not e.passed]
    if not result.success or failed_checks:
        names = [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in failed_checks]
        console.print(f"[red]run failed[/] (failed checks: {names or 'none'}); see the run in `make ui`")
        for check in failed_checks:
            console.print(f"[red]{check.asset_key.to_user_string()}[/] {check.check_name}: {check.description}")
        for event in result.all_events:
            if event.is_step_failure:
                console.print(f"[red]{event.step_key}[/]: {event.event_specific_data.error.message.strip()}")
        raise typer.Exit(1)
    tags = {"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end}
    console.print(
        f"[green]materialized[/] every asset for {tags['dagster/asset_partition_range_start']} … "
        f"{tags['dagster/asset_partition_range_end']} in {time.perf_counter() - started:.1f} s "
        f"(Dagster run {result.run_id[:8]})"
    )


_CPT_BY_GROUP = """
select
    model, team, pricing_tier,
    sum(requests) as requests,
    sum(output_tokens) as output_tokens,
    sum(total_cost) as total_cost,
    sum(idle_cost) as idle_cost,
    sum(shared_cost) as shared_cost,
    1e6 * sum(total_cost) / nullif(sum(output_tokens), 0) as cpt_micro_usd,
    1e6 * sum(total_cost) * sum(weighted_input_tokens) / nullif(sum(weighted_tokens), 0)
        / nullif(sum(input_tokens), 0) as usd_per_1m_input,
    1e6 * sum(total_cost) * sum(output_tokens) / nullif(sum(weighted_tokens), 0)
        / nullif(sum(output_tokens), 0) as usd_per_1m_output
from fct_cpt_daily
group by model, team, pricing_tier
order by model, team, pricing_tier
"""


def _money(x: float | None) -> str:
    return "" if x is None else f"{x:,.2f}"


_RECONCILIATION = """
select strftime(month, '%Y-%m'), provider, invoice_billed_cost, in_scope_billed_cost, out_of_scope_billed_cost,
       tax_billed_cost, amortization_difference, in_scope_usage_cost, allocated_cost, idle_cost, shared_cost,
       unallocated_cost, allocation_difference
from fct_reconciliation_monthly order by 1, 2
"""


def _reconciliation_table(rows: list[tuple]) -> Table:
    table = Table(title="Reconciliation to the invoice (fct_reconciliation_monthly), USD")
    headers = (
        "month",
        "provider",
        "invoice (billed)",
        "in-scope (billed)",
        "out-of-scope",
        "tax",
        "amortization",
        "in-scope (effective)",
        "allocated",
        "idle",
        "shared",
        "unallocated",
        "difference",
    )
    for header in headers:
        table.add_column(header, justify="left" if header in ("month", "provider") else "right")
    for month, provider, *amounts, difference in rows:
        table.add_row(month, provider, *(_money(a) for a in amounts), f"{difference:.1e}")
    return table


@app.command()
def show() -> None:
    """Print CPT by model × team × pricing tier and the conservation proof, from the published warehouse."""
    layout = _environment()
    if not layout.warehouse.exists():
        console.print(f"[red]no published warehouse at {layout.warehouse}[/]: run `cpt run` first")
        raise typer.Exit(1)
    with duckdb.connect(str(layout.warehouse), read_only=True) as con:
        rows = con.execute(_CPT_BY_GROUP).fetchall()
        months = conservation_by_month(con)
        reconciliation = con.execute(_RECONCILIATION).fetchall()
    table = Table(title="Cost per token by model × team × pricing tier (published warehouse)")
    for header in (
        "model",
        "team",
        "tier",
        "requests",
        "output tok",
        "cost $",
        "idle $",
        "shared $",
        "CPT µ$/out tok",
        "$/1M in",
        "$/1M out",
    ):
        table.add_column(header, justify="left" if header in ("model", "team", "tier") else "right")
    for model, team, tier, requests, out, cost, idle, shared, cpt, per_in, per_out in rows:
        table.add_row(
            model,
            team,
            tier,
            f"{requests:,.0f}",
            f"{out:,.0f}",
            _money(cost),
            _money(idle),
            _money(shared),
            _money(cpt),
            _money(per_in),
            _money(per_out),
        )
    console.print(table)
    console.print(_reconciliation_table(reconciliation))
    for m in months:
        status = "[green]holds[/]" if m.holds else "[red]VIOLATED[/]"
        console.print(
            f"conservation {m.month}: allocated {m.allocated:,.2f} + idle {m.idle:,.2f} + shared {m.shared:,.2f} "
            f"+ unallocated {m.unallocated:,.2f} = {m.charged:,.2f}; in-scope cost {m.in_scope_cost:,.2f} "
            f"(difference {m.difference:.2e}) {status}"
        )
    console.print(
        f"warehouse: {layout.warehouse}  (fct_cpt_daily, fct_deployment_hours, fct_reconciliation_monthly, dim_*)"
    )
    console.print(f"bronze:    {layout.bronze}   landing: {layout.landing}")
    if not all(m.holds for m in months):
        raise typer.Exit(1)


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
        start=None,
        end=None,
        month=month,
        allocation_key=None,
        idle_policy=None,
        central_team=None,
        shared_policy=None,
        full_refresh=False,
    )
    show()


if __name__ == "__main__":
    app()
