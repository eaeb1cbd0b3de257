-- Latency and time-to-first-token percentiles per day × deployment × model × team (what fct_cpt_daily reports).
-- Percentiles do not add up across days, so they are computed per request, once per usage day. Incremental by
-- usage_date (macros/incremental.sql), like int_token_usage_hourly. Each column is sorted once for both of its
-- percentiles.

{{ config(
    materialized='incremental',
    unique_key='usage_date',
    incremental_strategy='delete+insert',
    post_hook=["{{ delete_vanished_days(ref('int_inference_requests_attributed')) }}"]
) }}

with

requests as (

    select * from {{ ref('int_inference_requests_attributed') }}

),

daily as (

    select
        usage_date,
        deployment,
        model,
        team,
        count(*) as requests,
        {{ percentiles('latency_ms', [0.5, 0.99]) }} as latency_ms_percentiles,
        {{ percentiles('ttft_ms', [0.5, 0.99]) }} as ttft_ms_percentiles,
        max(loaded_at) as loaded_at
    from requests
    {% if is_incremental() %}
    where usage_date in ({{ days_to_redo(ref('int_inference_requests_attributed'), 'requests') }})
    {% endif %}
    group by usage_date, deployment, model, team

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
