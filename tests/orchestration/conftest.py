import pytest


@pytest.fixture
def cpt_env(tmp_path, monkeypatch):
    """Point the Dagster resources, the dbt profile and the Dagster instance at a fresh folder."""
    data = tmp_path / "data"
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("CPT_DATA_DIR", str(data))
    monkeypatch.setenv("CPT_SOURCE_DIR", str(tmp_path / "source"))
    monkeypatch.setenv("CPT_AWS_BILLING_URI", str(tmp_path / "source" / "aws"))
    monkeypatch.setenv("CPT_GCP_BILLING_URI", str(tmp_path / "source" / "gcp"))
    monkeypatch.setenv("CPT_GATEWAY_LOGS_URI", str(tmp_path / "source" / "tokens" / "gateway"))
    monkeypatch.setenv("CPT_LITELLM_LOGS_URI", str(tmp_path / "source" / "tokens" / "litellm"))
    monkeypatch.setenv("CPT_OTEL_SPANS_URI", str(tmp_path / "source" / "tokens" / "otel"))
    monkeypatch.setenv("CPT_PROMETHEUS_URI", str(tmp_path / "source" / "tokens" / "metrics"))
    monkeypatch.setenv("CPT_GCP_CATALOG_URI", str(tmp_path / "source" / "gcp" / "catalog" / "skus.json"))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return data
