import duckdb
import pytest

from orchestration.defs.warehouse.checks import in_scope_cost_is_conserved
from orchestration.resources import WarehouseResource


def _warehouse(tmp_path, charged_total: float) -> WarehouseResource:
    resource = WarehouseResource(data_dir=str(tmp_path))
    path = resource.layout.build_warehouse
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create table int_billing_lines_spread_hourly (cost_hour timestamp, effective_cost double)")
        con.execute(
            "insert into int_billing_lines_spread_hourly values ('2026-10-01 00:00', 60), ('2026-10-02 05:00', 40)"
        )
        con.execute(
            "create table fct_cpt_daily (usage_date date, allocated_cost double, idle_cost double, "
            "shared_cost double, unallocated_cost double)"
        )
        con.execute(f"insert into fct_cpt_daily values ('2026-10-01', {charged_total - 30}, 20, 6, 4)")
    return resource


def test_conservation_check_passes_when_every_dollar_is_charged(tmp_path):
    result = in_scope_cost_is_conserved(warehouse=_warehouse(tmp_path, 100.0))
    assert result.passed
    assert result.metadata["failing_months"].value == "none"


@pytest.mark.parametrize("charged", [100.01, 99.0, 0.0])
def test_conservation_check_fails_when_a_dollar_is_lost_or_doubled(tmp_path, charged):
    result = in_scope_cost_is_conserved(warehouse=_warehouse(tmp_path, charged))
    assert not result.passed
    assert result.metadata["failing_months"].value == "2026-10"
