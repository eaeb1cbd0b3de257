"""Macros whose arithmetic is checked directly: rendered with Jinja as dbt renders them, run on DuckDB."""

import math
from pathlib import Path

import duckdb
import jinja2
import pytest

MACROS = Path(__file__).parents[1] / "dbt_project" / "macros"


@pytest.mark.parametrize(
    "x", [-6.0, -3.0, -1.959963984540054, -1.0, -0.25, 0.0, 0.3, 1.0, 1.6448536269514722, 2.5, 8.0]
)
def test_normal_cdf_agrees_with_the_error_function(x):
    module = jinja2.Environment().from_string((MACROS / "probability.sql").read_text()).module
    sql = f"select {module.normal_cdf('x')} from (select {x!r}::double as x)"  # type: ignore[attr-defined]
    [(value,)] = duckdb.sql(sql).fetchall()
    assert value == pytest.approx(0.5 * (1 + math.erf(x / math.sqrt(2))), abs=1e-7)
