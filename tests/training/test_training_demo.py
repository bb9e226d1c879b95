"""The medical-adaptation demo step, on a tiny fine-tuned model and synthetic abstracts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from roles_helpers import synthetic_abstracts, tiny_encoder_checkpoint

from medlm.training import demo, sentence_roles
from medlm.training.finetuning import finetune_sentence_roles


def test_demo_loads_the_configured_classifier_and_labels_one_test_abstract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "roles"
    finetune_sentence_roles(
        str(tiny_encoder_checkpoint(tmp_path / "enc")),
        model,
        train=synthetic_abstracts(10),
        max_train_sentences=None,
        max_steps=2,
        batch_size=10,
        precision="fp32",
        calibrate=False,
    )
    monkeypatch.setenv("MEDLM_LM__SENTENCE_ROLE_MODEL", str(model))
    monkeypatch.setattr(
        sentence_roles, "load_role_sentences", lambda split=None: synthetic_abstracts(3, "test")
    )
    lines = demo.run_demo(tmp_path)
    assert lines[0] == f"loaded the sentence-role classifier {model}"
    assert "3 test abstracts, 15 sentences" in lines[1]
    written = json.loads((tmp_path / "sentence_roles.json").read_text())
    assert written["pmid"] == "test0" and len(written["predictions"]) == 5
    assert written["gold"] == ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
