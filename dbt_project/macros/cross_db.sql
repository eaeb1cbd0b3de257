{#- Engine-specific SQL lives only here, each macro with a portable twin. -#}

{#- The value of the first of `keys` present in a JSON object column of tags, or null. -#}
{% macro tag_value(tags_column, keys) -%}
  {{ return(adapter.dispatch('tag_value', 'cpt')(tags_column, keys)) }}
{%- endmacro %}

{% macro default__tag_value(tags_column, keys) -%}
  coalesce({% for key in keys %}json_extract_string({{ tags_column }}, '$."{{ key }}"'){{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro spark__tag_value(tags_column, keys) -%}
  coalesce({% for key in keys %}get_json_object({{ tags_column }}, '$.{{ key }}'){{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{#- Continuous percentile of an expression within a group. -#}
{% macro percentile(expression, fraction) -%}
  {{ return(adapter.dispatch('percentile', 'cpt')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
  quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
  percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- Numbers 0 .. 10^digits - 1, as a subquery with one column `n` (portable: plain cross joins). -#}
{% macro numbers(digits=4) -%}
  (
    select
      {% for i in range(digits) %}d{{ i }}.n * {{ 10 ** i }}{{ " + " if not loop.last }}{% endfor %} as n
    from
      {% for i in range(digits) -%}
      (select 0 as n union all select 1 union all select 2 union all select 3 union all select 4
       union all select 5 union all select 6 union all select 7 union all select 8 union all select 9) as d{{ i }}
      {{- ", " if not loop.last }}
      {% endfor %}
  )
{%- endmacro %}

{#- A sum that does not depend on the order rows arrive in: each value is rounded to 1e-18 and added as a
    DECIMAL(38, 18), which is exact, so parallel plans give bit-identical results run after run
    (same inputs → identical marts). Portable: DECIMAL sums exist on every engine. -#}
{% macro exact_sum(expression) -%}
  cast(sum(cast({{ expression }} as decimal(38, 18))) as double)
{%- endmacro %}

{#- The product of two DECIMAL operands, as a DOUBLE. An exact product of two DECIMAL(38, 12) has 24 places,
    which leaves 14 digits before the point: above 1e14 (a large fleet's token capacity) both engines raise an
    overflow. Spark also types a quotient with a DECIMAL (tokens ÷ GPU hours) as a DECIMAL where DuckDB gives a
    DOUBLE, so on Spark its product with a DECIMAL is one too. A model multiplies two DECIMALs only through this
    (tests/test_decimal_products.py checks every compiled model); the rest of the arithmetic is DOUBLE already. -#}
{% macro double_product(left, right) -%}
  cast({{ left }} as double) * cast({{ right }} as double)
{%- endmacro %}

{#- A digest of a relation's rows (order-free): md5 of its rows' text, sorted and joined. A scalar subquery. -#}
{% macro rows_digest(relation, columns) -%}
  {{ return(adapter.dispatch('rows_digest', 'cpt')(relation, columns)) }}
{%- endmacro %}

{% macro default__rows_digest(relation, columns) -%}
  (select md5(coalesce(string_agg(row_text, '|' order by row_text), ''))
   from (select concat_ws('~', {{ columns | join(', ') }}) as row_text from {{ relation }}) as digest_rows)
{%- endmacro %}

{% macro spark__rows_digest(relation, columns) -%}
  (select md5(concat_ws('|', array_sort(collect_list(row_text))))
   from (select concat_ws('~', {{ columns | join(', ') }}) as row_text from {{ relation }}) as digest_rows)
{%- endmacro %}

{#- Several continuous percentiles of an expression within a group, as one list (one sort instead of one per
    fraction); take them out with array_element(). -#}
{% macro percentiles(expression, fractions) -%}
  {{ return(adapter.dispatch('percentiles', 'cpt')(expression, fractions)) }}
{%- endmacro %}

{% macro default__percentiles(expression, fractions) -%}
  quantile_cont({{ expression }}, [{{ fractions | join(', ') }}])
{%- endmacro %}

{% macro spark__percentiles(expression, fractions) -%}
  percentile({{ expression }}, array({{ fractions | join(', ') }}))
{%- endmacro %}

{#- 1 for one row of each partition of `partition_by` (a comma-separated list of columns): beside window
    aggregates over the same partition, `= 1` keeps one row per group. DuckDB needs no order, and shares the
    partitioning with those aggregates; Spark's row_number requires an order. -#}
{% macro row_in_partition(partition_by) -%}
  {{ return(adapter.dispatch('row_in_partition', 'cpt')(partition_by)) }}
{%- endmacro %}

{% macro default__row_in_partition(partition_by) -%}
  row_number() over (partition by {{ partition_by }})
{%- endmacro %}

{% macro spark__row_in_partition(partition_by) -%}
  row_number() over (partition by {{ partition_by }} order by {{ partition_by }})
{%- endmacro %}

{#- The element at a 1-based position of a list. -#}
{% macro array_element(list_expression, position) -%}
  {{ return(adapter.dispatch('array_element', 'cpt')(list_expression, position)) }}
{%- endmacro %}

{% macro default__array_element(list_expression, position) -%}
  list_extract({{ list_expression }}, {{ position }})
{%- endmacro %}

{% macro spark__array_element(list_expression, position) -%}
  element_at({{ list_expression }}, {{ position }})
{%- endmacro %}

{#- A 64-bit hash of a value: grouping by it is much cheaper than by a long string. Equal values hash equal;
    distinct ones may collide, so a caller re-checks the values behind a repeated hash. -#}
{% macro hash64(expression) -%}
  {{ return(adapter.dispatch('hash64', 'cpt')(expression)) }}
{%- endmacro %}

{% macro default__hash64(expression) -%}
  hash({{ expression }})
{%- endmacro %}

{% macro spark__hash64(expression) -%}
  xxhash64({{ expression }})
{%- endmacro %}

{#- A non-negative 60-bit hash of a string expression, the same on every engine (the first 15 hex digits of its
    MD5), for deterministic draws (hash % n) and tie-breaks that must not depend on the engine: each engine's own
    hash function gives other numbers, so other draws and other winners of a tie. -#}
{% macro positive_hash(expression) -%}
  {{ return(adapter.dispatch('positive_hash', 'cpt')(expression)) }}
{%- endmacro %}

{% macro default__positive_hash(expression) -%}
  cast(('0x' || substr(md5({{ expression }}), 1, 15)) as bigint)
{%- endmacro %}

{% macro spark__positive_hash(expression) -%}
  cast(conv(substr(md5({{ expression }}), 1, 15), 16, 10) as bigint)
{%- endmacro %}

{#- The share of a group's rows where `condition` holds, as a DOUBLE: the average of a decimal 1/0 keeps four more
    places than its input on Spark and every place on DuckDB. -#}
{% macro share_where(condition) -%}
  avg(case when {{ condition }} then cast(1 as double) else cast(0 as double) end)
{%- endmacro %}

{#- Day of the week of a timestamp, 0 = Sunday … 6 = Saturday. -#}
{% macro weekday(timestamp) -%}
  {{ return(adapter.dispatch('weekday', 'cpt')(timestamp)) }}
{%- endmacro %}

{% macro default__weekday(timestamp) -%}
  dayofweek({{ timestamp }})
{%- endmacro %}

{% macro spark__weekday(timestamp) -%}
  (dayofweek({{ timestamp }}) - 1)
{%- endmacro %}

{#- The type of an instant (a timestamp that means one moment in UTC): DuckDB's TIMESTAMPTZ; Spark's TIMESTAMP
    already is one (shown in the session's time zone, UTC here). -#}
{% macro timestamp_tz() -%}
  {{ return(adapter.dispatch('timestamp_tz', 'cpt')()) }}
{%- endmacro %}

{% macro default__timestamp_tz() -%}
  timestamptz
{%- endmacro %}

{% macro spark__timestamp_tz() -%}
  timestamp
{%- endmacro %}
