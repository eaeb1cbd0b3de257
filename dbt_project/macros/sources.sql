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
    literally named `*`. Declaring costs several metastore writes a source, at every run: a table whose declaration
    has not changed (the same columns, location and options — its MD5 kept as a table property) is left as it is;
    it lists its folder's files again whenever a new session reads it. -#}
{% macro spark__register_sources() -%}
  {%- if execute -%}
    {%- set declared = {} -%}
    {%- for source in graph.sources.values() if source.package_name == 'cpt' -%}
      {%- set location = source.meta.get('external_location') or source.source_meta.get('external_location') -%}
      {%- set pattern = modules.re.search("read_parquet\('([^']+)'", location).group(1) | replace('{name}', source.identifier) -%}
      {%- set root = modules.re.sub('/[^/]*[*?\[{][^/]*(/.*)?$', '', pattern.rsplit('/', 1)[0] ~ '/') | replace('/**', '') -%}
      {%- set root = root.rstrip('/') -%}
      {%- set file_names = pattern.rsplit('/', 1)[1] -%}
      {%- set options = "recursiveFileLookup 'true', pathGlobFilter '" ~ file_names ~ "'" -%}
      {%- if source.schema not in declared -%}
        {%- do run_query('create database if not exists ' ~ source.schema) -%}
        {%- do declared.update({source.schema: run_query('show tables in ' ~ source.schema).columns[1].values()}) -%}
      {%- endif -%}
      {%- do run_query("create or replace temporary view cpt_source_columns using parquet options (path '"
          ~ root ~ "/*', mergeSchema 'true', " ~ options ~ ")") -%}
      {%- set columns = [] -%}
      {%- for column in run_query('describe cpt_source_columns') -%}
        {%- do columns.append('`' ~ column[0] ~ '` ' ~ column[1]) -%}
      {%- endfor -%}
      {%- set relation = source.schema ~ '.' ~ source.identifier -%}
      {%- set files_table = 'create table ' ~ relation ~ '__files (' ~ columns | join(', ') ~ ") using parquet options ("
          ~ options ~ ") location '" ~ root ~ "'" -%}
      {%- set view = 'create view ' ~ relation ~ ' as select *'
          ~ (', input_file_name() as filename' if 'filename=true' in location else '') ~ ' from ' ~ relation ~ '__files' -%}
      {%- set fingerprint = local_md5(files_table ~ ';' ~ view) -%}
      {%- set tables = declared[source.schema] -%}
      {%- set unchanged = (source.identifier ~ '__files') in tables and source.identifier in tables
          and run_query("show tblproperties " ~ relation ~ "__files ('cpt.declaration')").columns[-1].values()[0] == fingerprint -%}
      {%- if not unchanged -%}
        {%- do run_query('drop view if exists ' ~ relation) -%}
        {%- do run_query('drop table if exists ' ~ relation ~ '__files') -%}
        {%- do run_query(files_table ~ " tblproperties ('cpt.declaration' = '" ~ fingerprint ~ "')") -%}
        {%- do run_query(view) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  select 1
{%- endmacro %}
