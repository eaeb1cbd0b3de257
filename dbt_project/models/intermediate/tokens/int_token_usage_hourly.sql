-- Logged token usage per deployment × hour × team × model × instance: the per-request table summed, once per
-- usage day. Incremental by usage_date (macros/incremental.sql): a run redoes only the days whose requests
-- changed, so the daily run reads a day, not the month. Only logged facts here — the allocation key and the
-- token weights (vars) are applied downstream in int_token_usage_aggregated, so a policy change never leaves
-- stale rows.

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

)

select
    usage_date,
    usage_hour,
    deployment,
    team,
    model,
    instance_id,
    max(region) as region,
    count(*) as requests,
    {{ exact_sum("input_tokens") }} as input_tokens,
    {{ exact_sum("cached_input_tokens") }} as cached_input_tokens,
    {{ exact_sum("output_tokens") }} as output_tokens,
    {{ exact_sum("latency_ms") }} / 1000.0 as request_seconds,
    max(loaded_at) as loaded_at
from requests
{% if is_incremental() %}
where usage_date in ({{ days_to_redo(ref('int_inference_requests_attributed'), 'requests') }})
{% endif %}
group by usage_date, usage_hour, deployment, team, model, instance_id
