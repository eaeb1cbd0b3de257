-- The floor: one hand-written DuckDB query computing, per deployment × day, the cost charged to the
-- deployment (its pools' EffectiveCost, spread over hours, plus the shared overhead of its cluster placed on its
-- GPU pools by pool cost) and its output tokens (request logs deduplicated by id; server counters for hours
-- without logs) — the same rules as the dbt models, without their intermediate tables.
-- The sources placeholder below is replaced by the CTEs of floor_sources_raw.sql (the files as delivered) or floor_sources_bronze.sql
-- (our bronze parquet): bill, raw_requests, counter_samples. Amounts are assumed to be in USD already.
with
{sources},
resource_usage as (
    select resource_id, period, max(tier) as tier, max(instance_type) as instance_type, max(region) as region
    from bill where category = 'Usage' and resource_id is not null group by all
),
in_scope as (
    select
        bill.deployment, bill.cluster, bill.shared_cluster, bill.resource_id,
        coalesce(bill.region, u.region, 'global') as region,
        coalesce(bill.tier, u.tier, 'other') as tier,
        coalesce(bill.instance_type, u.instance_type) as instance_type,
        case when bill.unit = 'Hours' then bill.quantity end as consumed_hours,
        bill.cost, date_trunc('hour', bill.period_start) as first_hour,
        greatest(1, date_diff('hour', date_trunc('hour', bill.period_start), bill.period_end)) as hours
    from bill left join resource_usage as u on bill.resource_id = u.resource_id and bill.period = u.period
    where bill.deployment is not null or bill.shared_cluster is not null
),
hourly as (
    select *, first_hour + to_hours(n) as cost_hour, cost / hours as hour_cost, consumed_hours / hours as hour_consumed
    from in_scope, range(hours) as t(n)
),
hardware as (select instance_type, gpu_count from read_csv('{seeds}/hardware_specs.csv')),
deployment_lines as (
    select hourly.*, coalesce(hardware.instance_type, 'non-gpu') as hw, coalesce(hardware.gpu_count, 0) as gpus
    from hourly left join hardware on hourly.instance_type = hardware.instance_type
    where hourly.deployment is not null
),
pools as (
    select deployment, cost_hour, region, tier, hw, sum(hour_cost::decimal(38, 18))::double as pool_cost
    from deployment_lines group by all
),
pool_gpu_hours as (
    select deployment, cost_hour, region, tier, hw, sum(gpu_hours) as gpu_hours from (
        select deployment, cost_hour, region, tier, hw, resource_id, min(hour_consumed) * max(gpus) as gpu_hours
        from deployment_lines where gpus > 0 and hour_consumed > 0 group by all
    ) group by all
),
clusters as (select deployment, max(cluster) as cluster from deployment_lines group by all),
gpu_pools as (
    select pools.*, clusters.cluster from pools
    join pool_gpu_hours using (deployment, cost_hour, region, tier, hw)
    join clusters using (deployment)
    where pool_gpu_hours.gpu_hours > 0 and pools.pool_cost > 0
),
shared as (
    select shared_cluster as cluster, cost_hour, sum(hour_cost::decimal(38, 18))::double as shared_cost
    from hourly where deployment is null group by all
),
placed as (
    select gpu_pools.deployment, gpu_pools.cost_hour,
           shared.shared_cost * gpu_pools.pool_cost / sum(gpu_pools.pool_cost) over (
               partition by gpu_pools.cluster, gpu_pools.cost_hour) as cost
    from gpu_pools join shared using (cluster, cost_hour)
),
deployment_cost as (
    select deployment, cost_hour::date as day, sum(cost::decimal(38, 18))::double as cost from (
        select deployment, cost_hour, pool_cost as cost from pools
        union all select deployment, cost_hour, cost from placed
    ) group by all
),
mappings as (select * from read_csv('{seeds}/deployment_mappings.csv')),
requests as (
    select * from raw_requests
    qualify row_number() over (partition by request_id order by finished_at, source_file) = 1
),
logged as (
    select coalesce(groups.deployment, requests.deployment, endpoints.deployment,
                    'model:' || coalesce(requests.model, 'unknown')) as deployment,
           date_trunc('hour', finished_at) as usage_hour, output_tokens
    from requests
    left join mappings as groups on groups.match_field = 'model_group' and requests.deployment = groups.match_value
    left join mappings as endpoints on endpoints.match_field = 'api_base' and requests.endpoint = endpoints.match_value
),
logged_hours as (select distinct deployment, usage_hour from logged),
counter_deltas as (
    select deployment, date_trunc('hour', scraped_at) as usage_hour, counter,
           case when previous is null then 0.0 when value >= previous then value - previous else value end as delta
    from (
        select *, lag(value) over (partition by deployment, instance, server, coalesce(model, 'unknown'), counter
                                   order by scraped_at) as previous
        from counter_samples
    )
),
counted as (
    select deployment, usage_hour,
           sum(case when counter = 'output_tokens' then delta else 0 end) as output_tokens,
           sum(delta) as any_delta
    from counter_deltas group by all
),
deployment_tokens as (
    select deployment, usage_hour::date as day, sum(output_tokens) as output_tokens from (
        select deployment, usage_hour, output_tokens from logged
        union all
        select counted.deployment, counted.usage_hour, counted.output_tokens from counted
        left join logged_hours using (deployment, usage_hour)
        where logged_hours.deployment is null and counted.any_delta > 0
    ) group by all
)
select coalesce(c.deployment, t.deployment) as deployment, coalesce(c.day, t.day) as day,
       coalesce(c.cost, 0) as cost, coalesce(t.output_tokens, 0) as output_tokens
from deployment_cost as c full outer join deployment_tokens as t on c.deployment = t.deployment and c.day = t.day
order by 1, 2
