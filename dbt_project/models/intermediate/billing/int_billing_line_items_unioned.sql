-- Every provider's billing lines in one relation (same columns: each staging model is focus_line_items_renamed).

select * from {{ ref('stg_aws__billing_line_items') }}
union all
select * from {{ ref('stg_gcp__billing_line_items') }}
