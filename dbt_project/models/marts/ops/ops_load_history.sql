-- Load history: every file received, with its size, SHA-256, delivery and time, what was read from it, and whether
-- it is what the warehouse holds now. Billing: a file is in force when its delivery is the one in the warehouse
-- for its month (a re-delivery replaces the month; the earlier files stay listed, not in force), and its rows are
-- the lines loaded from it. Token logs: the latest record of a file is in force, with the rows parsed from it.

with

files as (

    select * from {{ ref('stg_landing__files') }}

),

billing_rows as (

    select delivery_id, source_file, count(*) as rows_loaded
    from {{ ref('int_billing_line_items_unioned') }}
    group by delivery_id, source_file

),

latest as (

    select
        *,
        row_number() over (partition by dataset, file_key order by landed_at desc, sha256 asc) = 1 as is_latest
    from files

)

select
    latest.dataset,
    latest.source,
    latest.file_key,
    latest.size_bytes,
    latest.sha256,
    latest.delivery_id,
    latest.landed_at,
    coalesce(latest.rows_parsed, billing_rows.rows_loaded) as rows_read,
    case
        when latest.dataset like 'billing/%'
            then latest.delivery_id in (select loaded.delivery_id from billing_rows as loaded)
        else latest.is_latest
    end as in_force,
    latest.kept_in_landing
from latest
left join billing_rows
    on latest.dataset like 'billing/%'
    and latest.delivery_id = billing_rows.delivery_id
    and regexp_extract(latest.file_key, '[^/]+$') = billing_rows.source_file
