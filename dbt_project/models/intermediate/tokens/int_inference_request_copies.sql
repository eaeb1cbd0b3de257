-- Every logged copy of every request, with the team and deployment this warehouse knows it by
-- (seeds/team_mappings.csv, seeds/deployment_mappings.csv) and is_first_copy: of a request id's copies, the first
-- by finished_at, then source file, then bronze file (then the values, so the choice never depends on read order)
-- is the request; a re-shipped log line is a later copy. int_inference_requests_attributed is the first copies.
-- Nothing is dropped: an unknown team is 'unattributed', an unknown deployment is named after its model
-- ("model:<model>").
--
-- Incremental (the daily run reads one new day of logs, not the month). Bronze part files are named after their
-- load, so a run compares the files in bronze with the files this table holds: it reads only the new files, and
-- the requests on new files or on vanished ones (a day re-read) are ranked again over all their copies — the new
-- ones from the logs, the earlier ones from this table — and replace their rows (delete+insert on request_hash,
-- the id's 64-bit hash); the post-hook drops the rows of vanished files whose id has no copy left. Keeping every
-- copy here, not only the first, is what spares a run from reading the month of logs to find earlier copies.
-- A change to the mapping seeds (mapping_digest) reads every file again. The result equals a full rebuild
-- (tests/test_incremental.py).

{{ config(
    materialized='incremental',
    unique_key='request_hash',
    incremental_strategy=day_incremental_strategy(),
    partition_by=day_partitions(),
    post_hook=["{{ delete_rows_of_vanished_files(ref('stg_tokens__inference_requests')) }}"]
) }}

{%- set columns = ['request_hash', 'request_id', 'deployment', 'model', 'team', 'region', 'instance_id',
                   'input_tokens', 'cached_input_tokens', 'output_tokens', 'ttft_ms', 'latency_ms', 'finished_at',
                   'usage_date', 'source_file', 'bronze_file'] %}
{%- set ranking = ['finished_at', 'source_file', 'bronze_file']
                  + (columns | reject('in', ['request_hash', 'finished_at', 'source_file', 'bronze_file']) | list) %}
{%- set requests = ref('stg_tokens__inference_requests') %}

{#- The logged copies, attributed; in an incremental run only those in the files to read. Read where used, not
    through a CTE: an engine may copy a CTE used more than once into temporary storage — the month of logs. -#}
{%- set logged -%}
    (
        select
            {{ hash64('requests.request_id') }} as request_hash,
            requests.request_id,
            coalesce(
                group_deployments.deployment,
                requests.deployment,
                endpoint_deployments.deployment,
                concat('model:', requests.model)
            ) as deployment,
            requests.model,
            coalesce(id_teams.team, requests.team, key_teams.team, 'unattributed') as team,
            requests.region,
            requests.instance_id,
            requests.input_tokens,
            requests.cached_input_tokens,
            requests.output_tokens,
            requests.ttft_ms,
            requests.latency_ms,
            requests.finished_at,
            requests.usage_date,
            requests.source_file,
            requests.bronze_file
        from {{ requests }} as requests
        left join teams as id_teams
            on id_teams.match_field = 'team_id' and requests.team = id_teams.match_value
        left join teams as key_teams
            on key_teams.match_field = 'api_key_hash' and requests.api_key_hash = key_teams.match_value
        left join deployments as group_deployments
            on group_deployments.match_field = 'model_group' and requests.deployment = group_deployments.match_value
        left join deployments as endpoint_deployments
            on endpoint_deployments.match_field = 'api_base' and requests.endpoint = endpoint_deployments.match_value
        {%- if is_incremental() %}
        inner join files_to_read on requests.bronze_file = files_to_read.bronze_file
        {%- endif %}
    )
{%- endset %}

{#- The copies to rank: a full build ranks every logged copy; an incremental run the copies of the ids to redo
    (materialized once: a day of requests). -#}
{%- set ids = 'copies' if is_incremental() else requests %}
{%- set candidates = 'copies' if is_incremental() else logged %}

with

teams as (

    select match_field, match_value, team from {{ ref('team_mappings') }}

),

deployments as (

    select match_field, match_value, deployment from {{ ref('deployment_mappings') }}

),

mapping as (

    select
        {{ rows_digest(ref('team_mappings'), ['match_field', 'match_value', 'team']) }}
        || {{ rows_digest(ref('deployment_mappings'), ['match_field', 'match_value', 'deployment']) }}
            as mapping_digest

),

{% if is_incremental() %}

stored_files as (

    select distinct bronze_file from {{ this }}

),

current_files as (

    select distinct bronze_file from {{ requests }}

),

remapped as (

    select count(*) > 0 as remapped
    from (select distinct mapping_digest from {{ this }}) as stored
    cross join mapping
    where stored.mapping_digest <> mapping.mapping_digest

),

-- Files this table has not read, or every file when the mappings changed.
files_to_read as (

    select current_files.bronze_file
    from current_files
    cross join remapped
    left join stored_files on current_files.bronze_file = stored_files.bronze_file
    where stored_files.bronze_file is null or remapped.remapped

),

gone_files as (

    select stored_files.bronze_file
    from stored_files
    left join current_files on stored_files.bronze_file = current_files.bronze_file
    where current_files.bronze_file is null

),

-- The requests to rank again, by the 64-bit hash of their id: a run replaces every stored copy of a hash
-- (delete+insert on request_hash), which an engine finds far faster than the ids themselves; ids sharing a hash
-- are ranked apart and written back alike.
hashes_to_redo as (

    select {{ hash64('requests.request_id') }} as request_hash
    from {{ requests }} as requests
    inner join files_to_read on requests.bronze_file = files_to_read.bronze_file

    union

    select stored.request_hash
    from {{ this }} as stored
    inner join gone_files on stored.bronze_file = gone_files.bronze_file

),

copies as (

    select * from {{ logged }} as logged

    union all

    -- The earlier copies of those requests, as stored (attributed already), but not those of files vanished or
    -- read again.
    select {% for column in columns %}stored.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ this }} as stored
    where stored.request_hash in (select request_hash from hashes_to_redo)
        and stored.bronze_file not in (select bronze_file from gone_files)
        and stored.bronze_file not in (select bronze_file from files_to_read)

),

{% endif %}

-- Ids with more than one copy: usually none, so ranking only their copies spares a sort of every request. Found
-- by a 64-bit hash of the id first (cheap to group), then checked on the ids behind a repeated hash.
repeated_hashes as (

    select {{ hash64('request_id') }} as id_hash
    from {{ ids }}
    group by {{ hash64('request_id') }}
    having count(*) > 1

),

repeated_ids as (

    select ids.request_id
    from {{ ids }} as ids
    inner join repeated_hashes on {{ hash64('ids.request_id') }} = repeated_hashes.id_hash
    group by ids.request_id
    having count(*) > 1

),

flagged as (

    select candidates.*, true as is_first_copy
    from {{ candidates }} as candidates
    left join repeated_ids on candidates.request_id = repeated_ids.request_id
    where repeated_ids.request_id is null

    union all

    select {% for column in columns %}ranked.{{ column }}, {% endfor %}ranked.copy_number = 1 as is_first_copy  -- noqa: LT05
    from (
        select
            candidates.*,
            row_number() over (
                partition by candidates.request_id
                order by
                    {% for column in ranking -%}
                    candidates.{{ column }}{{ ',' if not loop.last }}
                    {% endfor %}
            ) as copy_number
        from {{ candidates }} as candidates
        inner join repeated_ids on candidates.request_id = repeated_ids.request_id
    ) as ranked

)

select
    flagged.*,
    mapping.mapping_digest,
    {{ loaded_at() }} as loaded_at
from flagged
cross join mapping
{%- if is_incremental() and day_partitions() %}

union all

-- Where a run replaces whole days (day_incremental_strategy), the rows it keeps of every day it touches: the
-- stored copies of other requests, but not those of files vanished or read again. Named: a partitioned table
-- keeps its partition column last.
select
    {% for column in columns %}stored.{{ column }}, {% endfor %}stored.is_first_copy, stored.mapping_digest,
    stored.loaded_at
from {{ this }} as stored
where stored.usage_date in (
        select usage_date from flagged
        union
        select stored_redone.usage_date
        from {{ this }} as stored_redone
        where stored_redone.request_hash in (select request_hash from hashes_to_redo)
            or stored_redone.bronze_file in (select bronze_file from gone_files)
    )
    and stored.request_hash not in (select request_hash from hashes_to_redo)
    and stored.bronze_file not in (select bronze_file from gone_files)
    and stored.bronze_file not in (select bronze_file from files_to_read)
{%- endif %}
