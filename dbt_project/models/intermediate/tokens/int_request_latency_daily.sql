-- Latency and time-to-first-token percentiles per day × deployment × model × team (what fct_cpt_daily reports).
-- Percentiles do not add up across days, so they are computed per request, once per usage day. Incremental by
-- usage_date (macros/incremental.sql), like int_token_usage_hourly. Each column is sorted once for both of its
-- percentiles.
--
-- Exact percentiles in bounded memory: computed over a window partitioned by the group, not by GROUP BY. A
-- grouped percentile holds the values of every group at once and cannot spill, so a first build of a long
-- history failed (2 columns × 8 bytes × 90M requests is more than DuckDB's memory limit); the window operator
-- partitions and spills, and holds one group's values at a time. The same values, measured about twice the time.

{{ config(
    materialized='incremental',
    unique_key='usage_date',
    incremental_strategy=day_incremental_strategy(),
    partition_by=day_partitions(),
    post_hook=["{{ delete_vanished_days(ref('int_inference_requests_attributed')) }}"]
) }}

with

requests as (

    select * from {{ ref('int_inference_requests_attributed') }}

),

daily as (

    select * from (
        select
            usage_date,
            deployment,
            model,
            team,
            count(*) over per_group as requests,
            {{ percentiles('latency_ms', [0.5, 0.99]) }} over per_group as latency_ms_percentiles,
            {{ percentiles('ttft_ms', [0.5, 0.99]) }} over per_group as ttft_ms_percentiles,
            max(loaded_at) over per_group as loaded_at,
            {{ row_in_partition('usage_date, deployment, model, team') }} as row_in_group
        from requests
        {% if is_incremental() %}
        where usage_date in ({{ days_to_redo(ref('int_inference_requests_attributed'), 'requests') }})
        {% endif %}
        window per_group as (partition by usage_date, deployment, model, team)
    ) as per_request
    where row_in_group = 1

)

select
    usage_date,
    deployment,
    model,
    team,
    requests,
    {{ array_element('latency_ms_percentiles', 1) }} as p50_latency_ms,
    {{ array_element('latency_ms_percentiles', 2) }} as p99_latency_ms,
    {{ array_element('ttft_ms_percentiles', 1) }} as p50_ttft_ms,
    {{ array_element('ttft_ms_percentiles', 2) }} as p99_ttft_ms,
    loaded_at
from daily
