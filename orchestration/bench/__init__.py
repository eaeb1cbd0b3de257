"""Benchmarks of the whole pipeline (they drive the Dagster assets and dbt): `make bench`."""
