{#- The standard normal cumulative distribution Φ(x), from the Abramowitz & Stegun 26.2.17 polynomial (absolute
    error below 7.5e-8): for x ≥ 0, Φ(x) = 1 − φ(x)(b1 t + … + b5 t^5) with t = 1 / (1 + 0.2316419 x), and
    Φ(−x) = 1 − Φ(x). Portable: only exp, abs and arithmetic. -#}
{% macro normal_cdf(x) -%}
  (case when ({{ x }}) >= 0 then 1 - {{ _normal_upper_tail(x) }} else {{ _normal_upper_tail(x) }} end)
{%- endmacro %}

{% macro _normal_upper_tail(x) -%}
  (exp(-0.5 * ({{ x }}) * ({{ x }})) / 2.5066282746310002
    * ({% set t = "(1.0 / (1.0 + 0.2316419 * abs(" ~ x ~ ")))" -%}
       {{ t }} * (0.319381530 + {{ t }} * (-0.356563782 + {{ t }} * (1.781477937
       + {{ t }} * (-1.821255978 + {{ t }} * 1.330274429))))))
{%- endmacro %}
