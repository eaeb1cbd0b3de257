-- Every request once (the first copy by finished_at, then source file: a re-shipped log line is dropped), with
-- the team and deployment this warehouse knows it by (seeds/team_mappings.csv, seeds/deployment_mappings.csv).
-- Nothing is dropped: an unknown team is 'unattributed', an unknown deployment is named after its model
-- ("model:<model>").
--
-- Incremental (the daily run reads one new day of logs, not the month): bronze part files are named after
-- their load, so the files this table has not read yet, and the ones it read that are gone (a day re-read),
-- name the usage days to redo. Every request id seen on such a day — in the logs now or in this table — is
-- ranked again over all its copies in the logs, and replaces its row (delete+insert on request_id); the
-- post-hook then drops rows whose file is gone and whose id has no copy left. A change to the mapping seeds
-- changes mapping_digest, and every day is redone. The result is the same as a full rebuild
-- (tests/test_incremental.py). Only the columns the per-day models downstream read are kept: writing a
-- 30M-row table costs about a second per column on a small machine (BENCHMARKS.md).

{{ config(
    materialized='incremental',
    unique_key='request_id',
    incremental_strategy='delete+insert',
    post_hook=[
        "{% if is_incremental() %}delete from {{ this }} where bronze_file not in (select distinct bronze_file from {{ ref('stg_tokens__inference_requests') }}){% endif %}"
    ]
) }}

{%- set kept = ['request_id', 'deployment', 'model', 'team', 'api_key_hash', 'region', 'instance_id', 'endpoint',
                'input_tokens', 'cached_input_tokens', 'output_tokens', 'ttft_ms', 'latency_ms', 'usage_hour',
                'usage_date', 'bronze_file'] %}

{#- The logs are read where they are used, not through a shared CTE: an engine may materialize a CTE used
    more than once, and that would copy every request into temporary storage. -#}
{%- set requests = ref('stg_tokens__inference_requests') %}

{%- set candidates -%}
    (
        select requests.*
        from {{ requests }} as requests
        {%- if is_incremental() %}
        inner join ids_to_redo on requests.request_id = ids_to_redo.request_id
        {%- endif %}
    )
{%- endset %}

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

read_files as (

    select distinct bronze_file from {{ this }}

),

current_files as (

    select distinct bronze_file from {{ requests }}

),

new_files as (

    select current_files.bronze_file
    from current_files
    left join read_files on current_files.bronze_file = read_files.bronze_file
    where read_files.bronze_file is null

),

gone_files as (

    select read_files.bronze_file
    from read_files
    left join current_files on read_files.bronze_file = current_files.bronze_file
    where current_files.bronze_file is null

),

days_to_redo as (

    select distinct requests.usage_date
    from {{ requests }} as requests
    inner join new_files on requests.bronze_file = new_files.bronze_file

    union

    select distinct stored.usage_date
    from {{ this }} as stored
    inner join gone_files on stored.bronze_file = gone_files.bronze_file

    union

    select distinct stored.usage_date
    from {{ this }} as stored
    cross join mapping
    where stored.mapping_digest <> mapping.mapping_digest

),

ids_to_redo as (

    select requests.request_id
    from {{ requests }} as requests
    inner join days_to_redo on requests.usage_date = days_to_redo.usage_date

    union

    select stored.request_id
    from {{ this }} as stored
    inner join days_to_redo on stored.usage_date = days_to_redo.usage_date

),

{% endif %}

-- Ids logged more than once: usually none, so ranking only their copies spares a sort of every request. Found
-- by a 64-bit hash of the id first (cheap to group), then checked on the ids behind a repeated hash.
repeated_hashes as (

    select {{ hash64('request_id') }} as id_hash
    from {{ candidates }} as candidates
    group by {{ hash64('request_id') }}
    having count(*) > 1

),

repeated_ids as (

    select candidates.request_id
    from {{ candidates }} as candidates
    inner join repeated_hashes on {{ hash64('candidates.request_id') }} = repeated_hashes.id_hash
    group by candidates.request_id
    having count(*) > 1

),

first_copies as (

    select {% for column in kept %}candidates.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ candidates }} as candidates
    left join repeated_ids on candidates.request_id = repeated_ids.request_id
    where repeated_ids.request_id is null

    union all

    select {% for column in kept %}ranked.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
    from (
        select
            candidates.*,
            row_number() over (
                partition by candidates.request_id order by finished_at, source_file, bronze_file
            ) as copy_number
        from {{ candidates }} as candidates
        inner join repeated_ids on candidates.request_id = repeated_ids.request_id
    ) as ranked
    where copy_number = 1

)

select
    first_copies.request_id,
    coalesce(
        group_deployments.deployment,
        first_copies.deployment,
        endpoint_deployments.deployment,
        concat('model:', first_copies.model)
    ) as deployment,
    first_copies.model,
    coalesce(id_teams.team, first_copies.team, key_teams.team, 'unattributed') as team,
    first_copies.region,
    first_copies.instance_id,
    first_copies.input_tokens,
    first_copies.cached_input_tokens,
    first_copies.output_tokens,
    first_copies.ttft_ms,
    first_copies.latency_ms,
    first_copies.usage_hour,
    first_copies.usage_date,
    first_copies.bronze_file,
    mapping.mapping_digest,
    {{ loaded_at() }} as loaded_at
from first_copies
cross join mapping
left join teams as id_teams
    on id_teams.match_field = 'team_id' and first_copies.team = id_teams.match_value
left join teams as key_teams
    on key_teams.match_field = 'api_key_hash' and first_copies.api_key_hash = key_teams.match_value
left join deployments as group_deployments
    on group_deployments.match_field = 'model_group' and first_copies.deployment = group_deployments.match_value
left join deployments as endpoint_deployments
    on endpoint_deployments.match_field = 'api_base' and first_copies.endpoint = endpoint_deployments.match_value
