{#- The per-token ratios, from a grain's sums (never from finer ratios), in one place for every table that
    publishes them:
      CPT                  1e6 × priced cost ÷ output tokens (all-in µ$ per generated token);
      $ per 1M input       the input tokens' share of the priced cost by the allocation key, per 1M input tokens;
      $ per 1M output      the output tokens' share, per 1M output tokens (with the input figure: the priced cost).
    Arguments are SQL expressions of the grain's priced cost, output, input, weighted and weighted input tokens. -#}
{% macro cpt_ratios(priced_cost, output_tokens, input_tokens, weighted_tokens, weighted_input_tokens) -%}
    {{ money("1e6 * " ~ priced_cost ~ " / nullif(" ~ output_tokens ~ ", 0)") }} as cpt_micro_usd_per_output_token,
    {{ money("1e6 * " ~ priced_cost ~ " * " ~ weighted_input_tokens ~ " / nullif(" ~ weighted_tokens ~ ", 0) / nullif("
        ~ input_tokens ~ ", 0)") }} as input_usd_per_1m_input_tokens,
    {{ money("1e6 * " ~ priced_cost ~ " * (" ~ weighted_tokens ~ " - " ~ weighted_input_tokens ~ ") / nullif("
        ~ weighted_tokens ~ ", 0) / nullif(" ~ output_tokens ~ ", 0)") }} as output_usd_per_1m_output_tokens
{%- endmacro %}
