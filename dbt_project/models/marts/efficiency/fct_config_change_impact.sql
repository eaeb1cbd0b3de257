-- What each configuration change did: CPT, output tokens per GPU-second, cost per GPU-hour and p50/p99 latency
-- before vs after, with
-- 95 % bootstrap intervals, compared with the technique's typical effect (seeds/optimization_ranges.csv). Grain:
-- one row per change (its configuration after) × technique it matches (none: one row, technique null).
-- Method:
--   windows   the 14 days before the change and the 14 days from it, each cut short by the deployment's previous
--             or next change;
--   matching  hours are grouped into cells of weekday × hour of day; a cell counts when both windows billed it,
--             it served requests in both, and its requests after are within half to twice those before
--             (comparable load) — so a change is not credited with a weekend or a traffic step;
--   estimates over the matched cells: CPT = 1e6 × Σ cost ÷ Σ output tokens, throughput = Σ output tokens ÷ Σ
--             GPU-seconds, each side; latency = the median over cells of each cell's p50 (p99) request latency;
--   intervals the matched cells resampled with replacement 200 times (draws by a hash of change, resample
--             and draw: the same data give the same interval), the 2.5 and 97.5 percentiles of each ratio.

-- Built after the frontier, one sort-heavy model at a time. Its percentiles are over a window (exact, and it
-- spills: see there).
-- depends_on: {{ ref('fct_latency_cost_frontier') }}

{%- set window_days = 14 %}
{%- set resamples = 200 %}
{%- set attributes = deployment_config_attributes() %}

with

configs as (

    select * from {{ ref('dim_deployment_configs') }}

),

changes as (

    select
        after_change.config_id as change_id,
        after_change.deployment,
        before_change.config_id as config_id_before,
        after_change.changed_fields,
        after_change.valid_from as changed_at,
        greatest(
            before_change.valid_from, {{ dbt.dateadd('day', -window_days, 'after_change.valid_from') }}
        ) as window_start,
        least(
            coalesce(after_change.valid_to, {{ dbt.dateadd('day', window_days, 'after_change.valid_from') }}),
            {{ dbt.dateadd('day', window_days, 'after_change.valid_from') }}
        ) as window_end
    from configs as after_change
    inner join configs as before_change
        on after_change.deployment = before_change.deployment
        and after_change.version = before_change.version + 1

),

hours as (

    select
        changes.change_id,
        case when hourly.usage_hour < changes.changed_at then 'before' else 'after' end as side,
        cast({{ weekday('hourly.usage_hour') }} as integer) as weekday,
        cast(hour(hourly.usage_hour) as integer) as hour_of_day,
        hourly.direct_cost,
        hourly.total_cost,
        hourly.output_tokens,
        hourly.gpu_hours,
        hourly.requests
    from {{ ref('fct_deployment_efficiency_hourly') }} as hourly
    inner join changes
        on hourly.deployment = changes.deployment
        and hourly.usage_hour >= changes.window_start
        and hourly.usage_hour < changes.window_end

),

requests_in_windows as (

    select
        changes.change_id,
        case when requests.usage_hour < changes.changed_at then 'before' else 'after' end as side,
        cast({{ weekday('requests.usage_hour') }} as integer) as weekday,
        cast(hour(requests.usage_hour) as integer) as hour_of_day,
        requests.latency_ms
    from {{ ref('int_inference_requests_attributed') }} as requests
    inner join changes
        on requests.deployment = changes.deployment
        and requests.usage_hour >= changes.window_start
        and requests.usage_hour < changes.window_end
    where requests.latency_ms is not null

),

request_latency as (

    select
        change_id,
        side,
        weekday,
        hour_of_day,
        {{ array_element('latency_ms_percentiles', 1) }} as p50_latency_ms,
        {{ array_element('latency_ms_percentiles', 2) }} as p99_latency_ms
    from (
        -- one sorted buffer for both percentiles
        select
            change_id,
            side,
            weekday,
            hour_of_day,
            {{ percentiles('latency_ms', [0.5, 0.99]) }} over per_cell as latency_ms_percentiles,
            {{ row_in_partition('change_id, side, weekday, hour_of_day') }} as row_in_cell
        from requests_in_windows
        window per_cell as (partition by change_id, side, weekday, hour_of_day)
    ) as cell_latency
    where row_in_cell = 1

),

cells as (

    select
        hours.change_id,
        hours.side,
        hours.weekday,
        hours.hour_of_day,
        sum(hours.direct_cost) as direct_cost,
        sum(hours.total_cost) as total_cost,
        sum(hours.output_tokens) as output_tokens,
        sum(hours.gpu_hours) as gpu_hours,
        sum(hours.requests) as requests
    from hours
    group by hours.change_id, hours.side, hours.weekday, hours.hour_of_day

),

matched as (

    select
        before_cells.change_id,
        before_cells.weekday,
        before_cells.hour_of_day,
        before_cells.total_cost as cost_before,
        after_cells.total_cost as cost_after,
        before_cells.direct_cost as direct_cost_before,
        after_cells.direct_cost as direct_cost_after,
        before_cells.output_tokens as tokens_before,
        after_cells.output_tokens as tokens_after,
        before_cells.gpu_hours as gpu_hours_before,
        after_cells.gpu_hours as gpu_hours_after,
        before_cells.requests as requests_before,
        after_cells.requests as requests_after,
        latency_before.p50_latency_ms as p50_before,
        latency_after.p50_latency_ms as p50_after,
        latency_before.p99_latency_ms as p99_before,
        latency_after.p99_latency_ms as p99_after,
        row_number() over (
            partition by before_cells.change_id order by before_cells.weekday, before_cells.hour_of_day
        ) as cell_number,
        count(*) over (partition by before_cells.change_id) as matched_cells
    from cells as before_cells
    inner join cells as after_cells
        on before_cells.change_id = after_cells.change_id
        and before_cells.weekday = after_cells.weekday
        and before_cells.hour_of_day = after_cells.hour_of_day
        and after_cells.side = 'after'
    left join request_latency as latency_before
        on before_cells.change_id = latency_before.change_id
        and before_cells.weekday = latency_before.weekday
        and before_cells.hour_of_day = latency_before.hour_of_day
        and latency_before.side = 'before'
    left join request_latency as latency_after
        on before_cells.change_id = latency_after.change_id
        and before_cells.weekday = latency_after.weekday
        and before_cells.hour_of_day = latency_after.hour_of_day
        and latency_after.side = 'after'
    where before_cells.side = 'before'
        and before_cells.requests > 0
        and after_cells.requests between 0.5 * before_cells.requests and 2 * before_cells.requests
        and before_cells.output_tokens > 0
        and after_cells.output_tokens > 0

),

draws as (

    -- resample r, draw d: a matched cell chosen with replacement
    select
        matched_sizes.change_id,
        resamples.n as resample,
        1 + {{ positive_hash("concat(matched_sizes.change_id, '|', cast(resamples.n as string), '|', "
            "cast(positions.n as string))") }} % matched_sizes.matched_cells as cell_number
    from (select distinct change_id, matched_cells from matched) as matched_sizes
    cross join {{ numbers(3) }} as resamples
    inner join {{ numbers(4) }} as positions
        on matched_sizes.matched_cells > positions.n
    where resamples.n < {{ resamples }}

),

resampled as (

    select
        draws.change_id,
        draws.resample,
        sum(matched.cost_after) / sum(matched.tokens_after)
            / (sum(matched.cost_before) / sum(matched.tokens_before)) as cpt_ratio,
        sum(matched.tokens_after) / sum(matched.gpu_hours_after)
            / (sum(matched.tokens_before) / sum(matched.gpu_hours_before)) as throughput_ratio,
        sum(matched.direct_cost_after) / sum(matched.gpu_hours_after)
            / (sum(matched.direct_cost_before) / sum(matched.gpu_hours_before)) as gpu_hour_cost_ratio,
        {{ percentile('matched.p50_after', 0.5) }} / {{ percentile('matched.p50_before', 0.5) }} as p50_ratio,
        {{ percentile('matched.p99_after', 0.5) }} / {{ percentile('matched.p99_before', 0.5) }} as p99_ratio
    from draws
    inner join matched
        on draws.change_id = matched.change_id and draws.cell_number = matched.cell_number
    group by draws.change_id, draws.resample

),

intervals as (

    select
        change_id,
        {{ percentile('cpt_ratio', 0.025) }} as cpt_ratio_lo_95,
        {{ percentile('cpt_ratio', 0.975) }} as cpt_ratio_hi_95,
        {{ percentile('throughput_ratio', 0.025) }} as throughput_ratio_lo_95,
        {{ percentile('throughput_ratio', 0.975) }} as throughput_ratio_hi_95,
        {{ percentile('gpu_hour_cost_ratio', 0.025) }} as gpu_hour_cost_ratio_lo_95,
        {{ percentile('gpu_hour_cost_ratio', 0.975) }} as gpu_hour_cost_ratio_hi_95,
        {{ percentile('p50_ratio', 0.025) }} as p50_latency_ratio_lo_95,
        {{ percentile('p50_ratio', 0.975) }} as p50_latency_ratio_hi_95,
        {{ percentile('p99_ratio', 0.025) }} as p99_latency_ratio_lo_95,
        {{ percentile('p99_ratio', 0.975) }} as p99_latency_ratio_hi_95
    from resampled
    group by change_id

),

estimates as (

    select
        change_id,
        count(*) as matched_cells,
        sum(requests_before) as requests_before,
        sum(requests_after) as requests_after,
        1e6 * sum(cost_before) / sum(tokens_before) as cpt_before,
        1e6 * sum(cost_after) / sum(tokens_after) as cpt_after,
        sum(tokens_before) / (3600 * sum(gpu_hours_before)) as throughput_before,
        sum(tokens_after) / (3600 * sum(gpu_hours_after)) as throughput_after,
        sum(direct_cost_before) / sum(gpu_hours_before) as gpu_hour_cost_before,
        sum(direct_cost_after) / sum(gpu_hours_after) as gpu_hour_cost_after,
        {{ percentile('p50_before', 0.5) }} as p50_latency_before,
        {{ percentile('p50_after', 0.5) }} as p50_latency_after,
        {{ percentile('p99_before', 0.5) }} as p99_latency_before,
        {{ percentile('p99_after', 0.5) }} as p99_latency_after
    from matched
    group by change_id

),

impact as (

    select
        changes.*,
        estimates.matched_cells,
        estimates.requests_before,
        estimates.requests_after,
        estimates.cpt_before,
        estimates.cpt_after,
        estimates.cpt_after / estimates.cpt_before as cpt_ratio,
        intervals.cpt_ratio_lo_95,
        intervals.cpt_ratio_hi_95,
        estimates.throughput_before,
        estimates.throughput_after,
        estimates.throughput_after / estimates.throughput_before as throughput_ratio,
        intervals.throughput_ratio_lo_95,
        intervals.throughput_ratio_hi_95,
        estimates.gpu_hour_cost_before,
        estimates.gpu_hour_cost_after,
        estimates.gpu_hour_cost_after / estimates.gpu_hour_cost_before as gpu_hour_cost_ratio,
        intervals.gpu_hour_cost_ratio_lo_95,
        intervals.gpu_hour_cost_ratio_hi_95,
        estimates.p50_latency_before,
        estimates.p50_latency_after,
        estimates.p50_latency_after / estimates.p50_latency_before as p50_latency_ratio,
        intervals.p50_latency_ratio_lo_95,
        intervals.p50_latency_ratio_hi_95,
        estimates.p99_latency_before,
        estimates.p99_latency_after,
        estimates.p99_latency_after / estimates.p99_latency_before as p99_latency_ratio,
        intervals.p99_latency_ratio_lo_95,
        intervals.p99_latency_ratio_hi_95
    from changes
    left join estimates on changes.change_id = estimates.change_id
    left join intervals on changes.change_id = intervals.change_id

),

techniques as (

    select
        changes.change_id,
        ranges.technique,
        ranges.metric,
        ranges.typical_low,
        ranges.typical_high
    from changes
    inner join configs as after_change on changes.change_id = after_change.config_id
    inner join {{ ref('optimization_ranges') }} as ranges
        on position(concat(', ', ranges.changed_field, ', ') in concat(', ', changes.changed_fields, ', ')) > 0
        and (
            ranges.new_value is null
            or ranges.new_value = case ranges.changed_field
                {%- for attribute in attributes %}
                when '{{ attribute }}' then lower(cast(after_change.{{ attribute }} as string))
                {%- endfor %}
            end
        )

),

realized as (

    select
        impact.*,
        techniques.technique,
        techniques.metric,
        techniques.typical_low,
        techniques.typical_high,
        case techniques.metric
            when 'cpt_reduction' then 1 - impact.cpt_ratio
            when 'p50_latency_speedup' then 1 / impact.p50_latency_ratio
            when 'throughput_gain' then impact.throughput_ratio
        end as realized_effect,
        case techniques.metric
            when 'cpt_reduction' then 1 - impact.cpt_ratio_hi_95
            when 'p50_latency_speedup' then 1 / impact.p50_latency_ratio_hi_95
            when 'throughput_gain' then impact.throughput_ratio_lo_95
        end as realized_effect_lo_95,
        case techniques.metric
            when 'cpt_reduction' then 1 - impact.cpt_ratio_lo_95
            when 'p50_latency_speedup' then 1 / impact.p50_latency_ratio_lo_95
            when 'throughput_gain' then impact.throughput_ratio_hi_95
        end as realized_effect_hi_95
    from impact
    left join techniques on impact.change_id = techniques.change_id

)

select
    change_id as config_id_after,
    config_id_before,
    deployment,
    changed_fields,
    changed_at,
    window_start,
    window_end,
    cast(coalesce(matched_cells, 0) as bigint) as matched_cells,
    cast(requests_before as bigint) as requests_before,
    cast(requests_after as bigint) as requests_after,
    {{ money("cpt_before") }} as cpt_micro_usd_before,
    {{ money("cpt_after") }} as cpt_micro_usd_after,
    {{ quantity("cpt_ratio") }} as cpt_ratio,
    {{ quantity("cpt_ratio_lo_95") }} as cpt_ratio_lo_95,
    {{ quantity("cpt_ratio_hi_95") }} as cpt_ratio_hi_95,
    {{ quantity("throughput_before") }} as output_tokens_per_gpu_second_before,
    {{ quantity("throughput_after") }} as output_tokens_per_gpu_second_after,
    {{ quantity("throughput_ratio") }} as throughput_ratio,
    {{ quantity("throughput_ratio_lo_95") }} as throughput_ratio_lo_95,
    {{ quantity("throughput_ratio_hi_95") }} as throughput_ratio_hi_95,
    {{ money("gpu_hour_cost_before") }} as cost_per_gpu_hour_before,
    {{ money("gpu_hour_cost_after") }} as cost_per_gpu_hour_after,
    {{ quantity("gpu_hour_cost_ratio") }} as cost_per_gpu_hour_ratio,
    {{ quantity("gpu_hour_cost_ratio_lo_95") }} as cost_per_gpu_hour_ratio_lo_95,
    {{ quantity("gpu_hour_cost_ratio_hi_95") }} as cost_per_gpu_hour_ratio_hi_95,
    cast(p50_latency_before as double) as p50_latency_ms_before,
    cast(p50_latency_after as double) as p50_latency_ms_after,
    cast(p50_latency_ratio as double) as p50_latency_ratio,
    cast(p50_latency_ratio_lo_95 as double) as p50_latency_ratio_lo_95,
    cast(p50_latency_ratio_hi_95 as double) as p50_latency_ratio_hi_95,
    cast(p99_latency_before as double) as p99_latency_ms_before,
    cast(p99_latency_after as double) as p99_latency_ms_after,
    cast(p99_latency_ratio as double) as p99_latency_ratio,
    cast(p99_latency_ratio_lo_95 as double) as p99_latency_ratio_lo_95,
    cast(p99_latency_ratio_hi_95 as double) as p99_latency_ratio_hi_95,
    technique,
    metric,
    typical_low,
    typical_high,
    cast(realized_effect as double) as realized_effect,
    cast(realized_effect_lo_95 as double) as realized_effect_lo_95,
    cast(realized_effect_hi_95 as double) as realized_effect_hi_95,
    coalesce(realized_effect < typical_low or realized_effect > typical_high, false) as outside_typical_range
from realized
