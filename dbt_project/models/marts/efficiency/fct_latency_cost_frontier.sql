-- The latency–cost frontier: what each deployment configuration paid per token for the latency it gave, at
-- each level of load. Grain: one row per model × deployment × configuration × load bucket, where a billed hour's
-- load bucket is its requests against the deployment's busiest hour under that configuration: low (under a
-- quarter), medium (a quarter to 60 %), high (above). Per row: CPT (1e6 × Σ cost ÷ Σ output tokens), p50/p99
-- request latency and p99 time to first token (over the requests of those hours), and SLO attainment: the share
-- of requests within the configuration's p99 latency and TTFT targets. A point is Pareto-optimal for its model
-- when no other point of the model is at least as cheap and at least as fast at p99, and better in one.
-- Request latency comes from request logs: a deployment known only by its counters has no point here.
--
-- Percentiles are exact, over a window partitioned by the point, which spills (a grouped percentile holds every
-- group's values at once and cannot: at 30M requests it ran out of DuckDB's memory limit beside the daily
-- percentiles). Still built after them, one sort-heavy model at a time.
-- depends_on: {{ ref('int_request_latency_daily') }}

with

hours as (

    select
        hourly.*,
        max(hourly.requests) over (partition by hourly.deployment, hourly.config_id) as peak_requests
    from {{ ref('fct_deployment_efficiency_hourly') }} as hourly
    where hourly.token_source = 'request_logs'

),

bucketed as (

    select
        hours.*,
        case
            when hours.requests < 0.25 * hours.peak_requests then 'low'
            when hours.requests <= 0.6 * hours.peak_requests then 'medium'
            else 'high'
        end as load_bucket
    from hours
    where hours.requests > 0

),

configs as (

    select * from {{ ref('dim_deployment_configs') }}

),

requests as (

    select
        bucketed.deployment,
        bucketed.config_id,
        bucketed.load_bucket,
        requests.latency_ms,
        requests.ttft_ms
    from {{ ref('int_inference_requests_attributed') }} as requests
    inner join bucketed
        on requests.deployment = bucketed.deployment and requests.usage_hour = bucketed.usage_hour

),

latency as (

    select * from (
        select
            requests.deployment,
            requests.config_id,
            requests.load_bucket,
            -- one sorted buffer per column for both of its percentiles
            {{ percentiles('requests.latency_ms', [0.5, 0.99]) }} over per_point as latency_ms_percentiles,
            {{ percentile('requests.ttft_ms', 0.99) }} over per_point as p99_ttft_ms,
            {{ share_where("requests.latency_ms <= configs.slo_p99_latency_ms") }} over per_point
                as latency_slo_attainment,
            {{ share_where("requests.ttft_ms <= configs.slo_p99_ttft_ms") }} over per_point
                as ttft_slo_attainment,
            {{ row_in_partition('requests.deployment, requests.config_id, requests.load_bucket') }} as row_in_point
        from requests
        left join configs on requests.config_id = configs.config_id
        window per_point as (partition by requests.deployment, requests.config_id, requests.load_bucket)
    ) as per_request
    where row_in_point = 1

),

points as (

    select
        configs.model,
        bucketed.deployment,
        bucketed.config_id,
        bucketed.load_bucket,
        count(*) as hours,
        sum(bucketed.requests) as requests,
        sum(bucketed.output_tokens) as output_tokens,
        sum(bucketed.total_cost) as total_cost,
        1e6 * sum(bucketed.total_cost) / nullif(sum(bucketed.output_tokens), 0) as cpt
    from bucketed
    inner join configs on bucketed.config_id = configs.config_id
    group by configs.model, bucketed.deployment, bucketed.config_id, bucketed.load_bucket

),

measured as (

    select
        points.*,
        {{ array_element('latency.latency_ms_percentiles', 1) }} as p50_latency_ms,
        {{ array_element('latency.latency_ms_percentiles', 2) }} as p99_latency_ms,
        latency.p99_ttft_ms,
        latency.latency_slo_attainment,
        latency.ttft_slo_attainment
    from points
    inner join latency
        on points.deployment = latency.deployment
        and points.config_id = latency.config_id
        and points.load_bucket = latency.load_bucket
    where points.cpt is not null

),

dominated as (

    select distinct point.deployment, point.config_id, point.load_bucket
    from measured as point
    inner join measured as other
        on point.model = other.model
        and point.cpt >= other.cpt
        and point.p99_latency_ms >= other.p99_latency_ms
        and (point.cpt > other.cpt or point.p99_latency_ms > other.p99_latency_ms)

)

select
    measured.model,
    measured.deployment,
    measured.config_id,
    measured.load_bucket,
    cast(measured.hours as bigint) as hours,
    cast(measured.requests as bigint) as requests,
    cast(measured.output_tokens as bigint) as output_tokens,
    {{ money("measured.total_cost") }} as total_cost,
    {{ money("measured.cpt") }} as cpt_micro_usd_per_output_token,
    cast(measured.p50_latency_ms as double) as p50_latency_ms,
    cast(measured.p99_latency_ms as double) as p99_latency_ms,
    cast(measured.p99_ttft_ms as double) as p99_ttft_ms,
    cast(configs.slo_p99_latency_ms as double) as slo_p99_latency_ms,
    cast(configs.slo_p99_ttft_ms as double) as slo_p99_ttft_ms,
    cast(measured.latency_slo_attainment as double) as latency_slo_attainment,
    cast(measured.ttft_slo_attainment as double) as ttft_slo_attainment,
    coalesce(measured.p99_latency_ms <= configs.slo_p99_latency_ms, false) as meets_latency_slo,
    dominated.deployment is null as is_pareto_optimal
from measured
left join configs on measured.config_id = configs.config_id
left join dominated
    on measured.deployment = dominated.deployment
    and measured.config_id = dominated.config_id
    and measured.load_bucket = dominated.load_bucket
