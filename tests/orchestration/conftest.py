import pytest

from orchestration.settings import SETTINGS, default


@pytest.fixture
def cpt_env(tmp_path, monkeypatch):
    """Point the Dagster resources, the dbt profile and the Dagster instance at a fresh folder."""
    data = tmp_path / "data"
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    given = {
        "CPT_DATA_DIR": str(data),
        "CPT_SOURCE_DIR": str(tmp_path / "source"),
        "CPT_GCP_CATALOG_URI": str(tmp_path / "source" / "gcp" / "catalog" / "skus.json"),
        "DAGSTER_HOME": str(home),
    }
    for setting in SETTINGS:  # the others take their defaults from these, whatever the caller's environment holds
        monkeypatch.setenv(setting.name, given.get(setting.name) or default(setting.name, given))
    return data
