-- How efficiently each deployment ran, hour by hour, under the configuration in force (dim_deployment_configs).
-- Grain: one row per deployment × hour with billed GPU capacity.
--   output/input tokens per GPU-second  the tokens served ÷ the GPU-seconds billed;
--   mean_concurrency                    requests in flight on average: Σ request latency ÷ 3600 (request logs
--                                       only; null where only the servers' counters are known);
--   cost_per_gpu_hour                   the deployment's own billed cost of the hour ÷ its GPU hours (shared
--                                       overhead, which the bill does not give it, left out: total_cost has it);
--   has_requests                        the hour served at least one request — NOT "the GPUs were busy";
--   throughput_utilization              output tokens per GPU-second ÷ the configuration's capacity: the
--                                       declared load-test figure when the seed has one, else the deployment's
--                                       own sustained peak under that configuration (its best three consecutive
--                                       billed hours' mean), named in capacity_source.

with

hours as (

    select * from {{ ref('fct_deployment_hours') }}
    where gpu_hours > 0

),

logged as (

    select deployment, usage_hour, {{ exact_sum("request_seconds") }} as request_seconds
    from {{ ref('int_token_usage_hourly') }}
    group by deployment, usage_hour

),

configs as (

    select * from {{ ref('dim_deployment_configs') }}

),

measured as (

    select
        hours.deployment,
        hours.usage_hour,
        hours.usage_date,
        configs.config_id,
        configs.declared_output_tokens_per_gpu_second,
        hours.gpu_hours,
        hours.requests,
        hours.input_tokens,
        hours.output_tokens,
        hours.direct_cost,
        hours.total_cost,
        hours.is_busy as has_requests,
        logged.deployment is not null as from_request_logs,
        logged.request_seconds,
        hours.output_tokens / (hours.gpu_hours * 3600) as output_tokens_per_gpu_second,
        hours.input_tokens / (hours.gpu_hours * 3600) as input_tokens_per_gpu_second
    from hours
    left join logged
        on hours.deployment = logged.deployment and hours.usage_hour = logged.usage_hour
    left join configs
        on hours.deployment = configs.deployment
        and hours.usage_hour >= configs.valid_from
        and (configs.valid_to is null or hours.usage_hour < configs.valid_to)

),

rolling as (

    select
        deployment,
        config_id,
        avg(output_tokens_per_gpu_second) over (
            partition by deployment, config_id order by usage_hour rows between 2 preceding and current row
        ) as three_hour_mean
    from measured

),

sustained as (

    select deployment, config_id, max(three_hour_mean) as sustained_peak
    from rolling
    group by deployment, config_id

)

select
    measured.deployment,
    measured.usage_hour,
    measured.usage_date,
    measured.config_id,
    {{ quantity("measured.gpu_hours") }} as gpu_hours,
    measured.requests,
    measured.input_tokens,
    measured.output_tokens,
    {{ quantity("measured.output_tokens_per_gpu_second") }} as output_tokens_per_gpu_second,
    {{ quantity("measured.input_tokens_per_gpu_second") }} as input_tokens_per_gpu_second,
    {{ quantity("measured.request_seconds / 3600") }} as mean_concurrency,
    case when measured.from_request_logs then 'request_logs' else 'server_counters' end as token_source,
    {{ money("measured.direct_cost") }} as direct_cost,
    {{ money("measured.total_cost") }} as total_cost,
    {{ money("measured.direct_cost / measured.gpu_hours") }} as cost_per_gpu_hour,
    measured.has_requests,
    {{ quantity("sustained.sustained_peak") }} as sustained_peak_output_tokens_per_gpu_second,
    {{ quantity("coalesce(measured.declared_output_tokens_per_gpu_second, sustained.sustained_peak)") }}
        as capacity_output_tokens_per_gpu_second,
    case
        when measured.declared_output_tokens_per_gpu_second is not null then 'declared'
        else 'sustained_peak'
    end as capacity_source,
    {{ quantity("measured.output_tokens_per_gpu_second / nullif(coalesce(
        measured.declared_output_tokens_per_gpu_second, sustained.sustained_peak), 0)") }}
        as throughput_utilization
from measured
left join sustained
    on measured.deployment = sustained.deployment
    and measured.config_id is not distinct from sustained.config_id
