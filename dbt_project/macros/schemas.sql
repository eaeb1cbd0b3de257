{#
    Two schemas, named as they are (dbt's default would prefix them with the target's schema):
    `analytics` — the interface for BI tools and analysts: the marts and their dimensions;
    `internal`  — staging views, intermediate tables and the seeds the models read; not an interface.
    Not `cpt`: the warehouse file is cpt.duckdb, whose catalog is already called cpt, and `cpt.x` would then be
    ambiguous between the catalog and a schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
