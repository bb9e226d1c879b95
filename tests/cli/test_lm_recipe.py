"""`medlm lm finetune --recipe best` on synthetic abstracts and a tiny encoder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app


def test_finetune_recipe_best_trains_a_model_that_evaluate_and_load_accept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from roles_helpers import synthetic_abstracts, tiny_encoder_checkpoint

    from medlm.training import sentence_roles
    from medlm.training.abstract_model import AbstractRoleModel, load_role_model

    asked: list[str | None] = []

    def fake(split: str | None = None) -> list[Any]:
        asked.append(split)
        return synthetic_abstracts(10 if split == "train" else 4, split or "train")

    monkeypatch.setattr(sentence_roles, "load_role_sentences", fake)
    init = tiny_encoder_checkpoint(tmp_path / "enc")
    out = tmp_path / "best"
    args = [
        "lm", "finetune", "--task", "sentence-roles", "--recipe", "best", "--init", str(init),
        "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
        "--recipe-max-sentences", "40", "--json",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["train_sentences"] == 40 and summary["validation_abstracts"] == 4
    assert "test" not in asked
    assert isinstance(load_role_model(out), AbstractRoleModel)


def test_finetune_refuses_an_unknown_recipe(tmp_path: Path) -> None:
    args = ["lm", "finetune", "--out", str(tmp_path), "--recipe", "fastest"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "the only recipe is 'best'" in result.output
