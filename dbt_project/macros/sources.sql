{#- Sources on engines that cannot read files inside a query (Spark). Before a run each source becomes a table
    over its parquet files, under the source's own schema and name, read where ingest wrote them: the folder
    DuckDB's read_parquet names (its external_location), every file below it whose name matches the last part of
    that pattern. The columns are those of all the files merged by name (as DuckDB's union_by_name), read again at
    every run, so a new run sees the files and columns written since the last. Sources that DuckDB reads with
    `filename=true` get that column too (the file's URI). -#}
{% macro register_sources() -%}
  {{ return(adapter.dispatch('register_sources', 'cpt')()) }}
{%- endmacro %}

{% macro default__register_sources() -%}
  select 1
{%- endmacro %}

{#- Typed empty files live in folders named `_empty`, which Spark's listing skips as hidden: the columns are read
    through a temporary view whose paths are the folder's children (a glob makes each child a root, hidden or not),
    then the table is declared with them. A glob is never a table's location: the metastore would create a folder
    literally named `*`. -#}
{% macro spark__register_sources() -%}
  {%- if execute -%}
    {%- set schemas = [] -%}
    {%- for source in graph.sources.values() if source.package_name == 'cpt' -%}
      {%- set location = source.meta.get('external_location') or source.source_meta.get('external_location') -%}
      {%- set pattern = modules.re.search("read_parquet\('([^']+)'", location).group(1) | replace('{name}', source.identifier) -%}
      {%- set root = modules.re.sub('/[^/]*[*?\[{][^/]*(/.*)?$', '', pattern.rsplit('/', 1)[0] ~ '/') | replace('/**', '') -%}
      {%- set root = root.rstrip('/') -%}
      {%- set file_names = pattern.rsplit('/', 1)[1] -%}
      {%- set options = "recursiveFileLookup 'true', pathGlobFilter '" ~ file_names ~ "'" -%}
      {%- if source.schema not in schemas -%}
        {%- do run_query('create database if not exists ' ~ source.schema) -%}
        {%- do schemas.append(source.schema) -%}
      {%- endif -%}
      {%- do run_query("create or replace temporary view cpt_source_columns using parquet options (path '"
          ~ root ~ "/*', mergeSchema 'true', " ~ options ~ ")") -%}
      {%- set columns = [] -%}
      {%- for column in run_query('describe cpt_source_columns') -%}
        {%- do columns.append('`' ~ column[0] ~ '` ' ~ column[1]) -%}
      {%- endfor -%}
      {%- set relation = source.schema ~ '.' ~ source.identifier -%}
      {%- do run_query('drop view if exists ' ~ relation) -%}
      {%- do run_query('drop table if exists ' ~ relation ~ '__files') -%}
      {%- do run_query('create table ' ~ relation ~ '__files (' ~ columns | join(', ') ~ ") using parquet options ("
          ~ options ~ ") location '" ~ root ~ "'") -%}
      {%- do run_query('create view ' ~ relation ~ ' as select *'
          ~ (', input_file_name() as filename' if 'filename=true' in location else '') ~ ' from ' ~ relation ~ '__files') -%}
    {%- endfor -%}
  {%- endif -%}
  select 1
{%- endmacro %}
