-- request_id is unique in int_inference_requests_attributed: a request is counted once.
-- Checked on the rows the latest run loaded (after a full build: every row). That suffices: a run deletes every
-- stored row whose request_id its new rows carry (delete+insert on request_id), so only the new rows can repeat
-- an id. A day's incremental run then tests a day of requests, not the month.

with

requests as (

    select * from {{ ref('int_inference_requests_attributed') }}

)

select request_id, count(*) as copies
from requests
where loaded_at = (select max(loaded_at) from requests)
group by request_id
having count(*) > 1
