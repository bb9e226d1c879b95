"""ONNX export of sentence-role models: the exported model labels like the torch model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from roles_helpers import synthetic_abstracts, tiny_encoder_checkpoint

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.errors import InputError
from medlm.training.abstract_model import AbstractRoleModel, load_role_model
from medlm.training.role_evaluation import evaluate_sentence_roles
from medlm.training.role_export import (
    INT8_PATHS,
    OnnxAbstractRoleModel,
    export_role_model,
    machine_precision,
)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None,
    reason="onnx and onnxruntime are not installed (pip install 'medlm[export]')",
)


def swapped(n: int, split: str) -> list[RoleSentence]:
    """SYNTHETIC abstracts; every second one has its first two sections swapped."""
    sentences = synthetic_abstracts(n, split)
    out: list[RoleSentence] = []
    for a in range(n):
        abstract = sentences[a * len(ROLES) : (a + 1) * len(ROLES)]
        order = abstract if a % 2 == 0 else [abstract[1], abstract[0], *abstract[2:]]
        out += [s.model_copy(update={"index": i}) for i, s in enumerate(order)]
    return out


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("roles")
    encoder = tiny_encoder_checkpoint(root / "encoder")
    model = AbstractRoleModel(
        str(encoder), hidden=16, epochs=6, learning_rate=1e-2, batch_abstracts=4, folds=2,
        dropout=0.0, members=2, journal=True,
    )  # fmt: skip
    model.fit(swapped(10, "train"), swapped(4, "validation"))
    return model.save(root / "model")


def test_fp32_export_gives_the_torch_models_probabilities_and_roles(
    model_folder: Path, tmp_path: Path
) -> None:
    out = export_role_model(model_folder, tmp_path / "onnx")
    exported = load_role_model(out)
    assert isinstance(exported, OnnxAbstractRoleModel)
    torch_model = AbstractRoleModel.load(model_folder)
    test = swapped(6, "test")
    np.testing.assert_allclose(
        exported.probabilities(test), torch_model.probabilities(test), atol=1e-4
    )
    assert [p.role for p in exported.predict(test)] == [p.role for p in torch_model.predict(test)]
    texts = [s.text for s in test[: len(ROLES)]]
    assert [p.role for p in exported.predict_abstract(texts)] == [
        p.role for p in torch_model.predict_abstract(texts)
    ]


def test_int8_export_evaluates_within_0_005_macro_f1_of_torch(
    model_folder: Path, tmp_path: Path
) -> None:
    out = export_role_model(model_folder, tmp_path / "int8", precision="int8")
    test = swapped(8, "test")
    exported = evaluate_sentence_roles(str(out), sentences=test)
    reference = evaluate_sentence_roles(str(model_folder), sentences=test)
    assert abs(exported.macro_f1 - reference.macro_f1) <= 0.005
    assert exported.decoding == reference.decoding
    assert '"precision": "int8"' in (out / "encoder" / "export.json").read_text()


def test_a_per_sentence_classifier_exports_through_the_same_call(tmp_path: Path) -> None:
    from medlm.training.finetuning import finetune_sentence_roles
    from medlm.training.sentence_roles import SentenceRoleClassifier

    encoder = tiny_encoder_checkpoint(tmp_path / "encoder")
    finetune_sentence_roles(
        str(encoder), tmp_path / "classifier", train=synthetic_abstracts(6),
        max_train_sentences=None, batch_size=10, max_steps=2, precision="fp32", calibrate=False,
    )  # fmt: skip
    out = export_role_model(tmp_path / "classifier", tmp_path / "onnx")
    exported = load_role_model(out)
    assert isinstance(exported, SentenceRoleClassifier)
    test = synthetic_abstracts(2, "test")
    torch_model = SentenceRoleClassifier.load(tmp_path / "classifier")
    np.testing.assert_allclose(
        exported.probabilities(test).numpy(), torch_model.probabilities(test).numpy(), atol=1e-4
    )


def test_export_refuses_a_missing_model_and_a_non_empty_folder(
    model_folder: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="does not exist"):
        export_role_model(tmp_path / "nothing", tmp_path / "out")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(InputError, match="not empty"):
        export_role_model(model_folder, tmp_path / "full")
    exported = load_role_model(export_role_model(model_folder, tmp_path / "onnx"))
    with pytest.raises(InputError, match="cannot be trained"):
        exported.fit([])  # type: ignore[attr-defined]


def test_machine_precision_maps_the_encoders_fastest_path_to_an_export_precision(
    model_folder: Path, tmp_path: Path
) -> None:
    texts = [s.text for s in synthetic_abstracts(4, "validation")]
    precision, choice = machine_precision(model_folder, tmp_path / "cache", texts)
    assert choice.kind == "encoder" and choice.calibration_items == len(texts)
    assert precision == ("int8" if choice.chosen in INT8_PATHS else "fp32")
    assert any(c.chosen for c in choice.candidates)
    with pytest.raises(InputError, match="precision auto is for abstract-level"):
        machine_precision(tmp_path / "cache", texts=texts)


def test_a_model_reading_only_the_embedding_layer_exports_too(tmp_path: Path) -> None:
    encoder = tiny_encoder_checkpoint(tmp_path / "encoder")
    model = AbstractRoleModel(
        str(encoder), hidden=8, epochs=2, batch_abstracts=4, folds=2, encoder_layers=0
    ).fit(synthetic_abstracts(6), synthetic_abstracts(2, "validation"))
    exported = load_role_model(export_role_model(model.save(tmp_path / "m"), tmp_path / "onnx"))
    test = synthetic_abstracts(3, "test")
    np.testing.assert_allclose(
        exported.probabilities(test),  # type: ignore[attr-defined]
        AbstractRoleModel.load(tmp_path / "m").probabilities(test),
        atol=1e-5,
    )
