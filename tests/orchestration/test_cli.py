"""The `cpt` command line without running the pipeline: `cpt demo`'s calls, and the checks every option gets before
any work starts (the runs themselves are in tests/test_end_to_end.py and tests/test_sources_and_history.py)."""

import inspect
import re
from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from orchestration import cli
from orchestration.partitions import history_start


def test_demo_passes_every_option_of_the_commands_it_calls_and_runs_its_months(monkeypatch):
    calls = {}

    def recorder(name, command):
        def record(*args, **kwargs):
            calls[name] = (args, kwargs)
            if command is not None:
                missing = set(inspect.signature(command).parameters) - set(kwargs)
                assert not missing, f"{name} called without {missing}"

        return record

    for name in ("generate", "show", "budgets", "reports"):
        monkeypatch.setattr(cli, name, recorder(name, getattr(cli, name)))
    monkeypatch.setattr(cli, "_run_pipeline", recorder("run", None))
    monkeypatch.setattr(cli, "_checked_range", lambda month, start, end: (f"{month} first", f"{month} last"))
    cli.demo(month="2026-02", months=3, scale=1.0)
    assert set(calls) == {"generate", "run", "show", "budgets", "reports"}
    # the history's months, checked like run's: December of the year before to February
    assert calls["run"] == (("2025-12 first", "2026-02 last"), {"policy": {}, "verbose": False})
    for _, kwargs in calls.values():
        assert not any(isinstance(v, typer.models.OptionInfo | typer.models.ArgumentInfo) for v in kwargs.values())


# --- options are checked before any work: exit code 2, the allowed values named, nothing written -------------------

FIRST, LAST = date(2020, 1, 1), date(2026, 11, 30)


def test_a_month_covers_its_days_and_the_current_one_ends_yesterday():
    assert cli.run_range("2024-02", None, None, FIRST, LAST) == (date(2024, 2, 1), date(2024, 2, 29))
    assert cli.run_range("2026-11", None, None, FIRST, date(2026, 11, 15)) == (date(2026, 11, 1), date(2026, 11, 15))
    assert cli.run_range(None, None, None, FIRST, LAST) == (date(2026, 11, 1), LAST)


def test_a_range_may_cross_a_year_and_months_of_every_length():
    assert cli.run_range(None, "2024-11-01", "2025-02-28", FIRST, LAST) == (date(2024, 11, 1), date(2025, 2, 28))
    assert cli.run_range(None, "2025-01-10", None, FIRST, LAST) == (date(2025, 1, 10), LAST)
    assert cli.run_range(None, None, "2025-02-14", FIRST, LAST) == (date(2025, 2, 1), date(2025, 2, 14))


@pytest.mark.parametrize(
    ("month", "start", "end", "message"),
    [
        (None, "2025-02-01", "2025-01-31", "--start 2025-02-01 is after --end 2025-01-31"),
        ("2019-12", None, None, "before the history kept, which starts 2020-01-01: set CPT_HISTORY_START"),
        ("2026-12", None, None, "2026-12 has no complete day yet"),
        (None, "2026-11-01", "2026-12-31", "2026-12-31 is not over yet"),
        ("2026-10", "2026-10-01", None, "either --month or --start/--end"),
    ],
)
def test_a_range_that_cannot_run_is_refused(month, start, end, message):
    with pytest.raises(typer.BadParameter, match=re.escape(message)):
        cli.run_range(month, start, end, FIRST, LAST)


def test_the_history_start_is_a_setting():
    assert history_start("2023-11") == date(2023, 11, 1)
    assert history_start("2023-11-15") == date(2023, 11, 1)
    assert history_start(None) <= date(2023, 1, 1)  # the default reaches years back
    with pytest.raises(ValueError, match="CPT_HISTORY_START='2023-13' is not a month"):
        history_start("2023-13")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--idle-policy", "bogus"], "'share_by_usage', 'owner', 'central'"),
        (["--allocation-key", "bogus"], "'weighted_tokens', 'output_tokens', 'gpu_seconds'"),
        (["--shared-policy", "bogus"], "'gpu_cost', 'even', 'fixed'"),
        (["--month", "2026-13"], "'2026-13' is not a month: use YYYY-MM"),
        (["--start", "2026-02-30"], "'2026-02-30' is not a day: use YYYY-MM-DD"),
        (["--start", "2026-10-05", "--end", "2026-10-01"], "--start 2026-10-05 is after --end 2026-10-01"),
        (["--month", "2019-05"], "set CPT_HISTORY_START"),
    ],
)
def test_bad_options_exit_2_naming_what_is_allowed_and_write_nothing(args, expected, tmp_path, monkeypatch):
    monkeypatch.setenv("CPT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")  # the usage error box would wrap the message
    result = CliRunner().invoke(cli.app, ["run", *args])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split())
    assert not (tmp_path / "data").exists()


def test_a_run_that_publishes_nothing_exits_1_even_when_no_step_failed(tmp_path, monkeypatch):
    """A step Dagster skips (an upstream output missing) fails nothing, and publishes nothing: exit 1, said."""
    from orchestration import runner
    from orchestration.run_progress import RunOutcome

    monkeypatch.setenv("CPT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(runner, "load_definitions", lambda: None)
    monkeypatch.setattr(runner, "execute", lambda *args: RunOutcome(run_ids=["0123456789"]))
    with pytest.raises(typer.Exit) as exited:
        cli._run_pipeline(date(2026, 10, 1), date(2026, 10, 31), {}, verbose=True)
    assert exited.value.exit_code == 1
