{#- Seeds on Spark: dbt-spark's loader pastes each value into its INSERT between quotes without escaping them, so
    a seed whose text holds an apostrophe ("the server's counters") fails to load. The same INSERT with every
    value written as an escaped literal and cast to the column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_types = model['config'].get('column_types', {}) -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for value in row -%}
          {%- set column = agate_table.column_names[loop.index0] -%}
          cast({{ spark_literal(value) }} as {{ column_types.get(column, adapter.convert_type(agate_table, loop.index0)) }})
          {{- ", " if not loop.last }}
        {%- endfor -%}){{ "," if not loop.last }}
      {% endfor -%}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(statements[0]) }}
{% endmacro %}

{#- A value as a Spark SQL string literal (backslash escapes), or null. -#}
{% macro spark_literal(value) -%}
  {%- if value is none -%}null
  {%- else -%}'{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}
