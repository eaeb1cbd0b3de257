"""dbt-duckdb's plugin for bronze on S3 (``plugins`` of the duckdb target in dbt_project/profiles.yml): every
connection dbt opens can read the ``s3://`` bronze prefix of CPT_BRONZE_URI (ingest/bronze_store.py)."""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from ingest.bronze_store import register_bronze_filesystem


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        register_bronze_filesystem(conn)
