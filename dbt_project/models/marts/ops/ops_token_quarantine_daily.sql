-- Token-log records ingest refused, per log day, source format, file and reason: how many, and where the first
-- and last of them are (row numbers in the file) to look at. The records' text is never stored, here or in bronze.

select
    log_day,
    source_format,
    source_file,
    reason,
    count(*) as records,
    min(source_row) as first_row,
    max(source_row) as last_row
from {{ ref('stg_tokens__token_quarantine') }}
group by log_day, source_format, source_file, reason
