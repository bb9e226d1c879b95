"""The abstract-level sentence-role model: network shapes, fitting, persistence, loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from roles_helpers import synthetic_abstracts, tiny_encoder_checkpoint

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.errors import InputError, NotFittedError
from medlm.training.abstract_context import AbstractContextModel, ContextConfig, pad_abstracts
from medlm.training.abstract_model import AbstractRoleModel, load_role_model
from medlm.training.sentence_roles import RolePrediction


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_encoder_checkpoint(tmp_path_factory.mktemp("tiny") / "encoder")


def shuffled_abstracts(n: int, split: str) -> list[RoleSentence]:
    """Synthetic abstracts whose sections come in two orders, so position alone is not enough."""
    out: list[RoleSentence] = []
    for a, abstract in enumerate(_grouped(synthetic_abstracts(n, split))):
        order = abstract if a % 2 == 0 else [abstract[1], abstract[0], *abstract[2:]]
        out += [s.model_copy(update={"index": i}) for i, s in enumerate(order)]
    return out


def _grouped(sentences: list[RoleSentence]) -> list[list[RoleSentence]]:
    return [sentences[i : i + len(ROLES)] for i in range(0, len(sentences), len(ROLES))]


def small_model(encoder: Path, **overrides: object) -> AbstractRoleModel:
    settings: dict[str, object] = {
        "hidden": 16, "epochs": 8, "learning_rate": 1e-2, "batch_abstracts": 4, "folds": 2,
        "dropout": 0.0,
    }  # fmt: skip
    settings.update(overrides)
    return AbstractRoleModel(str(encoder), **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def fitted(encoder: Path) -> AbstractRoleModel:
    return small_model(encoder).fit(
        shuffled_abstracts(12, "train"), shuffled_abstracts(4, "validation")
    )


def test_context_model_labels_every_sentence_slot() -> None:
    model = AbstractContextModel(ContextConfig(vector_dim=8, feature_dim=3, hidden=6))
    vectors, features, mask = pad_abstracts(
        [torch.randn(4, 8), torch.randn(2, 8)], [torch.randn(4, 3), torch.randn(2, 3)]
    )
    assert vectors.shape == (2, 4, 8) and features.shape == (2, 4, 3)
    assert mask.tolist() == [[True] * 4, [True, True, False, False]]
    assert model(vectors, features, mask).logits.shape == (2, 4, len(ROLES))


def test_padding_never_changes_an_abstracts_logits() -> None:
    torch.manual_seed(0)
    model = AbstractContextModel(ContextConfig(vector_dim=8, feature_dim=2, hidden=6)).eval()
    short_v, short_f = torch.randn(2, 8), torch.randn(2, 2)
    alone = model(*pad_abstracts([short_v], [short_f])).logits[0]
    batched = model(
        *pad_abstracts([torch.randn(5, 8), short_v], [torch.randn(5, 2), short_f])
    ).logits[1, :2]
    torch.testing.assert_close(alone, batched)


def test_fitted_model_labels_training_like_abstracts_by_context(
    fitted: AbstractRoleModel,
) -> None:
    sentences = shuffled_abstracts(4, "validation")
    predicted = [p.role for p in fitted.predict(sentences)]
    assert predicted == [s.label for s in sentences]
    assert fitted.history_ and "validation_macro_f1" in fitted.history_[0]
    assert fitted.calibration_ is not None


def test_save_then_load_gives_identical_predictions(
    fitted: AbstractRoleModel, tmp_path: Path
) -> None:
    sentences = shuffled_abstracts(3, "test")
    loaded = AbstractRoleModel.load(fitted.save(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.probabilities(sentences), fitted.probabilities(sentences))
    assert loaded.predict(sentences) == fitted.predict(sentences)


def test_predict_abstract_handles_one_sentence_and_no_sentences(
    fitted: AbstractRoleModel,
) -> None:
    one = fitted.predict_abstract(["we aimed to assess whether item 3"])
    assert len(one) == 1 and isinstance(one[0], RolePrediction)
    assert one[0].role in ROLES and 0.0 < one[0].score <= 1.0
    assert fitted.predict_abstract([]) == []


def test_same_seed_gives_the_same_model_and_another_seed_does_not(encoder: Path) -> None:
    train, validation = shuffled_abstracts(8, "train"), shuffled_abstracts(2, "validation")
    probe = shuffled_abstracts(2, "test")
    runs = [
        small_model(encoder, seed=seed, epochs=2, lexical=False).fit(train, validation)
        for seed in (0, 0, 1)
    ]
    first, again, other = (r.probabilities(probe) for r in runs)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_unfitted_model_refuses_to_predict_or_save(encoder: Path, tmp_path: Path) -> None:
    model = small_model(encoder, lexical=False)
    with pytest.raises(NotFittedError):
        model.predict(synthetic_abstracts(1))
    with pytest.raises(NotFittedError):
        model.save(tmp_path / "never")


def test_load_role_model_picks_the_kind_from_the_folder(
    fitted: AbstractRoleModel, tmp_path: Path
) -> None:
    folder = fitted.save(tmp_path / "abstract")
    assert isinstance(load_role_model(folder), AbstractRoleModel)
    with pytest.raises(InputError, match="does not exist"):
        load_role_model(tmp_path / "missing")
    with pytest.raises(InputError, match="not an abstract-level"):
        AbstractRoleModel.load(tmp_path)


def test_encoder_layers_keeps_the_first_layers_and_survives_save_and_load(
    encoder: Path, tmp_path: Path
) -> None:
    model = small_model(encoder, encoder_layers=1, lexical=False, epochs=1)
    assert len(model.text_encoder().model.transformer.encoder.layers) == 1
    full = small_model(encoder, lexical=False).text_encoder()
    assert len(full.model.transformer.encoder.layers) == 2
    assert model.text_encoder().name != full.name  # so cached vectors never mix
    model.fit(shuffled_abstracts(4, "train"))
    assert AbstractRoleModel.load(model.save(tmp_path / "m")).encoder_layers == 1
