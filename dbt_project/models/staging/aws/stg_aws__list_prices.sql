-- One row per EC2 instance type × region × offer: its latest public price. An offer is on_demand or
-- reserved_<lease>_<purchase option>_<offering class>, e.g. reserved_1yr_no_upfront_standard.

with

source as (

    select * from {{ source('bronze_aws', 'aws_list_prices') }}

),

offers as (

    select
        *,
        case
            when term_type = 'OnDemand' then 'on_demand'
            else lower(
                replace(concat_ws('_', 'reserved', lease_contract_length, purchase_option, offering_class), ' ', '_')
            )
        end as offer
    from source

),

latest as (

    select
        *,
        row_number() over (
            partition by instance_type, region, offer order by effective_date desc, fetched_at desc, sku asc
        ) as recency
    from offers

),

renamed as (

    select

        ---------- ids
        sku,

        ---------- dimensions
        'aws' as provider,
        instance_type,
        region,
        location,
        offer,
        term_type,
        lease_contract_length,
        purchase_option,
        offering_class,
        currency,

        ---------- amounts
        gpu_count,
        hourly_rate,
        upfront_fee,
        effective_hourly_rate,

        ---------- timestamps (UTC)
        effective_date,
        fetched_at

    from latest
    where recency = 1

)

select * from renamed
