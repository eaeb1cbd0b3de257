-- Every file the landing zone recorded, from its manifests (landing/<kind>/<dataset>/_manifest.jsonl, one JSON
-- line per file received): billing files are kept there, every version; token logs are read where they are and
-- only recorded, with the rows parsed (their text never leaves the source). Read in place like bronze, so not
-- published; a data directory that has received nothing yet has no manifest, and this view is then empty.
-- On Spark too: its file listing skips every name that starts with '_', so it cannot read the manifests (the load
-- history built there lists no landed files; the money does not depend on it).

{%- set pattern = env_var('CPT_DATA_DIR', '/tmp/cpt-parse-only') ~ '/landing/*/*/_manifest.jsonl' %}
{%- set readable = execute and target.type != 'spark' %}
{%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')") if readable else none %}

{%- if found is not none and found.columns[0].values()[0] > 0 %}
select
    dataset,
    source,
    key as file_key,
    size as size_bytes,
    sha256,
    delivery_id,
    cast(landed_at as {{ timestamp_tz() }}) as landed_at,
    "rows" as rows_parsed,
    not starts_with(path, '(') as kept_in_landing
from read_json(
    '{{ pattern }}',
    format = 'newline_delimited',
    columns = {
        dataset: 'string', source: 'string', key: 'string', size: 'bigint', sha256: 'string',
        delivery_id: 'string', landed_at: 'string', path: 'string', "rows": 'bigint'
    }
)
{%- else %}
select
    cast(null as string) as dataset,
    cast(null as string) as source,
    cast(null as string) as file_key,
    cast(null as bigint) as size_bytes,
    cast(null as string) as sha256,
    cast(null as string) as delivery_id,
    cast(null as {{ timestamp_tz() }}) as landed_at,
    cast(null as bigint) as rows_parsed,
    cast(null as boolean) as kept_in_landing
where 1 = 0
{%- endif %}
