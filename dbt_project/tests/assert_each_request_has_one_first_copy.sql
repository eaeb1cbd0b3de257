-- Each request_id has exactly one first copy in int_inference_request_copies, so int_inference_requests_attributed
-- counts every request once and never twice. Checked on the rows the latest run loaded (after a full build: every
-- row). That suffices: a run deletes every stored copy of the requests its new rows carry (delete+insert on
-- request_hash), so a request's copies are all in one load. A day's incremental run then tests a day, not the month.

-- Grouped by the id's 64-bit hash first (cheap); the ids behind a hash with more than one row or without exactly one
-- first copy are then counted exactly. The latest rows are read where used (an engine may copy a CTE used twice
-- into temporary storage).

{%- set latest -%}
    (
        select request_hash, request_id, is_first_copy
        from {{ ref('int_inference_request_copies') }}
        where loaded_at = (select max(loaded_at) from {{ ref('int_inference_request_copies') }})
    )
{%- endset %}

with

suspect_hashes as (

    select request_hash
    from {{ latest }} as latest
    group by request_hash
    having count(*) > 1 or sum(case when is_first_copy then 1 else 0 end) <> 1

)

select latest.request_id, sum(case when latest.is_first_copy then 1 else 0 end) as first_copies
from {{ latest }} as latest
inner join suspect_hashes on latest.request_hash = suspect_hashes.request_hash
group by latest.request_id
having sum(case when latest.is_first_copy then 1 else 0 end) <> 1
