-- Every request with the team and deployment this warehouse knows it by (seeds/team_mappings.csv,
-- seeds/deployment_mappings.csv). Nothing is dropped: an unknown team is 'unattributed', an unknown deployment
-- is named after its model ("model:<model>").

with

requests as (

    select * from {{ ref('stg_tokens__inference_requests') }}

),

teams as (

    select match_field, match_value, team from {{ ref('team_mappings') }}

),

deployments as (

    select match_field, match_value, deployment from {{ ref('deployment_mappings') }}

)

select
    requests.request_id,
    coalesce(
        group_deployments.deployment,
        requests.deployment,
        endpoint_deployments.deployment,
        concat('model:', requests.model)
    ) as deployment,
    requests.model,
    coalesce(id_teams.team, requests.team, key_teams.team, 'unattributed') as team,
    requests.api_key_hash,
    requests.region,
    requests.instance_id,
    requests.endpoint,
    requests.status,
    requests.input_tokens,
    requests.cached_input_tokens,
    requests.uncached_input_tokens,
    requests.output_tokens,
    requests.weighted_tokens,
    requests.ttft_ms,
    requests.latency_ms,
    requests.started_at,
    requests.finished_at,
    requests.usage_hour,
    requests.source_format,
    requests.source_file
from requests
left join teams as id_teams
    on id_teams.match_field = 'team_id' and requests.team = id_teams.match_value
left join teams as key_teams
    on key_teams.match_field = 'api_key_hash' and requests.api_key_hash = key_teams.match_value
left join deployments as group_deployments
    on group_deployments.match_field = 'model_group' and requests.deployment = group_deployments.match_value
left join deployments as endpoint_deployments
    on endpoint_deployments.match_field = 'api_base' and requests.endpoint = endpoint_deployments.match_value
