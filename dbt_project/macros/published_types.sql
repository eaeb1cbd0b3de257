{#- The exact types of the published warehouse (analytics schema).
    Money is USD as DECIMAL(38, 12): 26 digits before the point and 12 after, a millionth of a micro-dollar, so a
    cost per token in µ$ keeps six decimals and sums of published rows are exact in any order. Ratios (CPT, $ per
    1M tokens, shares) use the same type. Counts of requests and tokens are BIGINT. -#}

{% macro money(expression) -%}
  cast({{ expression }} as decimal(38, 12))
{%- endmacro %}

{#- Fractional quantities that are not money: GPU hours, weighted tokens (the allocation key), shares. -#}
{% macro quantity(expression) -%}
  cast({{ expression }} as decimal(38, 12))
{%- endmacro %}

{#- A sum of money, exact whatever order the rows arrive in (see exact_sum), as published money. -#}
{% macro money_sum(expression) -%}
  cast(sum(cast({{ expression }} as decimal(38, 18))) as decimal(38, 12))
{%- endmacro %}

{#- Whether an amount (a difference of money, usually) is money at all: at least a billionth of a dollar. Less is
    a double's last bits turned into decimal digits — the two engines, or two versions of one, round those apart —
    never a charge, a refund or a restatement. -#}
{% macro is_money(amount) -%}
  abs({{ amount }}) >= 1e-9
{%- endmacro %}

{#- An amount to the cent, as people read it: for keeping, comparing and ranking amounts shown in dollars and cents.
    Two amounts a double's last bits apart are equal to the cent, so an order by it never hangs on those bits. -#}
{% macro to_the_cent(amount) -%}
  round({{ amount }}, 2)
{%- endmacro %}

{#- A count that is whole at the published grain, made an integer (sums of split parts carry 1e-12 noise). -#}
{% macro whole(expression) -%}
  cast(round({{ expression }}) as bigint)
{%- endmacro %}

{#- Whole numbers for the parts of a total that a split made fractional (a deployment-hour's tokens spread over
    its cost pools by GPU capacity): every part is rounded down and the units left over go, one each, to the parts
    with the largest remainders (ties by `tiebreak`). The parts of each `partition` sum exactly to its whole total,
    and no part moves by a whole unit. -#}
{% macro largest_remainder(value, partition, tiebreak) -%}
  {{ largest_remainder_to(value, partition, tiebreak, "round(sum(" ~ value ~ ") over (partition by " ~ partition ~ "))") }}
{%- endmacro %}

{#- The same split made whole to a given `target` (constant within each partition, e.g. an invoice in cents):
    the units between the sum of the rounded-down parts and the target go, one each, to the parts with the
    largest remainders; when the target is below that sum, one unit is taken from each of the parts with the
    smallest remainders. The parts of each partition sum exactly to the target. -#}
{% macro largest_remainder_to(value, partition, tiebreak, target) -%}
  {%- set units_left -%}
    ({{ target }}) - sum(floor({{ value }})) over (partition by {{ partition }})
  {%- endset -%}
  cast(floor({{ value }}) + case
      when {{ units_left }} > 0
          and row_number() over (
              partition by {{ partition }} order by {{ value }} - floor({{ value }}) desc, {{ tiebreak }}
          ) <= {{ units_left }}
          then 1
      when {{ units_left }} < 0
          and row_number() over (
              partition by {{ partition }} order by {{ value }} - floor({{ value }}) asc, {{ tiebreak }}
          ) <= -({{ units_left }})
          then -1
      else 0
  end as bigint)
{%- endmacro %}

{#- An amount in cents (a BIGINT) as published money rounded to the cent, DECIMAL(38, 2). -#}
{% macro from_cents(cents) -%}
  cast(cast({{ cents }} as decimal(38, 0)) / 100 as decimal(38, 2))
{%- endmacro %}
