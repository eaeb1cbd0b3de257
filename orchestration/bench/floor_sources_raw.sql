-- The floor's inputs read from the files as delivered (see floor.sql): the AWS CUR 2.0 parquet, the GCP billing
-- export JSONL, the Azure and OCI FOCUS exports' CSV.gz, the gateway's JSONL.gz logs and the servers' Prometheus
-- text, under the source placeholder (the delivery folder).
-- The FOCUS rules the bill needs are written out here by hand: EffectiveCost (commitments amortized: covered
-- usage at the plan's rate, negations and fees at zero), the pricing tier, GCP credits netted into their row; the
-- FOCUS exports need only their pricing tier and the VM size or shape out of SkuPriceDetails.
aws as (
    select
        line_item_resource_id as resource_id, bill_billing_period_start_date as period,
        case when line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage',
                                               'SavingsPlanNegation') then 'Usage'
             when line_item_line_item_type = 'Tax' then 'Tax'
             when line_item_line_item_type in ('Credit', 'Refund', 'BundledDiscount', 'Discount', 'EdpDiscount',
                                               'PrivateRateDiscount') then 'Credit'
             else 'Purchase' end as category,
        case when line_item_line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanNegation') then 'savings_plan'
             when line_item_line_item_type = 'DiscountedUsage' then 'reserved'
             when line_item_line_item_type = 'Usage' and pricing_term = 'Spot' then 'spot'
             when line_item_line_item_type = 'Usage' then 'on_demand' end as tier,
        product_instance_type as instance_type, product_region_code as region,
        case when line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
             then case pricing_unit when 'Hrs' then 'Hours' else pricing_unit end end as unit,
        case when line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
             then line_item_usage_amount end as quantity,
        case line_item_line_item_type
             when 'SavingsPlanCoveredUsage' then savings_plan_savings_plan_effective_cost
             when 'DiscountedUsage' then reservation_effective_cost
             when 'SavingsPlanNegation' then 0.0 when 'SavingsPlanUpfrontFee' then 0.0
             when 'SavingsPlanRecurringFee' then 0.0 when 'RIFee' then 0.0
             else line_item_unblended_cost end as cost,
        line_item_usage_start_date as period_start, line_item_usage_end_date as period_end,
        coalesce(resource_tags['user_cpt:deployment'], resource_tags['user_cpt-deployment'],
                 resource_tags['user_cpt_deployment']) as deployment,
        coalesce(resource_tags['user_cpt:cluster'], resource_tags['user_cpt-cluster'],
                 resource_tags['user_cpt_cluster']) as cluster,
        coalesce(resource_tags['user_cpt:shared'], resource_tags['user_cpt-shared'],
                 resource_tags['user_cpt_shared']) as shared_cluster
    from read_parquet('{source}/aws/cur2/*/data/*/*.parquet', hive_partitioning = false)
),
gcp_rows as (
    select *, list_concat(coalesce(project.labels, []), coalesce(labels, [])) as all_labels
    from read_json('{source}/gcp/billing_export/*/*.jsonl', format = 'newline_delimited', columns = {
        usage_start_time: 'TIMESTAMPTZ', usage_end_time: 'TIMESTAMPTZ', invoice: 'STRUCT(month VARCHAR)',
        cost_type: 'VARCHAR', cost: 'DOUBLE', sku: 'STRUCT(description VARCHAR)',
        credits: 'STRUCT(amount DOUBLE, type VARCHAR)[]', location: 'STRUCT(region VARCHAR)',
        resource: 'STRUCT(global_name VARCHAR)', usage: 'STRUCT(amount_in_pricing_units DOUBLE, pricing_unit VARCHAR)',
        system_labels: 'STRUCT(key VARCHAR, value VARCHAR)[]', project: 'STRUCT(labels STRUCT(key VARCHAR, value VARCHAR)[])',
        labels: 'STRUCT(key VARCHAR, value VARCHAR)[]'})
),
gcp as (
    select
        resource.global_name as resource_id, invoice.month as period,
        case cost_type when 'regular' then 'Usage' when 'tax' then 'Tax' when 'credit' then 'Credit'
                       else 'Adjustment' end as category,
        case when cost_type <> 'regular' then null
             when list_bool_or([c.type like 'COMMITTED_USAGE_DISCOUNT%' for c in credits]) then 'committed_use'
             when regexp_matches(sku.description, '(?i)spot|preemptible') then 'spot'
             else 'on_demand' end as tier,
        [l.value for l in system_labels if l.key = 'compute.googleapis.com/machine_spec'][1] as instance_type,
        location.region as region,
        case when cost_type = 'regular' then
             case usage.pricing_unit when 'hour' then 'Hours' else usage.pricing_unit end end as unit,
        case when cost_type = 'regular' then usage.amount_in_pricing_units end as quantity,
        cost + coalesce(list_sum([c.amount for c in credits]), 0.0) as cost,
        usage_start_time as period_start, usage_end_time as period_end,
        coalesce([l.value for l in all_labels if l.key = 'cpt-deployment'][1],
                 [l.value for l in all_labels if l.key = 'cpt:deployment'][1]) as deployment,
        coalesce([l.value for l in all_labels if l.key = 'cpt-cluster'][1],
                 [l.value for l in all_labels if l.key = 'cpt:cluster'][1]) as cluster,
        coalesce([l.value for l in all_labels if l.key = 'cpt-shared'][1],
                 [l.value for l in all_labels if l.key = 'cpt:shared'][1]) as shared_cluster
    from gcp_rows
),
focus as (
    select
        ResourceId as resource_id, BillingPeriodStart as period, ChargeCategory as category,
        case when ChargeCategory <> 'Usage' then null
             when PricingCategory = 'Dynamic' then 'spot'
             when PricingCategory = 'Committed' and CommitmentDiscountCategory = 'Spend' then 'savings_plan'
             when PricingCategory = 'Committed' and CommitmentDiscountCategory = 'Usage' then 'reserved'
             when PricingCategory = 'Standard' then 'on_demand' end as tier,
        coalesce(json_extract_string(SkuPriceDetails, '$.VMSize'), json_extract_string(SkuPriceDetails, '$.Shape'))
            as instance_type,
        RegionId as region, ConsumedUnit as unit, ConsumedQuantity::double as quantity, EffectiveCost::double as cost,
        ChargePeriodStart::timestamptz as period_start, ChargePeriodEnd::timestamptz as period_end,
        coalesce(json_extract_string(Tags, '$."cpt:deployment"'), json_extract_string(Tags, '$."cpt-deployment"'))
            as deployment,
        coalesce(json_extract_string(Tags, '$."cpt:cluster"'), json_extract_string(Tags, '$."cpt-cluster"')) as cluster,
        coalesce(json_extract_string(Tags, '$."cpt:shared"'), json_extract_string(Tags, '$."cpt-shared"'))
            as shared_cluster
    from read_csv('{source}/focus/**/*.csv.gz', all_varchar = true, header = true, union_by_name = true)
),
bill as (
    select * replace (period::varchar as period) from aws where category <> 'Tax'
    union all by name
    select * from gcp where category <> 'Tax'
    union all by name
    select * from focus where category <> 'Tax'
),
raw_requests as (
    select id as request_id, gateway.finished_at::timestamptz as finished_at, filename as source_file,
           gateway.deployment as deployment, model, null::varchar as endpoint,
           usage.completion_tokens as output_tokens
    from read_json('{source}/tokens/gateway/*/*/*/*.jsonl*', format = 'newline_delimited', filename = true,
                   columns = {id: 'VARCHAR', model: 'VARCHAR', usage: 'STRUCT(completion_tokens BIGINT)',
                              gateway: 'STRUCT(deployment VARCHAR, finished_at VARCHAR)'})
    where id is not null and usage.completion_tokens >= 0
),
counter_samples as (
    select regexp_extract(filename, '/([^/]+)/[^/]+\.prom$', 1) as deployment,
           regexp_extract(filename, '/([^/]+)\.prom$', 1) as instance,
           split_part(metric, ':', 1) as server,
           regexp_extract(metric, 'model_name="([^"]*)"', 1) as model,
           case regexp_extract(metric, '^[a-z]+:([a-z_]+)', 1)
                when 'prompt_tokens_total' then 'input_tokens' when 'generation_tokens_total' then 'output_tokens'
                else 'requests' end as counter,
           make_timestamptz(ts * 1000) as scraped_at, value
    from read_csv('{source}/tokens/metrics/*/*/*/*/*.prom', delim = ' ', header = false, comment = '#',
                  auto_detect = false, filename = true, columns = {metric: 'VARCHAR', value: 'DOUBLE', ts: 'BIGINT'})
)
