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
  {% if is_incremental() -%}
    delete from {{ this }} where usage_date not in (select distinct usage_date from {{ upstream }})
  {%- endif %}
{%- endmacro %}
