-- One row per hardware value of the CPT facts: GPU instance types, plus "non-gpu" (volumes, credits without
-- an instance) and "unknown" (tokens with no cost pool).

select instance_type as hardware, provider, gpu_type, gpu_count, gpu_memory_gb
from {{ ref('hardware_specs') }}

union all

select 'non-gpu', cast(null as string), cast(null as string), 0, 0

union all

select 'unknown', cast(null as string), cast(null as string), cast(null as integer), cast(null as integer)
