-- Every request once: the first of its logged copies (int_inference_request_copies, where the ranking and the
-- team and deployment resolution are), with the hour it belongs to. A view: nothing is copied.

{{ config(materialized='view') }}

select
    request_id,
    deployment,
    model,
    team,
    region,
    instance_id,
    input_tokens,
    cached_input_tokens,
    output_tokens,
    ttft_ms,
    latency_ms,
    {{ dbt.date_trunc('hour', 'finished_at') }} as usage_hour,
    usage_date,
    bronze_file,
    mapping_digest,
    loaded_at
from {{ ref('int_inference_request_copies') }}
where is_first_copy
