"""The conservation proof read back from a built warehouse (the blocking Dagster check, `cpt show`, the tests)."""

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
    difference: float  # charged - in scope, computed exactly (DECIMAL) by dbt

    @property
    def charged(self) -> float:
        return self.allocated + self.idle + self.shared + self.unallocated

    @property
    def holds(self) -> bool:
        return abs(self.difference) <= RELATIVE_TOLERANCE * max(abs(self.in_scope_cost), 1.0)


# The sums are dbt's (ops_conservation_monthly, exact DECIMAL): this reads them, it does not compute them again.
_CONSERVATION_SQL = """
select strftime(month, '%Y-%m'), in_scope_cost::double, allocated_cost::double, idle_cost::double,
       shared_cost::double, unallocated_cost::double, difference::double
from analytics.ops_conservation_monthly
order by month
"""


def conservation_by_month(con: duckdb.DuckDBPyConnection) -> list[MonthConservation]:
    """allocated + idle + shared + unallocated against in-scope EffectiveCost, per month."""
    return [MonthConservation(*row) for row in con.execute(_CONSERVATION_SQL).fetchall()]
