"""`--recipe best` as a library call: choices on validation only, caching, a saved model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from roles_helpers import tiny_encoder_checkpoint
from test_abstract_model import shuffled_abstracts

from medlm.lm.encoding import TextEncoder
from medlm.training import sentence_roles
from medlm.training.abstract_features import sentence_vectors
from medlm.training.abstract_model import AbstractRoleModel, load_role_model
from medlm.training.abstract_recipe import SUMMARY_FILE, RecipeSettings, run_best_recipe


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_encoder_checkpoint(tmp_path_factory.mktemp("tiny") / "encoder")


@pytest.fixture
def loaded_splits(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Synthetic splits; records every split the code under test asks for."""
    asked: list[str | None] = []

    def fake(split: str | None = None) -> list[Any]:
        asked.append(split)
        return shuffled_abstracts(12 if split == "train" else 4, split or "train")

    monkeypatch.setattr(sentence_roles, "load_role_sentences", fake)
    return asked


def tiny_settings(encoder: Path, cache: Path) -> RecipeSettings:
    return RecipeSettings(
        encoder=str(encoder), learning_rates=(1e-3, 1e-2), hidden_sizes=(8,), max_epochs=4,
        patience=2, folds=2, cache_dir=cache,
    )  # fmt: skip


def test_recipe_never_loads_the_test_split_and_picks_the_best_validation_point(
    encoder: Path, loaded_splits: list[str | None], tmp_path: Path
) -> None:
    summary = run_best_recipe(tmp_path / "model", tiny_settings(encoder, tmp_path / "cache"))
    assert sorted(s or "all" for s in loaded_splits) == ["train", "validation"]
    assert len(summary.grid) == 2
    assert summary.chosen.validation_macro_f1 == max(p.validation_macro_f1 for p in summary.grid)
    assert {"load data", "embedding", "TF-IDF cross-fit", "context model grid"} <= set(
        summary.stage_seconds
    )
    saved = json.loads((tmp_path / "model" / SUMMARY_FILE).read_text())
    assert saved["chosen"] == summary.chosen.model_dump()
    model = load_role_model(tmp_path / "model")
    assert isinstance(model, AbstractRoleModel)
    assert model.model_.config.hidden == summary.chosen.hidden
    assert model.journal and len(model.model_.members) == RecipeSettings().members
    assert model.lexical_views == 2 and (tmp_path / "model" / "lexical_extended.joblib").is_file()


def test_recipe_with_the_same_seed_gives_the_same_model(
    encoder: Path, loaded_splits: list[str | None], tmp_path: Path
) -> None:
    settings = tiny_settings(encoder, tmp_path / "cache")
    probe = shuffled_abstracts(2, "test")
    first = run_best_recipe(tmp_path / "a", settings)
    again = run_best_recipe(tmp_path / "b", settings)
    assert first.grid == again.grid
    np.testing.assert_array_equal(
        AbstractRoleModel.load(tmp_path / "a").probabilities(probe),
        AbstractRoleModel.load(tmp_path / "b").probabilities(probe),
    )


def test_sentence_vectors_come_from_the_cache_for_the_same_texts_only(
    encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text_encoder = TextEncoder.from_pretrained(str(encoder))
    texts = ["we aimed to assess whether", "the rate fell"]
    first = sentence_vectors(text_encoder, texts, cache_dir=tmp_path)

    def refuse(*args: object, **kwargs: object) -> np.ndarray:
        raise AssertionError("embedded again instead of reading the cache")

    monkeypatch.setattr(text_encoder, "embed", refuse)
    np.testing.assert_array_equal(sentence_vectors(text_encoder, texts, cache_dir=tmp_path), first)
    with pytest.raises(AssertionError, match="embedded again"):
        sentence_vectors(text_encoder, [*texts, "a new sentence"], cache_dir=tmp_path)
