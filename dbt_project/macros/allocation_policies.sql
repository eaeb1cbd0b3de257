{#- Allocation policies (ALLOCATION.md): each is a dbt var, checked here against var cpt_policy_choices (the one
    list of the values, dbt_project.yml) so that a typo fails the build instead of silently allocating by another
    rule. Dagster passes them as --vars from run config. -#}

{% macro cpt_policy(name) -%}
    {%- set value = var(name) -%}
    {%- set allowed = var('cpt_policy_choices')[name] -%}
    {%- if value not in allowed -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " = '" ~ value ~ "': expected one of " ~ allowed | join(", ")) }}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}

{% macro allocation_key() -%}
    {{- return(cpt_policy('cpt_allocation_key')) -}}
{%- endmacro %}

{% macro idle_policy() -%}
    {{- return(cpt_policy('cpt_idle_policy')) -}}
{%- endmacro %}

{% macro shared_policy() -%}
    {{- return(cpt_policy('cpt_shared_policy')) -}}
{%- endmacro %}

{#- The allocation units of a usage row under the configured key. Counter-only hours have no latency: under
    gpu_seconds they fall back to weighted tokens (an hour is either logged or counted, never both). -#}
{% macro allocation_units(weighted_tokens, output_tokens, request_seconds) -%}
    {%- set key = allocation_key() -%}
    {%- if key == 'weighted_tokens' -%} {{ weighted_tokens }}
    {%- elif key == 'output_tokens' -%} {{ output_tokens }}
    {%- else -%} coalesce({{ request_seconds }}, 0)
    {%- endif -%}
{%- endmacro %}

{#- Weighted tokens (README "How the money is allocated", step 4): output + var(cpt_input_token_weight) × uncached input
    + var(cpt_cached_input_token_weight) × cached input. Linear, so it applies to sums as well as to requests. -#}
{% macro weighted_tokens(output_tokens, input_tokens, cached_input_tokens) -%}
    ({{ output_tokens }} + {{ var('cpt_input_token_weight') }} * ({{ input_tokens }} - {{ cached_input_tokens }})
        + {{ var('cpt_cached_input_token_weight') }} * {{ cached_input_tokens }})
{%- endmacro %}

{#- Weight of an uncached / cached input token relative to an output token in the input/output cost split:
    zero when only output tokens carry cost. -#}
{% macro input_token_weight() -%}
    {{- return(0 if allocation_key() == 'output_tokens' else var('cpt_input_token_weight')) -}}
{%- endmacro %}

{% macro cached_input_token_weight() -%}
    {{- return(0 if allocation_key() == 'output_tokens' else var('cpt_cached_input_token_weight')) -}}
{%- endmacro %}

{#- (deployment, ratio) rows of var('cpt_shared_fixed_ratios'), a portable VALUES list. -#}
{% macro shared_fixed_ratios() -%}
    {%- set ratios = var('cpt_shared_fixed_ratios') -%}
    {%- if ratios | length == 0 -%}
        select cast(null as {{ dbt.type_string() }}) as deployment, cast(null as {{ dbt.type_float() }}) as ratio where 1 = 0
    {%- else -%}
        {%- for deployment, ratio in ratios.items() %}
        {% if not loop.first %}union all {% endif %}select '{{ deployment }}' as deployment, cast({{ ratio }} as {{ dbt.type_float() }}) as ratio
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
