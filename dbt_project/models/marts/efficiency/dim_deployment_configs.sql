-- Deployment configurations as slowly changing history (SCD type 2): one row per deployment × configuration,
-- valid from the UTC midnight it took effect until the next one did (valid_to null: in force now). A
-- configuration changes at a day boundary, so each deployment-day has exactly one. changed_fields names what
-- differs from the deployment's previous configuration — the change that change-impact analysis measures.

{%- set attributes = deployment_config_attributes() %}

with

configs as (

    select * from {{ ref('deployment_configs') }}

),

versions as (

    select
        configs.*,
        row_number() over (partition by deployment order by effective_from) as version,
        lead(effective_from) over (partition by deployment order by effective_from) as next_effective_from
        {%- for attribute in attributes %},
        lag({{ attribute }}) over (partition by deployment order by effective_from) as previous_{{ attribute }}
        {%- endfor %}
    from configs

)

select
    concat(deployment, '@', cast(effective_from as string)) as config_id,
    deployment,
    cast(version as integer) as version,
    cast(effective_from as timestamp) as valid_from,
    cast(next_effective_from as timestamp) as valid_to,
    next_effective_from is null as is_current,
    {%- for attribute in attributes %}
    {{ attribute }},
    {%- endfor %}
    case when version > 1 then concat_ws(
        ', '
        {%- for attribute in attributes %},
        case when {{ attribute }} is distinct from previous_{{ attribute }} then '{{ attribute }}' end
        {%- endfor %}
    ) end as changed_fields,
    note
from versions
