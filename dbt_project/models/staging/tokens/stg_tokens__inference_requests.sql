-- One row per request record as logged — every copy: the incremental int_inference_request_copies flags the
-- first copy of each request id (a re-shipped line is a later copy) and resolves team and deployment, which are
-- as logged here. Nothing here
-- depends on a var or a seed (the incremental model downstream stores these columns).

with

source as (

    select * from {{ source('bronze_tokens', 'inference_requests') }}

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
        ttft_ms,
        latency_ms,

        ---------- timestamps (UTC)
        started_at,
        finished_at,
        {{ dbt.date_trunc('hour', 'finished_at') }} as usage_hour,
        cast(finished_at as date) as usage_date,

        ---------- lineage
        source_format,
        source_file,
        filename as bronze_file

    from source

)

select * from renamed
