-- The floor's inputs read from bronze parquet (see floor.sql); the bronze placeholder is the bronze folder.
bill as (
    select
        ResourceId as resource_id, x_BillingPeriod as period, ChargeCategory as category, x_PricingTier as tier,
        x_InstanceType as instance_type, RegionId as region, ConsumedUnit as unit, ConsumedQuantity as quantity,
        EffectiveCost as cost, ChargePeriodStart as period_start, ChargePeriodEnd as period_end,
        coalesce(json_extract_string(Tags, '$."cpt:deployment"'), json_extract_string(Tags, '$."cpt-deployment"'),
                 json_extract_string(Tags, '$."cpt_deployment"')) as deployment,
        coalesce(json_extract_string(Tags, '$."cpt:cluster"'), json_extract_string(Tags, '$."cpt-cluster"'),
                 json_extract_string(Tags, '$."cpt_cluster"')) as cluster,
        coalesce(json_extract_string(Tags, '$."cpt:shared"'), json_extract_string(Tags, '$."cpt-shared"'),
                 json_extract_string(Tags, '$."cpt_shared"')) as shared_cluster
    from read_parquet(['{bronze}/aws_billing_line_items/**/*.parquet', '{bronze}/gcp_billing_line_items/**/*.parquet',
                       '{bronze}/focus_billing_line_items/**/*.parquet'], union_by_name = true, hive_partitioning = false)
    where ChargeCategory <> 'Tax'
),
raw_requests as (
    select request_id, finished_at, source_file, deployment, model, endpoint, output_tokens
    from read_parquet('{bronze}/inference_requests/**/*.parquet', union_by_name = true, hive_partitioning = false)
),
counter_samples as (
    select deployment, instance, server, model, counter, scraped_at, value
    from read_parquet('{bronze}/inference_token_counter_samples/**/*.parquet', union_by_name = true,
                      hive_partitioning = false)
)
