-- One row per inference request, duplicates (re-shipped log lines) removed, hour of completion attached.
-- Team and deployment are as logged here; int_inference_requests_attributed resolves them.

with

source as (

    select * from {{ source('bronze_tokens', 'inference_requests') }}

),

ranked as (

    select
        *,
        row_number() over (partition by request_id order by finished_at, source_file) as copy_number
    from source

),

renamed as (

    select

        ---------- ids
        request_id,

        ---------- dimensions
        deployment,
        coalesce(model, 'unknown') as model,
        team,
        api_key_hash,
        region,
        instance_id,
        endpoint,
        status,

        ---------- amounts
        input_tokens,
        cached_input_tokens,
        input_tokens - cached_input_tokens as uncached_input_tokens,
        output_tokens,
        output_tokens
            + {{ var('cpt_input_token_weight') }} * (input_tokens - cached_input_tokens)
            + {{ var('cpt_cached_input_token_weight') }} * cached_input_tokens as weighted_tokens,
        ttft_ms,
        latency_ms,

        ---------- timestamps (UTC)
        started_at,
        finished_at,
        {{ dbt.date_trunc('hour', 'finished_at') }} as usage_hour,

        ---------- lineage
        source_format,
        source_file

    from ranked
    where copy_number = 1

)

select * from renamed
