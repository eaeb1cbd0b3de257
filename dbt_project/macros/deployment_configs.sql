{#- The columns of seeds/deployment_configs.csv that describe a configuration (all but the deployment, the day it
    took effect and the note): what dim_deployment_configs compares version to version, and what a change's
    technique is matched on in fct_config_change_impact. -#}
{% macro deployment_config_attributes() -%}
  {{ return([
      "model", "total_params_b", "active_params_b", "engine", "engine_version", "quantization", "max_batch_size",
      "continuous_batching", "prefix_caching", "kv_cache_dtype", "speculative_decoding", "draft_model", "gpu_type",
      "gpu_count", "region", "pricing_tier", "slo_p99_latency_ms", "slo_p99_ttft_ms",
      "declared_output_tokens_per_gpu_second"
  ]) }}
{%- endmacro %}
