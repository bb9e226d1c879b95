"""`medlm text trial` labels an unstructured abstract with the configured sentence-role model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from roles_helpers import synthetic_abstracts, tiny_encoder_checkpoint
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.datasets.medline_corpus import ROLES
from medlm.training.abstract_model import AbstractRoleModel

UNSTRUCTURED = (
    "Disease burden is common worldwide. We aimed to assess whether drug A helps. Patients were "
    "randomized and measured. The rate fell significantly. These findings suggest benefit."
)


@pytest.fixture(scope="module")
def role_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("roles")
    encoder = tiny_encoder_checkpoint(root / "encoder")
    model = AbstractRoleModel(str(encoder), hidden=8, epochs=2, batch_abstracts=4, lexical=False)
    return model.fit(synthetic_abstracts(6)).save(root / "roles-v1")


def test_without_a_configured_model_the_roles_are_not_predicted(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["text", "trial", "-", "--json"], input=UNSTRUCTURED)
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert (facts["roles_source"], facts["roles_model"], facts["sentence_roles"]) == (
        "none", None, []
    )  # fmt: skip
    table = CliRunner().invoke(app, ["text", "trial", "-"], input=UNSTRUCTURED)
    assert "not predicted" in table.stdout


def test_the_configured_model_labels_every_sentence_and_is_named(
    cli_env: Path, role_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLM_LM__SENTENCE_ROLE_MODEL", str(role_model))
    result = CliRunner().invoke(app, ["text", "trial", "-", "--json"], input=UNSTRUCTURED)
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["roles_source"] == "model"
    assert facts["roles_model"] == "roles-v1 (abstract-level sentence-role model)"
    assert len(facts["sentence_roles"]) == 5
    assert {span["label"] for span in facts["sentence_roles"]} <= set(ROLES)


@pytest.fixture(scope="module")
def journal_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("journal-roles")
    encoder = tiny_encoder_checkpoint(root / "encoder")
    train = [s.model_copy(update={"journal": "J Known"}) for s in synthetic_abstracts(6)]
    model = AbstractRoleModel(
        str(encoder), hidden=8, epochs=2, batch_abstracts=4, lexical=False, journal=True
    )
    return model.fit(train).save(root / "roles-j")


def test_journal_given_on_the_command_line_is_read_when_the_model_knows_it(
    cli_env: Path, journal_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLM_LM__SENTENCE_ROLE_MODEL", str(journal_model))
    known = ["text", "trial", "-", "--json", "--journal", "J Known"]
    facts = json.loads(CliRunner().invoke(app, known, input=UNSTRUCTURED).stdout)
    assert facts["roles_journal"] == "J Known" and len(facts["sentence_roles"]) == 5
    unknown = ["text", "trial", "-", "--json", "--journal", "J Never Counted"]
    facts = json.loads(CliRunner().invoke(app, unknown, input=UNSTRUCTURED).stdout)
    assert facts["roles_journal"] is None and len(facts["sentence_roles"]) == 5
    monkeypatch.setenv("COLUMNS", "250")  # one table row on one line
    table = CliRunner().invoke(app, ["text", "trial", "-", "--journal", "J Never Counted"],
                               input=UNSTRUCTURED)  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "'J Never Counted' not read" in " ".join(table.stdout.split())
