-- request_id is unique in int_inference_requests_attributed: a request is counted once.
-- Checked on the rows the latest run loaded (after a full build: every row). That suffices: a run deletes every
-- stored row whose request_id its new rows carry (delete+insert on request_id), so only the new rows can repeat
-- an id. A day's incremental run then tests a day of requests, not the month.

-- Grouped by a 64-bit hash of the id first (cheap), then the ids behind a repeated hash are compared. The
-- latest rows are read where used (an engine may copy a CTE used twice into temporary storage).

{%- set latest -%}
    (
        select request_id
        from {{ ref('int_inference_requests_attributed') }}
        where loaded_at = (select max(loaded_at) from {{ ref('int_inference_requests_attributed') }})
    )
{%- endset %}

with

repeated_hashes as (

    select {{ hash64('request_id') }} as id_hash
    from {{ latest }} as latest
    group by {{ hash64('request_id') }}
    having count(*) > 1

)

select latest.request_id, count(*) as copies
from {{ latest }} as latest
inner join repeated_hashes on {{ hash64('latest.request_id') }} = repeated_hashes.id_hash
group by latest.request_id
having count(*) > 1
