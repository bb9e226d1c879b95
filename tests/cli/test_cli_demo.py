"""`medlm demo`: ends with the one command that opens the web app on the demo data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medlm.cli import demo
from medlm.cli.app import app


@pytest.fixture
def quick_steps(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every step replaced by one that records its output folder (the real steps are tested
    with their applications)."""
    folders: list[Path] = []

    def step(module: str) -> Callable[[Path], list[str]]:
        def run(out: Path) -> list[str]:
            folders.append(out)
            return [f"{module} done"]

        return run

    monkeypatch.setattr(demo, "_step", step)
    return folders


def test_demo_ends_with_the_command_that_opens_the_web_app(
    runner: CliRunner, quick_steps: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default output folder is relative
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last == "Open the web app on the demo data: medlm serve --demo"
    assert quick_steps == [Path("demo-output")] * len(demo.STEPS)


def test_demo_with_another_output_folder_names_the_matching_data_dir(
    runner: CliRunner, quick_steps: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "elsewhere"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    expected = f"medlm serve --demo --data-dir {out / 'web'}"
    assert result.output.strip().splitlines()[-1].endswith(expected)


def test_demo_default_output_folder_holds_the_served_demo_data() -> None:
    assert demo.serve_command(Path("demo-output")) == "medlm serve --demo"
    assert demo.serve_command(Path("a b")) == "medlm serve --demo --data-dir 'a b/web'"
