"""The README tells the truth: its sample output is what `make demo` prints, and every command it shows is run by
a test (here, or by the test named for it)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cpt_runner import cpt, one_line
from tests.fakes.http import free_port, listening_addresses

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()

# Every command the README shows (its shell blocks, `$ ` lines and the commands table), by how it starts, and the
# test that runs it. A command without an entry fails test_every_command_in_the_readme_is_run_by_a_test.
RUNS = {
    "make demo": "tests/test_readme.py::test_the_readme_shows_what_make_demo_prints",  # `cpt demo` after install
    "make test": ".ci/run",  # CI runs it on a clean clone
    "make ui": "tests/orchestration/test_ui.py::test_dagster_dev_serves_the_asset_graph_on_loopback",
    "make lint": ".ci/run",  # make test starts with the same ruff commands
    "make format": ".ci/run",
    "make bench ": "tests/test_bench_pipeline.py::test_at_scale_s_both_floors_equal_the_marts_and_a_row_is_written",
    "make bench-backfill": "tests/test_bench_backfill.py::"
    "test_a_one_month_backfill_charges_what_was_generated_and_writes_its_row",
    "make bench-forecast": "tests/ingest/test_bench_forecast.py::test_the_forecast_benchmark_writes_its_row",
    "make bench-tokens": "tests/ingest/test_bench_token_logs.py::"
    "test_the_benchmark_counts_every_generated_line_in_each_variant",
    "make kill-loop": "tests/test_end_to_end.py::test_kills_then_a_hostile_week_never_change_lose_or_block_the_money",
    "make focus-validate": "tests/conformance/test_focus_validator.py::"
    "test_normalized_billing_passes_the_focus_validator",
    "python -m tests.reliability.corpus": "tests/test_readme.py::test_the_corpus_command_writes_every_case",
    "cpt generate --months": "tests/test_readme.py::test_cpt_generate_months_writes_a_history_and_its_events",
    "cpt generate": "tests/test_readme.py::test_cpt_generate_as_shown_writes_the_demo_s_bytes",
    "cpt run --month": "tests/test_end_to_end.py::test_conservation_holds_and_matches_the_generated_in_scope_cost",
    "cpt run --start": "tests/test_sources_and_history.py::"
    "test_a_backfill_across_a_year_equals_its_months_run_one_by_one",
    "cpt show": "tests/test_readme.py::test_cpt_show_filters_and_formats_as_documented",
    "cpt budgets": "tests/test_readme.py::test_cpt_budgets_prints_the_open_month_as_documented",
    "cpt whatif": "tests/test_config_changes.py::"
    "test_what_if_scenarios_reprice_the_month_exactly_and_as_billed_is_the_chargeback",
    "cpt reports": "tests/test_chargeback_reports.py::"
    "test_a_closed_month_stays_as_issued_and_a_restatement_becomes_next_month_s_adjustments",
    "cpt close": "tests/test_chargeback_reports.py::"
    "test_a_closed_month_stays_as_issued_and_a_restatement_becomes_next_month_s_adjustments",
    "make reports-preview": "tests/test_chargeback_reports.py::"
    "test_the_preview_shows_every_pdf_page_and_the_showback_page",
    "while read -r body": "tests/test_readme.py::test_the_gateway_limits_command_posts_every_body_to_litellm",
    "cpt export": "tests/test_end_to_end.py::test_every_analytics_table_is_exported_the_same_bytes_after_each_publish",
    "cpt mappings": "tests/ingest/test_mapping.py::test_the_committed_mapping_docs_equal_the_rules",
    ".venv/bin/python -c": "tests/test_readme.py::test_the_query_example_runs_on_the_demo_warehouse",
    "make docs": "tests/test_readme.py::test_make_docs_serves_the_dbt_docs_on_loopback",
}


def readme_commands() -> list[str]:
    """Lines of ```bash blocks, `$ ` lines of output blocks, and the first cell of the commands table."""
    commands = []
    for language, body in re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S):
        for line in body.splitlines():
            if language == "bash" and line and not line.startswith((" ", "#")):
                commands.append(line.split("  #")[0].strip())
            elif line.startswith("$ "):
                commands.append(line[2:].strip())
    table = README.split("Other commands", 1)[1].split("\n\n", 2)[1]
    commands += [cell for row in table.splitlines()[2:] for cell in re.findall(r"^\| `([^`]+)`", row)]
    commands += re.findall(r"`(cpt mappings[^`]*)`", README)
    commands += [line.strip() for line in README.splitlines() if line.startswith("    while read -r body")]
    return commands


def test_every_command_in_the_readme_is_run_by_a_test():
    commands = readme_commands()
    assert {"make demo", "make test", "cpt show"} <= {c.split(" (")[0] for c in commands}
    for command in commands:
        runners = [test for start, test in RUNS.items() if (command + " ").startswith(start)]
        assert runners, f"README shows `{command}` but no test runs it: add it to RUNS with the test that does"
        path, _, name = runners[0].partition("::")
        assert (ROOT / path).exists(), runners[0]
        assert not name or f"def {name}(" in (ROOT / path).read_text(), runners[0]


def _normalized(line: str, data_dir: Path) -> str:
    """A line with what differs from run to run made equal: the data directory, durations, run ids, log names."""
    line = line.replace(str(data_dir), "data")
    line = re.sub(r"\b\d+\.\d s\b", "N s", line)
    line = re.sub(r"\b\d+:\d\d:\d\d\b", "H:MM:SS", line)
    line = re.sub(r"cpt-run-\d{8}T\d{6}Z-\d+\.log", "cpt-run-TIME-PID.log", line)
    line = re.sub(r"Dagster run [0-9a-f]{8}", "Dagster run ID", line)
    return " ".join(line.split())


@pytest.mark.slow
def test_the_readme_shows_what_make_demo_prints(demo):
    data, output = demo
    block = next(b for b in re.findall(r"```text\n(.*?)```", README, flags=re.S) if b.startswith("$ make demo"))
    printed = [_normalized(line, data) for line in output.splitlines()]
    position = 0
    for line in block.splitlines()[1:]:
        if line == "…":  # lines left out of the README
            continue
        wanted = _normalized(line, Path("data"))
        assert wanted in printed[position:], f"README line not printed (in this order) by the demo:\n{line}"
        position = printed.index(wanted, position) + 1


@pytest.mark.slow
def test_cpt_show_filters_and_formats_as_documented(demo, monkeypatch):
    import csv
    import io
    import json

    data, _ = demo
    everything = json.loads(cpt(monkeypatch, data, data / "source", "show", "--format", "json").output)
    research = cpt(
        monkeypatch, data, data / "source", "show", "--month", "2026-10", "--team", "research", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(research.output)))
    assert rows and {r["team"] for r in rows} == {"research"}
    assert len(rows) == sum(1 for r in everything if r["team"] == "research")
    model = cpt(monkeypatch, data, data / "source", "show", "--model", "mixtral-8x7b-instruct", "--wide")
    assert model.exit_code == 0 and "$/1M out" in model.output and "llama" not in model.output
    narrow = cpt(monkeypatch, data, data / "source", "show").output
    assert (
        max(
            len(line.rstrip())
            for line in narrow.splitlines()
            if "│" not in line and "conservation" not in line and "warehouse:" not in line
        )
        <= 100
    )


@pytest.mark.slow
def test_the_query_example_runs_on_the_demo_warehouse(demo, tmp_path):
    data, _ = demo
    (tmp_path / "data").symlink_to(data)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    snippet = next(b for b in re.findall(r"```bash\n(.*?)```", README, flags=re.S) if "import duckdb" in b)
    done = subprocess.run(["bash", "-c", snippet], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "support-bot" in done.stdout and "cpt_micro_usd" in done.stdout


@pytest.mark.slow
def test_make_docs_serves_the_dbt_docs_on_loopback(demo, tmp_path):
    """`make docs` over the demo's warehouse: the site and its catalog are served on 127.0.0.1 only."""
    import shutil
    import urllib.request

    demo_data, _ = demo
    # dbt opens the build it documents for writing: a copy of its own, so the other tests' readers never wait on it
    data = tmp_path / "data"
    (data / "warehouse" / "build").mkdir(parents=True)
    shutil.copy(demo_data / "warehouse" / "build" / "cpt.duckdb", data / "warehouse" / "build" / "cpt.duckdb")
    for folder in ("bronze", "forecast"):
        (data / folder).symlink_to(demo_data / folder)
    port = free_port()
    log = (tmp_path / "docs.log").open("w")
    process = subprocess.Popen(
        ["make", "docs", f"CPT_DATA_DIR={data}", f"DOCS_PORT={port}"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, catalog = time.monotonic() + 240, None
        while time.monotonic() < deadline and process.poll() is None and catalog is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalog.json", timeout=5) as response:
                    catalog = json.load(response)
            except OSError:
                time.sleep(2)
        assert catalog, (tmp_path / "docs.log").read_text()[-3000:]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as response:
            assert b"dbt" in response.read()
        assert "model.cpt.fct_cpt_daily" in catalog["nodes"]  # column types read from the built warehouse
        assert listening_addresses(port) == {f"127.0.0.1:{port}"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_cpt_generate_as_shown_writes_the_demo_s_bytes(tmp_path, monkeypatch):
    command = next(c for c in readme_commands() if c.startswith("cpt generate"))
    result = cpt(monkeypatch, tmp_path / "data", tmp_path / "source", *command.split()[1:])
    assert result.exit_code == 0, result.output
    assert "generated 2026-10" in result.output and (tmp_path / "source" / "truth.json").exists()


def test_cpt_generate_months_writes_a_history_and_its_events(tmp_path, monkeypatch):
    command = next(c for c in readme_commands() if c.startswith("cpt generate --months"))
    args = [*command.split()[1:], "--scale", "0.02"]  # the same history at a fiftieth of the traffic
    result = cpt(monkeypatch, tmp_path / "data", tmp_path / "source", *args)
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "source" / "truth.json").read_text())
    assert sorted(truth["months"]) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert {"holidays", "deployment_started", "team_step"} <= set(truth["history"])
    assert "generated 2026-05 … 2026-10" in one_line(result.output)


def test_the_corpus_command_writes_every_case(tmp_path):
    from tests.reliability.corpus import CASES

    done = subprocess.run(
        [sys.executable, "-m", "tests.reliability.corpus", str(tmp_path / "corpus")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (tmp_path / "corpus").iterdir() if not p.name.startswith("_")} == {c.name for c in CASES}


@pytest.mark.slow
def test_cpt_budgets_prints_the_open_month_as_documented(demo, monkeypatch):
    import csv
    import io

    import duckdb

    data, output = demo
    rows = json.loads(cpt(monkeypatch, data, data / "source", "budgets", "--format", "json").output)
    with duckdb.connect(str(data / "warehouse" / "cpt.duckdb"), read_only=True) as con:
        expected = con.sql("select count(*) from analytics.fct_budget_status where month = '2026-11-01'").fetchall()
    assert len(rows) == expected[0][0] > 0 and {r["month"] for r in rows} == {"2026-11"}
    october = cpt(monkeypatch, data, data / "source", "budgets", "--month", "2026-10", "--format", "csv").output
    assert {r["month"] for r in csv.DictReader(io.StringIO(october))} == {"2026-10"}
    wide = cpt(monkeypatch, data, data / "source", "budgets", "--wide").output
    assert "95 % low $" in wide and "input tok left" in wide and "tpm limit" in wide
    assert "Budgets for 2026-11, forecast as of 2026-10-31, USD" in output  # the demo ends with the table


@pytest.mark.slow
def test_the_gateway_limits_command_posts_every_body_to_litellm(demo, tmp_path):
    from tests.fakes.http import LocalHttpServer, QuietHandler

    data, _ = demo
    received = []

    class LiteLLM(QuietHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.path, self.headers["Authorization"], body))
            self.send_json({"team_id": body["team_id"]})

    (tmp_path / "data").symlink_to(data)
    command = next(line.strip() for line in README.splitlines() if line.startswith("    while read -r body"))
    bodies = [
        json.loads(line) for line in (data / "warehouse/gateway/litellm_team_update.jsonl").read_text().splitlines()
    ]
    with LocalHttpServer(LiteLLM) as server:
        env = {**os.environ, "LITELLM_URL": server.url, "LITELLM_MASTER_KEY": "sk-test"}
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [body for _, _, body in received] == bodies and len(bodies) == 5
    assert {(path, auth) for path, auth, _ in received} == {("/team/update", "Bearer sk-test")}
    assert all(set(body) == {"team_id", "max_budget", "budget_duration", "tpm_limit"} for body in bodies)
