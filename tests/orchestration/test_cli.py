"""`cpt demo` calls the other commands as functions: every option must be passed a value, not typer's default
object (which only the command line resolves)."""

import inspect

import typer

from orchestration import cli


def test_demo_passes_every_option_of_the_commands_it_calls(monkeypatch):
    calls = {}

    def recorder(name, command):
        def record(**kwargs):
            calls[name] = kwargs
            missing = set(inspect.signature(command).parameters) - set(kwargs)
            assert not missing, f"{name} called without {missing}"

        return record

    for name in ("generate", "run", "show"):
        monkeypatch.setattr(cli, name, recorder(name, getattr(cli, name)))
    cli.demo(month="2026-10", scale=1.0)
    assert set(calls) == {"generate", "run", "show"}
    for kwargs in calls.values():
        assert not any(isinstance(v, typer.models.OptionInfo | typer.models.ArgumentInfo) for v in kwargs.values())
