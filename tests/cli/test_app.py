"""The root CLI: help, version and the one-line error convention."""

from __future__ import annotations

import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from medlm import __version__
from medlm.cli.app import app


def test_help_lists_command_groups(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("datasets", "ingest", "serve", "lm", "monitor"):
        assert group in result.output


def test_version_prints_package_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"medlm {__version__}"


def _command_paths(command: object) -> list[list[str]]:
    """The path of every command and group of the CLI, the root included."""
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(command, [])
    return paths


def test_no_help_page_shows_a_value_placeholder_for_an_on_off_flag(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = typer.main.get_command(app)
    monkeypatch.setattr("typer.testing._get_command", lambda _: command)  # build the tree once
    paths = _command_paths(command)
    assert len(paths) > 30 and ["deid", "evaluate"] in paths
    offending = []
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0, (path, result.output)
        if "<bool>" in result.output:
            offending.append(" ".join(path))
    assert offending == []


def test_json_flag_is_listed_without_a_placeholder(runner: CliRunner) -> None:
    result = runner.invoke(app, ["text", "extract", "--help"], terminal_width=200)
    line = next(line for line in result.output.splitlines() if "--json" in line)
    assert "<" not in line.split("Machine-readable")[0]
