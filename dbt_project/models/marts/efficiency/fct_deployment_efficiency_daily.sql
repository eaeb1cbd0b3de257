-- Efficiency per deployment × day × configuration (a configuration changes at midnight, so a day has one): the
-- hourly facts summed, the ratios recomputed from the sums (never averaged). has_requests_share is the share of
-- billed hours that served a request — not GPU busy time; throughput_utilization is the tokens served against
-- the capacity of the hours billed.

{%- set capacity_tokens = double_product("gpu_hours * 3600", "capacity_output_tokens_per_gpu_second") %}

select
    deployment,
    usage_date,
    config_id,
    count(*) as billed_hours,
    cast(sum(case when has_requests then 1 else 0 end) as bigint) as hours_with_requests,
    {{ quantity(share_where("has_requests")) }} as has_requests_share,
    {{ quantity("sum(gpu_hours)") }} as gpu_hours,
    cast(sum(requests) as bigint) as requests,
    cast(sum(input_tokens) as bigint) as input_tokens,
    cast(sum(output_tokens) as bigint) as output_tokens,
    {{ quantity("sum(output_tokens) / (sum(gpu_hours) * 3600)") }} as output_tokens_per_gpu_second,
    {{ quantity("sum(input_tokens) / (sum(gpu_hours) * 3600)") }} as input_tokens_per_gpu_second,
    {{ quantity("sum(mean_concurrency) / count(*)") }} as mean_concurrency,
    max(token_source) as token_source,
    {{ money_sum("direct_cost") }} as direct_cost,
    {{ money_sum("total_cost") }} as total_cost,
    {{ money("sum(direct_cost) / sum(gpu_hours)") }} as cost_per_gpu_hour,
    max(capacity_source) as capacity_source,
    {{ quantity("sum(output_tokens) / nullif(" ~ exact_sum(capacity_tokens) ~ ", 0)") }} as throughput_utilization
from {{ ref('fct_deployment_efficiency_hourly') }}
group by deployment, usage_date, config_id
