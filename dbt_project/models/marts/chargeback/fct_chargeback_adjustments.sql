-- Adjustments: what changed in a closed month after it closed (a re-delivered bill, late billing rows, late token
-- logs), posted into the first month after it that is still open — never an edit of the closed month. Grain: one
-- row per posting month × restated month × chargeback line (provider × team × model × deployment × pricing tier ×
-- region × hardware). amount = the line's cost now − its cost frozen at the close − the adjustments already posted
-- (and frozen) for it, exact, posted from a billionth of a dollar; amount_usd in cents, by largest remainder per
-- restated month × provider. Adjustments posted into a month that has since closed are the frozen ones.

with

closed_months as (

    select month from {{ ref('stg_closed__months') }}

),

movements as (

    select month as restated_month, provider, team, model, deployment, pricing_tier, region, hardware,
        total_cost as amount
    from {{ ref('int_chargeback_lines') }}
    where month in (select closed_months.month from closed_months)

    union all

    select month, provider, team, model, deployment, pricing_tier, region, hardware, -total_cost
    from {{ ref('stg_closed__chargeback') }}

    union all

    select restated_month, provider, team, model, deployment, pricing_tier, region, hardware, -amount
    from {{ ref('stg_closed__adjustments') }}

),

deltas as (

    select
        restated_month, provider, team, model, deployment, pricing_tier, region, hardware,
        {{ money_sum("amount") }} as amount
    from movements
    group by restated_month, provider, team, model, deployment, pricing_tier, region, hardware
    -- a restatement moves money; a double's last bits, rounded otherwise by the engine (or version) that
    -- recomputed the month than by the one that closed it, are not
    having {{ is_money(money_sum("amount")) }}

),

-- The first open month after each closed month: the month after the last of the closed months that follow it
-- without a gap.
next_months as (

    select
        closed_months.month,
        cast({{ dbt.dateadd('month', 1, 'closed_months.month') }} as date) as next_month
    from closed_months

),

posting_months as (

    select
        restated.month as restated_month,
        min(next_months.next_month) as posting_month
    from closed_months as restated
    inner join next_months
        on restated.month <= next_months.month
    where next_months.next_month not in (select closed_months.month from closed_months)
    group by restated.month

),

fresh as (

    select
        posting_months.posting_month,
        deltas.*,
        concat_ws(
            '|', deltas.team, deltas.model, deltas.deployment, deltas.pricing_tier, deltas.region, deltas.hardware
        ) as line_key
    from deltas
    inner join posting_months on deltas.restated_month = posting_months.restated_month

),

computed as (

    select
        posting_month,
        restated_month,
        provider,
        team,
        model,
        deployment,
        pricing_tier,
        region,
        hardware,
        amount,
        {{ from_cents(largest_remainder("amount * 100", "restated_month, provider", "line_key")) }} as amount_usd
    from fresh

),

frozen as (

    select
        posting_month, restated_month, provider, team, model, deployment, pricing_tier, region, hardware,
        amount, amount_usd
    from {{ ref('stg_closed__adjustments') }}

)

select computed.*, false as is_closed from computed
union all
select frozen.*, true as is_closed from frozen
