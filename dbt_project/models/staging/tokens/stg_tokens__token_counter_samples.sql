-- One row per counter reading, cumulative since the server started.

with

source as (

    select * from {{ source('bronze_tokens', 'inference_token_counter_samples') }}

),

renamed as (

    select

        ---------- dimensions
        deployment,
        instance,
        server,
        coalesce(model, 'unknown') as model,
        counter,

        ---------- amounts
        value,

        ---------- timestamps (UTC)
        scraped_at,

        ---------- lineage
        source_file

    from source

)

select * from renamed
