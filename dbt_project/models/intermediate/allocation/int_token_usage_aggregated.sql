-- Token usage per deployment × hour × team × model (the hour in which requests finished, rule 3).

select
    deployment,
    usage_hour,
    team,
    model,
    max(region) as region,
    count(*) as requests,
    {{ exact_sum("input_tokens") }} as input_tokens,
    {{ exact_sum("cached_input_tokens") }} as cached_input_tokens,
    {{ exact_sum("output_tokens") }} as output_tokens,
    {{ exact_sum("weighted_tokens") }} as weighted_tokens,
    {{ exact_sum("latency_ms") }} / 1000.0 as request_seconds
from {{ ref('stg_tokens__inference_requests') }}
group by deployment, usage_hour, team, model
