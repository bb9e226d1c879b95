"""Shared inputs of the batch tests: MEDLINE abstracts as JSONL, a small Pima risk model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def abstracts() -> list[dict[str, Any]]:
    """2,000 MEDLINE abstracts (title + abstract) from the packaged baseline files."""
    from medlm.datasets.medline import iter_citations
    from medlm.datasets.medline_corpus import corpus_documents

    docs = []
    for doc in corpus_documents(iter_citations()):
        docs.append({"id": doc.pmid, "text": doc.text})
        if len(docs) == 2_000:
            break
    return docs


@pytest.fixture(scope="session")
def pima_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A logistic-regression diabetes model trained on Pima, saved once per session."""
    from medlm.datasets import load
    from medlm.risk.estimator import DiseaseRiskPredictor

    frame = load("pima").frame
    model = DiseaseRiskPredictor().fit(frame.drop(columns="Outcome"), frame["Outcome"])
    folder = tmp_path_factory.mktemp("models") / "pima"
    model.save(folder)
    return folder


@pytest.fixture(scope="session")
def pima_rows() -> list[dict[str, Any]]:
    """Pima rows as risk job input: the model's columns and an id."""
    from medlm.datasets import load

    frame = load("pima").frame.drop(columns="Outcome").head(60)
    return [{"id": f"pima-{i + 1:04d}", **row} for i, row in enumerate(frame.to_dict("records"))]
