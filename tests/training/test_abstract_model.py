"""The abstract-level sentence-role model: network shapes, fitting, persistence, loading."""

from __future__ import annotations

import json
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


def journal_abstracts(n: int, split: str) -> list[RoleSentence]:
    """Synthetic abstracts whose first sentence is OBJECTIVE in journal "J O" and BACKGROUND
    in "J B", with the same words: only the journal tells the two apart."""
    out: list[RoleSentence] = []
    for a, abstract in enumerate(_grouped(synthetic_abstracts(n, split))):
        journal = "J O" if a % 2 == 0 else "J B"
        first = "OBJECTIVE" if journal == "J O" else "BACKGROUND"
        texts = ["the aim here was to study item", *[s.text for s in abstract[2:]]]
        labels = [first, *[s.label for s in abstract[2:]]]
        out += [
            abstract[0].model_copy(
                update={
                    "text": t,
                    "label": lab,
                    "index": i,
                    "count": len(texts),
                    "previous": texts[i - 1] if i else "",
                    "next": texts[i + 1] if i + 1 < len(texts) else "",
                    "journal": journal,
                    "pmid": f"{split}{a}",
                }
            )
            for i, (t, lab) in enumerate(zip(texts, labels, strict=True))
        ]
    return out


def test_the_journal_cue_separates_what_the_words_cannot(encoder: Path, tmp_path: Path) -> None:
    train, validation = journal_abstracts(16, "train"), journal_abstracts(4, "validation")
    probe = journal_abstracts(4, "test")
    gold = [s.label for s in probe]
    opening = [i for i, s in enumerate(probe) if s.index == 0]
    with_journal = small_model(encoder, journal=True, journal_dropout=0.0, epochs=12)
    predicted = [p.role for p in with_journal.fit(train, validation).predict(probe)]
    assert [predicted[i] for i in opening] == [gold[i] for i in opening]
    without = small_model(encoder, epochs=12).fit(train, validation)
    blind = [without.predict(probe)[i].role for i in opening]
    assert len(set(blind)) == 1  # the same words: one role for both journals
    loaded = AbstractRoleModel.load(with_journal.save(tmp_path / "journal"))
    np.testing.assert_array_equal(loaded.probabilities(probe), with_journal.probabilities(probe))
    texts = [s.text for s in probe[: probe[0].count]]  # pasted text, journal given or not
    assert loaded.knows_journal("J O") and not loaded.knows_journal("J Unseen")
    assert not without.knows_journal("J O")
    by_journal = {j: loaded.predict_abstract(texts, journal=j)[0].role for j in ("J O", "J B")}
    assert by_journal == {"J O": "OBJECTIVE", "J B": "BACKGROUND"}


def test_members_average_several_seeds_and_survive_save_and_load(
    encoder: Path, tmp_path: Path
) -> None:
    train, validation = shuffled_abstracts(8, "train"), shuffled_abstracts(2, "validation")
    probe = shuffled_abstracts(2, "test")
    three = small_model(encoder, members=3, epochs=2, lexical=False).fit(train, validation)
    assert len(three.model_.members) == 3
    assert {r.get("member") for r in three.history_} >= {0.0, 1.0, 2.0}
    assert "ensemble_validation_macro_f1" in three.history_[-1]
    singles = [
        small_model(encoder, seed=seed, epochs=2, lexical=False).fit(train, validation)
        for seed in (0, 1, 2)
    ]
    average = np.mean([m.probabilities(probe) for m in singles], axis=0)
    np.testing.assert_allclose(three.probabilities(probe), average, rtol=1e-5, atol=1e-6)
    loaded = AbstractRoleModel.load(three.save(tmp_path / "three"))
    np.testing.assert_array_equal(loaded.probabilities(probe), three.probabilities(probe))


def test_a_folder_saved_with_one_bare_model_still_loads(
    fitted: AbstractRoleModel, tmp_path: Path
) -> None:
    folder = fitted.save(tmp_path / "bare")
    state = torch.load(folder / "context.pt", weights_only=True)
    torch.save({k.removeprefix("members.0."): v for k, v in state.items()}, folder / "context.pt")
    probe = shuffled_abstracts(2, "test")
    np.testing.assert_array_equal(
        AbstractRoleModel.load(folder).probabilities(probe), fitted.probabilities(probe)
    )


def test_the_extended_view_adds_its_probabilities_and_survives_save_and_load(
    encoder: Path, fitted: AbstractRoleModel, tmp_path: Path
) -> None:
    train, validation = shuffled_abstracts(12, "train"), shuffled_abstracts(4, "validation")
    probe = shuffled_abstracts(2, "test")
    both = small_model(encoder, lexical_views=2).fit(train, validation)
    assert both.lexical_.fits() == 2 * fitted.lexical_.fits()
    width = fitted.inputs(probe).features.shape[1]
    assert both.inputs(probe).features.shape[1] == width + len(ROLES)
    assert [c.extended for c in both.lexical_.classifiers_] == [False, True]
    loaded = AbstractRoleModel.load(both.save(tmp_path / "both"))
    assert loaded.lexical_views == 2
    np.testing.assert_array_equal(loaded.probabilities(probe), both.probabilities(probe))
    with pytest.raises(InputError, match="lexical_views=3"):
        small_model(encoder, lexical_views=3).fit(train, validation)


def test_a_folder_saved_before_the_extended_view_loads_as_words_only(
    fitted: AbstractRoleModel, tmp_path: Path
) -> None:
    folder = fitted.save(tmp_path / "older")
    settings = json.loads((folder / "abstract_model.json").read_text())
    del settings["lexical_views"]
    (folder / "abstract_model.json").write_text(json.dumps(settings))
    probe = shuffled_abstracts(2, "test")
    loaded = AbstractRoleModel.load(folder)
    assert loaded.lexical_views == 1
    np.testing.assert_array_equal(loaded.probabilities(probe), fitted.probabilities(probe))
