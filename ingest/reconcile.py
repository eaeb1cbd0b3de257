"""Money identities read back from a built warehouse (used by Dagster asset checks and the CLI)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

RELATIVE_TOLERANCE = 1e-9  # inside the models (conservation); reports round to the cent


@dataclass(frozen=True)
class MonthConservation:
    month: str
    in_scope_cost: float
    allocated: float
    idle: float
    shared: float
    unallocated: float

    @property
    def charged(self) -> float:
        return self.allocated + self.idle + self.shared + self.unallocated

    @property
    def difference(self) -> float:
        return self.charged - self.in_scope_cost

    @property
    def holds(self) -> bool:
        return abs(self.difference) <= RELATIVE_TOLERANCE * max(abs(self.in_scope_cost), 1.0)


# Sums as DECIMAL(38, 18), like the models' exact_sum: the figures do not depend on row order.
_CONSERVATION_SQL = """
with billed as (
    select strftime(date_trunc('month', cost_hour), '%Y-%m') as month,
           sum(effective_cost::decimal(38, 18))::double as in_scope_cost
    from internal.int_billing_lines_spread_hourly group by 1
), charged as (
    select strftime(date_trunc('month', usage_date), '%Y-%m') as month,
           sum(allocated_cost::decimal(38, 18))::double as allocated, sum(idle_cost::decimal(38, 18))::double as idle,
           sum(shared_cost::decimal(38, 18))::double as shared,
           sum(unallocated_cost::decimal(38, 18))::double as unallocated
    from analytics.fct_cpt_daily group by 1
)
select coalesce(billed.month, charged.month), coalesce(in_scope_cost, 0), coalesce(allocated, 0),
       coalesce(idle, 0), coalesce(shared, 0), coalesce(unallocated, 0)
from billed full outer join charged on billed.month = charged.month
order by 1
"""


def conservation_by_month(con: duckdb.DuckDBPyConnection) -> list[MonthConservation]:
    """allocated + idle + shared + unallocated against in-scope EffectiveCost, per month."""
    return [MonthConservation(*row) for row in con.execute(_CONSERVATION_SQL).fetchall()]
