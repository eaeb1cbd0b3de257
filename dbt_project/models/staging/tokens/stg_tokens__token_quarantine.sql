-- Bronze token_quarantine with the log day of the partition each row is in (bronze keeps one file per format and
-- log day, under day=YYYY-MM-DD). No record text: ingest never writes it.

select
    cast(nullif(regexp_extract(filename, 'day=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '') as date) as log_day,
    source_format,
    source_file,
    source_row,
    reason,
    record_id,
    quarantined_at
from {{ source('bronze_tokens', 'token_quarantine') }}
