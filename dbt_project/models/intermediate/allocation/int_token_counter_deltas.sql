-- Server token counters as usage per deployment × hour × model: the increase between consecutive readings of a
-- series (deployment, instance, server, model, counter), in the hour of the later reading. A reading lower than
-- the one before means the server restarted and the counter began again at zero: the increase is the reading
-- itself. A series' first reading only sets the baseline (what came before it is not known).

with

readings as (

    select
        *,
        lag(value) over (
            partition by deployment, instance, server, model, counter order by scraped_at
        ) as previous_value
    from {{ ref('stg_tokens__token_counter_samples') }}

),

deltas as (

    select
        deployment,
        model,
        counter,
        {{ dbt.date_trunc('hour', 'scraped_at') }} as usage_hour,
        case
            when previous_value is null then 0.0
            when value >= previous_value then value - previous_value
            else value
        end as delta
    from readings

)

select
    deployment,
    usage_hour,
    model,
    {{ exact_sum("case when counter = 'input_tokens' then delta else 0.0 end") }} as input_tokens,
    {{ exact_sum("case when counter = 'output_tokens' then delta else 0.0 end") }} as output_tokens,
    {{ exact_sum("case when counter = 'requests' then delta else 0.0 end") }} as requests
from deltas
group by deployment, usage_hour, model
