{#- Helpers of the incremental token models (int_inference_requests_attributed and the per-day models over it).
    Portable SQL only. -#}

{#- When this run loaded a row: every row a run inserts carries the run's start, so a model downstream can tell
    which days changed since it last read them. -#}
{% macro loaded_at() -%}
  cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- The usage days of `upstream` (one row per request, with usage_date and loaded_at) that this per-day model must
    redo: days it does not hold yet, and days whose request count or latest load differ from what it stored
    (its `requests_column` summed, its loaded_at's maximum). Days gone from upstream are deleted by
    delete_vanished_days(). -#}
{% macro days_to_redo(upstream, requests_column) -%}
    select upstream_days.usage_date
    from (
        select usage_date, count(*) as requests, max(loaded_at) as loaded_at
        from {{ upstream }}
        group by usage_date
    ) as upstream_days
    left join (
        select usage_date, sum({{ requests_column }}) as requests, max(loaded_at) as loaded_at
        from {{ this }}
        group by usage_date
    ) as stored_days
        on upstream_days.usage_date = stored_days.usage_date
    where stored_days.usage_date is null
        or stored_days.requests <> upstream_days.requests
        or stored_days.loaded_at <> upstream_days.loaded_at
{%- endmacro %}

{#- Post-hook of a per-day incremental model: drop the days its upstream no longer has. -#}
{% macro delete_vanished_days(upstream) -%}
  {{ return(adapter.dispatch('delete_vanished_days', 'cpt')(upstream)) }}
{%- endmacro %}

{% macro default__delete_vanished_days(upstream) -%}
  {% if is_incremental() -%}
    delete from {{ this }} where usage_date not in (select distinct usage_date from {{ upstream }})
  {%- endif %}
{%- endmacro %}

{#- Spark drops the days' partitions (found when the hook runs, after the model's insert). -#}
{% macro spark__delete_vanished_days(upstream) -%}
  {%- set vanished = [] -%}
  {%- if execute and is_incremental() -%}
    {%- set query -%}
      select distinct cast(usage_date as string) from {{ this }}
      where usage_date not in (select distinct usage_date from {{ upstream }})
    {%- endset -%}
    {%- set vanished = run_query(query).columns[0].values() -%}
  {%- endif -%}
  {%- if vanished | length > 0 -%}
    alter table {{ this }} drop if exists
    {% for day in vanished %}partition (usage_date = date '{{ day }}'){{ ", " if not loop.last }}{% endfor %}
  {%- else -%}
    select 1
  {%- endif -%}
{%- endmacro %}

{#- How a model incremental by usage day replaces its days. DuckDB: delete+insert on `unique_key` (the day, or a
    request's hash). Spark (parquet tables have no DELETE): insert_overwrite of the table partitioned by
    usage_date — every day the run's rows hold is replaced whole, so a model's incremental rows must be whole days
    there (int_inference_request_copies adds the kept rows of the days it touches). -#}
{% macro day_incremental_strategy() -%}
  {{ return('insert_overwrite' if target.type == 'spark' else 'delete+insert') }}
{%- endmacro %}

{% macro day_partitions() -%}
  {{ return(['usage_date'] if target.type == 'spark' else none) }}
{%- endmacro %}

{#- Post-hook of int_inference_request_copies: drop the rows of bronze files no longer there. Spark has no DELETE:
    the days holding such rows were rewritten without them by the run, and a day left with no file is dropped. -#}
{% macro delete_rows_of_vanished_files(upstream) -%}
  {{ return(adapter.dispatch('delete_rows_of_vanished_files', 'cpt')(upstream)) }}
{%- endmacro %}

{% macro default__delete_rows_of_vanished_files(upstream) -%}
  {% if is_incremental() -%}
    delete from {{ this }} where bronze_file not in (select distinct bronze_file from {{ upstream }})
  {%- endif %}
{%- endmacro %}

{% macro spark__delete_rows_of_vanished_files(upstream) -%}
  {{ spark__delete_vanished_days(upstream) }}
{%- endmacro %}
