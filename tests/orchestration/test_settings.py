"""The settings and their defaults, written once (orchestration/settings.py) and shown from there."""

import re
from pathlib import Path

from orchestration.settings import BY_NAME, SETTINGS, apply_defaults, markdown_table, value

ROOT = Path(__file__).parents[2]


def test_defaults_follow_the_data_and_source_folders(tmp_path):
    environ = {"CPT_DATA_DIR": str(tmp_path / "d")}
    apply_defaults(environ)
    assert environ["CPT_SOURCE_DIR"] == str(tmp_path / "d" / "source")
    assert environ["CPT_AWS_BILLING_URI"] == str(tmp_path / "d" / "source" / "aws")
    assert environ["CPT_PROMETHEUS_URI"] == str(tmp_path / "d" / "source" / "tokens" / "metrics")
    assert environ["DAGSTER_HOME"] == str(tmp_path / "d" / "dagster_home")
    assert environ["CPT_HISTORY_START"] == "2020-01"
    assert set(environ) == set(BY_NAME)


def test_what_is_set_is_kept_an_empty_source_stays_off_and_folders_become_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    environ = {
        "CPT_DATA_DIR": "rel",
        "CPT_SOURCE_DIR": str(tmp_path / "inbox"),
        "CPT_AWS_BILLING_URI": "s3://bucket/cur",
        "CPT_LITELLM_LOGS_URI": "",
        "DAGSTER_HOME": "",
    }
    apply_defaults(environ)
    assert environ["CPT_DATA_DIR"] == str(tmp_path / "rel")
    assert environ["CPT_AWS_BILLING_URI"] == "s3://bucket/cur"
    assert environ["CPT_GCP_BILLING_URI"] == str(tmp_path / "inbox" / "gcp")
    assert environ["CPT_LITELLM_LOGS_URI"] == ""  # off, like none
    assert environ["DAGSTER_HOME"] == str(tmp_path / "rel" / "dagster_home")
    assert value("CPT_DUCKDB_MEMORY_LIMIT", {}) == "1536MB"


def test_the_readme_table_is_the_settings_table():
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme, "README's settings table: python -m orchestration.settings --markdown"
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.M))
    assert {s.name for s in SETTINGS} <= documented


def test_no_other_file_writes_a_default_of_its_own():
    makefile = (ROOT / "Makefile").read_text()
    assert not re.search(r"^(export )?(CPT_\w+|DAGSTER_HOME)\s*[:?]?=", makefile, flags=re.M)
    # dbt reads the memory limit itself (profiles.yml cannot import Python): its fallback is the same default
    profiles = (ROOT / "dbt_project" / "profiles.yml").read_text()
    assert f"env_var('CPT_DUCKDB_MEMORY_LIMIT', '{BY_NAME['CPT_DUCKDB_MEMORY_LIMIT'].default}')" in profiles
