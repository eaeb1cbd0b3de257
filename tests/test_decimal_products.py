"""No model multiplies two DECIMALs but through the `double_product` macro.

The exact product of two DECIMAL(38, 12) has 24 places and so 14 digits before the point: above 1e14 both DuckDB
and Spark raise an overflow. Spark also keeps a quotient with a DECIMAL operand (tokens ÷ GPU hours) a DECIMAL,
where DuckDB gives a DOUBLE — so such a product can be one engine's problem only, and the test data is far too small
to meet it. This reads every model (and data test) dbt compiled for the demo's run, types its expressions from the
build warehouse's columns (sqlglot, with Spark's rule for a quotient), and lists each product of two DECIMALs."""

from __future__ import annotations

import functools

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema, ensure_schema

from ingest.paths import DataLayout

Catalog = dict[str, dict[str, dict[str, dict[str, str]]]]


def _type(data_type: str) -> str:
    # Unparameterized, so that a DOUBLE beside a DECIMAL makes a DOUBLE (as on both engines): sqlglot keeps the
    # parameterized side's type.
    return "DECIMAL" if data_type.upper().startswith("DECIMAL") else data_type


def decimal_products(sql: str, catalog: Catalog | MappingSchema, columns_of=None) -> list[str]:
    """Each product of two DECIMAL operands in one compiled model (DuckDB SQL), as SQL text. `catalog` holds the
    column types of the relations it reads (as a MappingSchema, normalized once for many models);
    `columns_of(table_function_sql)` the columns of a table function it reads from (`read_parquet(...)`: the
    staging models' sources)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    # a shallow copy, not normalized again: the model's sources are added to it, not to the shared catalog
    schema = ensure_schema(catalog).copy(normalize=False)
    for number, table in enumerate(list(tree.find_all(exp.Table))):
        if isinstance(table.this, exp.Identifier):
            continue
        name = f"source_{number}"
        columns = {column: _type(data_type) for column, data_type in columns_of(table.this.sql("duckdb"))}
        schema.add_table(f"sources.sources.{name}", columns, normalize=True)
        relation = exp.to_table(f"sources.sources.{name}")
        if table.alias:
            relation.set("alias", exp.TableAlias(this=exp.to_identifier(table.alias)))
        table.replace(relation)
    for data_type in tree.find_all(exp.DataType):
        if data_type.this == exp.DType.DECIMAL:
            data_type.set("expressions", [])
    tree = annotate_types(qualify(tree, schema=schema, validate_qualify_columns=False), schema=schema)
    unknown = [
        product.sql("duckdb")
        for product in tree.find_all(exp.Mul)
        if exp.DType.UNKNOWN in (product.left.type.this, product.right.type.this)
    ]
    assert not unknown, f"operands of unknown type: {unknown}"
    return [
        product.sql("duckdb")
        for product in tree.find_all(exp.Mul)
        if product.left.type.this == product.right.type.this == exp.DType.DECIMAL
    ]


def test_the_check_finds_a_product_of_two_decimals_and_nothing_else():
    catalog = {"cpt": {"analytics": {"hours": {"gpu_hours": "DECIMAL(38,12)", "output_tokens": "BIGINT"}}}}
    sql = """
        with capacity as (select max(output_tokens / gpu_hours) as peak from cpt.analytics.hours)
        select
            hours.gpu_hours * capacity.peak as overflows_on_spark,
            cast(hours.gpu_hours as double) * capacity.peak as a_double,
            1e6 * hours.gpu_hours as a_double_too,
            hours.gpu_hours * 3600 as by_an_integer,
            hours.output_tokens * hours.output_tokens as integers
        from cpt.analytics.hours as hours cross join capacity
    """
    assert decimal_products(sql, catalog) == ['"hours"."gpu_hours" * "capacity"."peak"']


def test_no_model_multiplies_two_decimals(demo):
    data, _ = demo
    layout = DataLayout(data)
    models = {}
    # the newest invocation of each dbt asset (the main build, the forecast models): their compiled models
    for invocation in sorted(layout.dbt_artifacts.glob("*/compiled"), key=lambda folder: folder.stat().st_mtime):
        for path in (invocation / "cpt" / "models").rglob("*.sql"):
            models[path.relative_to(invocation).as_posix()] = path
    assert "cpt/models/marts/cpt/fct_deployment_hours.sql" in models
    assert "cpt/models/marts/efficiency/fct_deployment_efficiency_daily.sql" in models
    assert len(models) >= 60

    with duckdb.connect(str(layout.build_warehouse), read_only=True) as con:
        catalog: Catalog = {}
        for database, schema, table, column, data_type in con.execute(
            "select table_catalog, table_schema, table_name, column_name, data_type from information_schema.columns"
        ).fetchall():
            catalog.setdefault(database, {}).setdefault(schema, {}).setdefault(table, {})[column] = _type(data_type)

        @functools.cache  # a staging model and each data test on it read the same source
        def columns_of(table_function: str) -> list[tuple[str, str]]:
            return [(row[0], row[1]) for row in con.execute(f"describe select * from {table_function}").fetchall()]

        schema = MappingSchema(catalog)  # normalized once: it was most of the check's time, once per model
        found = {name: decimal_products(path.read_text(), schema, columns_of) for name, path in sorted(models.items())}
    assert not {name: products for name, products in found.items() if products}
