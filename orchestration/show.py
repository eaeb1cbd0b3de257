"""What `cpt show` reads from the published warehouse, and how it lays it out.

fct_cpt_monthly holds the month's sums and ratios (computed in dbt): this selects, it never recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rich import box
from rich.table import Table

from ingest import duck
from ingest.reconcile import MonthConservation, conservation_by_month

CPT_MONTHLY = """
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

RECONCILIATION = """
select strftime(month, '%Y-%m') as month, provider, invoice_billed_cost, in_scope_billed_cost,
       out_of_scope_billed_cost, tax_billed_cost, amortization_difference, in_scope_usage_cost, allocated_cost,
       idle_cost, shared_cost, unallocated_cost, allocation_difference
from analytics.fct_reconciliation_monthly
where $month is null or strftime(month, '%Y-%m') = $month
order by 1, 2
"""

# (header, column, narrow): the narrow tables fit a 100-column terminal; --wide shows every column.
CPT_COLUMNS = (
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
RECONCILIATION_COLUMNS = (
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
BUDGETS = """
select strftime(status.month, '%Y-%m') as month, status.team, status.model,
       case when status.model = '*' then status.team else status.team || '/' || status.model end as budget_for,
       status.budget_usd,
       status.spent_to_date, status.projected_cost, status.projected_lo_95, status.projected_hi_95,
       status.probability_over_budget, status.status, status.output_tokens_left_at_forecast_cpt,
       status.input_tokens_left_at_forecast_cpt, limits.tpm_limit, status.as_of_date
from analytics.fct_budget_status as status
left join analytics.fct_gateway_team_limits as limits
    on status.month = limits.month and status.team = limits.team and status.model = '*'
where strftime(status.month, '%Y-%m') = coalesce(
    $month, (select strftime(max(as_of_date) + 1, '%Y-%m') from analytics.fct_budget_status))
order by status.team, status.model
"""
BUDGET_COLUMNS = (
    ("budget for", "budget_for", True),
    ("budget $", "budget_usd", True),
    ("spent $", "spent_to_date", True),
    ("projected $", "projected_cost", True),
    ("95 % low $", "projected_lo_95", False),
    ("95 % high $", "projected_hi_95", False),
    ("P(over)", "probability_over_budget", True),
    ("status", "status", True),
    ("output tok left", "output_tokens_left_at_forecast_cpt", True),
    ("input tok left", "input_tokens_left_at_forecast_cpt", False),
    ("tpm limit", "tpm_limit", False),
)
WHATIF = """
select scenario, description, region, instance_type, price_source, ratio_to_on_demand, gpu_hours, cost,
       cpt_micro_usd_per_output_token, saving_vs_actual, saving_share
from analytics.fct_cost_scenarios
where deployment = $deployment
  and month = coalesce(cast($month || '-01' as date),
                       (select max(month) from analytics.fct_cost_scenarios where deployment = $deployment))
order by cost, scenario
"""
WHATIF_COLUMNS = (
    ("scenario", "scenario", True),
    ("region", "region", False),
    ("instance", "instance_type", False),
    ("priced from", "price_source", False),
    ("× on demand", "ratio_to_on_demand", True),
    ("GPU hours", "gpu_hours", True),
    ("cost $", "cost", True),
    ("µ$/out tok", "cpt_micro_usd_per_output_token", True),
    ("saving $", "saving_vs_actual", True),
    ("saving", "saving_share", True),
    ("what it assumes", "description", False),
)
_TEXT = {
    "model",
    "team",
    "pricing_tier",
    "month",
    "provider",
    "status",
    "budget_for",
    "scenario",
    "price_source",
    "description",
    "region",
    "instance_type",
}
_WHOLE_DOLLARS = {"budget_usd", "spent_to_date", "projected_cost", "projected_lo_95", "projected_hi_95"}
_COUNTS = {
    "requests",
    "output_tokens",
    "input_tokens",
    "output_tokens_left_at_forecast_cpt",
    "input_tokens_left_at_forecast_cpt",
    "tpm_limit",
}


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if column in _TEXT:
        return str(value)
    if column in _COUNTS:
        return f"{value:,.0f}"
    if column in _WHOLE_DOLLARS:
        return f"{value:,.0f}"
    if column in ("probability_over_budget", "saving_share"):
        return f"{float(value):.0%}"
    if column == "ratio_to_on_demand":
        return f"{float(value):.2f}"
    if column == "gpu_hours":
        return f"{float(value):,.0f}"
    if column == "allocation_difference":
        return f"{float(value):.1e}"
    return f"{value:,.2f}"


def json_value(value):
    """DECIMAL money as a JSON number; dates as ISO text."""
    return float(value) if isinstance(value, Decimal) else str(value)


def table(title: str, columns: tuple, rows: list[dict], wide: bool) -> Table:
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


@dataclass(frozen=True)
class MonthView:
    """One month of the published warehouse, as `cpt show` prints it."""

    month: str
    rows: list[dict]  # fct_cpt_monthly, model × team × pricing tier
    reconciliation: list[dict]  # fct_reconciliation_monthly, per provider
    conservation: list[MonthConservation]

    @property
    def holds(self) -> bool:
        return all(m.holds for m in self.conservation)


def _dicts(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def read_month(warehouse: Path, month: str | None, team: str | None, model: str | None) -> MonthView:
    """The month's rows (default: the newest month in the warehouse), filtered by team and model."""
    with duck.connect(str(warehouse), read_only=True) as con:
        if month is None:
            [(month,)] = con.execute("select strftime(max(month), '%Y-%m') from analytics.fct_cpt_monthly").fetchall()
        rows = _dicts(con.execute(CPT_MONTHLY, {"month": month, "team": team, "model": model}))
        reconciliation = _dicts(con.execute(RECONCILIATION, {"month": month}))
        conservation = [m for m in conservation_by_month(con) if m.month == month]
    return MonthView(str(month), rows, reconciliation, conservation)


def read_budgets(warehouse: Path, month: str | None) -> list[dict]:
    """Budget status and quotas of a month (default: the open month, the one after the last day with data)."""
    with duck.connect(str(warehouse), read_only=True) as con:
        return _dicts(con.execute(BUDGETS, {"month": month}))


def read_whatif(warehouse: Path, deployment: str, month: str | None) -> list[dict]:
    """A deployment's month re-priced under every scenario, cheapest first (default: its newest month)."""
    with duck.connect(str(warehouse), read_only=True) as con:
        return _dicts(con.execute(WHATIF, {"deployment": deployment, "month": month}))
