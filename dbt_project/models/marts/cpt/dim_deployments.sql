-- One row per deployment: inference deployments from the bill and the logs, plus one pseudo-deployment
-- "shared:<cluster>" per cluster whose shared overhead could not be placed on any deployment.

select
    deployment,
    'inference' as deployment_kind,
    cluster,
    provider,
    region,
    primary_model,
    has_billed_cost,
    has_token_logs
from {{ ref('int_deployments_resolved') }}

union all

select distinct
    concat('shared:', cluster) as deployment,
    'unplaced_shared' as deployment_kind,
    cluster,
    cast(null as string) as provider,
    cast(null as string) as region,
    cast(null as string) as primary_model,
    true as has_billed_cost,
    false as has_token_logs
from {{ ref('int_shared_costs_spread') }}
where deployment is null
