-- Token usage per deployment × hour × team × model (the hour in which requests finished, rule 3).

select
    deployment,
    usage_hour,
    team,
    model,
    max(region) as region,
    count(*) as requests,
    sum(input_tokens) as input_tokens,
    sum(cached_input_tokens) as cached_input_tokens,
    sum(output_tokens) as output_tokens,
    sum(weighted_tokens) as weighted_tokens,
    sum(latency_ms) / 1000.0 as request_seconds
from {{ ref('stg_tokens__inference_requests') }}
group by deployment, usage_hour, team, model
