-- One row per inference deployment seen in the bill or in the token logs, with its cluster and provider
-- (from the billing tags) and the model it serves most (from the logs, or the servers' counters).

with

billed as (

    select
        deployment,
        max(cluster) as cluster,
        max(provider) as provider,
        max(region) as billed_region
    from {{ ref('int_billing_lines_scoped') }}
    where scope = 'deployment'
    group by deployment

),

served as (

    select
        deployment,
        model,
        sum(requests) as requests,
        row_number() over (partition by deployment order by sum(requests) desc, model) as model_rank
    from {{ ref('int_token_usage_aggregated') }}  -- request logs, and server counters where there are none
    group by deployment, model

),

deployments as (

    select deployment from billed
    union
    select deployment from served

)

select
    deployments.deployment,
    billed.cluster,
    billed.provider,
    billed.billed_region as region,
    served.model as primary_model,
    billed.deployment is not null as has_billed_cost,
    served.deployment is not null as has_token_logs
from deployments
left join billed on deployments.deployment = billed.deployment
left join served on deployments.deployment = served.deployment and served.model_rank = 1
