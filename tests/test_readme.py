"""The README's quick starts run as written: each CLI line and the Python block."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app

README = Path(__file__).resolve().parents[1] / "README.md"


def _section_blocks(heading: str, language: str) -> list[str]:
    text = README.read_text()
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def test_readme_opens_with_exactly_the_two_setup_commands() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    assert first_block is not None
    assert first_block.group(1).split("\n")[:2] == ["make demo", "make test"]
    assert first_block.group(1).strip().count("\n") == 1


@pytest.mark.slow
def test_readme_cli_quick_start_runs(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (block,) = _section_blocks("CLI quick start", "bash")
    lines = [line for line in block.splitlines() if line.strip()]
    assert lines
    for line in lines:
        stdin = None
        if " | medlm " in line:
            producer, line = line.split(" | ", 1)
            stdin = shlex.split(producer)[1] + "\n"
        argv = shlex.split(line)
        assert argv[0] == "medlm"
        result = runner.invoke(app, argv[1:], input=stdin)
        assert result.exit_code == 0, f"{line!r} failed: {result.output}"


@pytest.mark.slow
def test_readme_python_quick_start_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = _section_blocks("Python quick start", "python")
    exec(compile(block, str(README), "exec"), {})
    assert "(2, 384)" in capsys.readouterr().out


def test_readme_column_map_example_reads_both_patients(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (column_map,) = _section_blocks("Patient records in", "yaml")
    (table,) = _section_blocks("Patient records in", "csv")
    (command,) = _section_blocks("Patient records in", "bash")
    (tmp_path / "labs-map.yaml").write_text(column_map, encoding="utf-8")
    (tmp_path / "labs.csv").write_text(table, encoding="utf-8")
    argv = shlex.split(command.strip())
    assert argv[0] == "medlm"
    result = runner.invoke(app, argv[1:])
    assert result.exit_code == 0, result.output
    assert '"patients": 2' in result.output and '"rejection_count": 0' in result.output


def test_readme_service_quick_start_makes_one_authenticated_call(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_env: Path
) -> None:
    """The users/tokens lines run as written; `serve` + `curl` are replayed in process."""
    from fastapi.testclient import TestClient

    from medlm.service.app import create_app
    from medlm.settings import load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEDLM_SECURITY__DEV_NO_AUTH_LOOPBACK", "false")  # a real deployment
    (block,) = _section_blocks("Service", "bash")
    lines = [line for line in block.splitlines() if line.strip()]
    assert [shlex.split(line)[:3] for line in lines[2:]] == [
        ["medlm", "serve", "--port"],
        ["curl", "-H", "Authorization: Bearer mlk_..."],
    ]
    key = ""
    for line in lines[:2]:
        stdin = None
        if " | medlm " in line:
            producer, line = line.split(" | ", 1)
            stdin = shlex.split(producer)[1] + "\n"
        argv = shlex.split(line)
        result = runner.invoke(app, argv[1:], input=stdin)
        assert result.exit_code == 0, f"{line!r} failed: {result.output}"
        key = result.stdout.strip() or key
    assert key.startswith("mlk_")
    curl = shlex.split(lines[3])
    header, url = curl[2].replace("mlk_...", key), curl[3]
    path = "/" + url.split("/", 3)[3]
    with TestClient(create_app(load_settings())) as client:
        name, value = header.split(": ", 1)
        assert client.get(path, headers={name: value}).status_code == 200
        assert client.get(path).status_code == 401
