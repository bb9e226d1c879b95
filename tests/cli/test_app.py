"""The root CLI: help, version and the one-line error convention."""

from __future__ import annotations

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
