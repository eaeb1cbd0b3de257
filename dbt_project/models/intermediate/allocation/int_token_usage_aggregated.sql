-- Token usage per deployment × hour × team × model × instance (the hour in which requests finished, rule 3;
-- instance_id when the log names the instance that served the request, else null).
-- Per-request logs are the source where a deployment-hour has them. A deployment-hour known only from its
-- servers' counters (no request logs) takes the counters' tokens, charged to the deployment's owner
-- (seeds/deployment_owners.csv) or to the unattributed team; counters never add to hours that have logs.
-- allocation_units is the allocation key (var cpt_allocation_key) of each row: weighted tokens, output tokens,
-- or request GPU-seconds (request latency; counter-only hours have none and use weighted tokens).

with

logged as (

    select
        deployment,
        usage_hour,
        team,
        model,
        instance_id,
        region,
        requests,
        input_tokens,
        cached_input_tokens,
        output_tokens,
        {{ weighted_tokens("output_tokens", "input_tokens", "cached_input_tokens") }} as weighted_tokens,
        request_seconds,
        {{ allocation_units(weighted_tokens("output_tokens", "input_tokens", "cached_input_tokens"),
            "output_tokens", "request_seconds") }} as allocation_units,
        'request_logs' as usage_source
    from {{ ref('int_token_usage_hourly') }}

),

logged_hours as (

    select distinct deployment, usage_hour from logged

),

counted as (

    select
        counters.deployment,
        counters.usage_hour,
        coalesce(owners.owner_team, 'unattributed') as team,
        counters.model,
        cast(null as string) as instance_id,
        cast(null as string) as region,
        counters.requests,
        counters.input_tokens,
        0.0 as cached_input_tokens,
        counters.output_tokens,
        counters.output_tokens + {{ var('cpt_input_token_weight') }} * counters.input_tokens as weighted_tokens,
        0.0 as request_seconds,
        {{ allocation_units(
            "counters.output_tokens + " ~ var('cpt_input_token_weight') ~ " * counters.input_tokens",
            "counters.output_tokens",
            "counters.output_tokens + " ~ var('cpt_input_token_weight') ~ " * counters.input_tokens") }}
            as allocation_units,
        'counters' as usage_source
    from {{ ref('int_token_counter_deltas') }} as counters
    left join logged_hours
        on counters.deployment = logged_hours.deployment and counters.usage_hour = logged_hours.usage_hour
    left join {{ ref('deployment_owners') }} as owners
        on counters.deployment = owners.deployment
    where logged_hours.deployment is null
        and counters.input_tokens + counters.output_tokens + counters.requests > 0

)

select * from logged
union all
select * from counted
