-- One row per catalog SKU × region: its latest list price.

with

source as (

    select * from {{ source('bronze_gcp', 'gcp_list_prices') }}

),

latest as (

    select
        *,
        row_number() over (partition by sku_id, region order by effective_time desc, fetched_at desc) as recency
    from source

),

renamed as (

    select

        ---------- ids
        sku_id,

        ---------- dimensions
        'gcp' as provider,
        description,
        resource_group,
        usage_type,
        region,
        currency,
        pricing_unit,

        ---------- amounts
        unit_price,

        ---------- timestamps (UTC)
        effective_time,
        fetched_at

    from latest
    where recency = 1

)

select * from renamed
