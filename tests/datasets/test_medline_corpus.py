"""MEDLINE corpus: PMID splits, sentence splitting and the sentence-role data set."""

from __future__ import annotations

import pytest

from medlm.datasets.medline import AbstractSection, Citation, baseline_files, iter_citations
from medlm.datasets.medline_corpus import (
    ROLES,
    corpus_documents,
    role_sentences,
    split_abstract_sentences,
    split_of,
)
from medlm.errors import InputError


def _citation(pmid: str, sections: list[tuple[str | None, str]]) -> Citation:
    return Citation(
        pmid=pmid,
        title="A title.",
        sections=tuple(AbstractSection(nlm_category=c, text=t) for c, t in sections),
        source_file="synthetic.xml",
        journal="J Synth",
    )


def test_split_of_is_deterministic_and_roughly_80_10_10() -> None:
    splits = [split_of(str(pmid)) for pmid in range(10_000, 14_000)]
    assert splits == [split_of(str(pmid)) for pmid in range(10_000, 14_000)]
    assert 0.06 < splits.count("test") / len(splits) < 0.14
    assert 0.06 < splits.count("validation") / len(splits) < 0.14


def test_split_of_rejects_empty_pmid_and_bad_fractions() -> None:
    with pytest.raises(InputError, match="pmid"):
        split_of("")
    with pytest.raises(InputError, match=r"validation=0\.6"):
        split_of("1", validation=0.6, test=0.5)


def test_split_sentences_keeps_abbreviations_and_breaks_at_capitals() -> None:
    text = "We compared A vs. B in 40 patients. Results were good, e.g. 5 of 6 improved. It works."
    assert split_abstract_sentences(text) == [
        "We compared A vs. B in 40 patients.",
        "Results were good, e.g. 5 of 6 improved.",
        "It works.",
    ]


def test_role_sentences_keep_whole_abstracts_with_neighbours_and_positions() -> None:
    good = _citation("42", [("BACKGROUND", "Why. Still why."), ("RESULTS", "It worked.")])
    partial = _citation("43", [("BACKGROUND", "Why."), (None, "Unlabelled.")])
    rows = list(role_sentences([good, partial]))
    assert [r.label for r in rows] == ["BACKGROUND", "BACKGROUND", "RESULTS"]
    assert {r.pmid for r in rows} == {"42"}
    assert len({r.split for r in rows}) == 1
    assert rows[1].previous == "Why." and rows[1].next == "It worked."
    assert [r.relative_position for r in rows] == [0.0, 0.5, 1.0]
    assert {r.journal for r in rows} == {"J Synth"}


def test_corpus_documents_skip_citations_without_abstract() -> None:
    empty = _citation("7", [])
    docs = list(corpus_documents([empty, _citation("8", [(None, "Text here.")])]))
    assert [d.pmid for d in docs] == ["8"]
    assert docs[0].text == "A title. Text here."


def test_real_structured_abstracts_give_all_five_roles_in_every_split() -> None:
    rows = list(role_sentences(iter_citations([baseline_files()[1]], limit=3000)))
    assert {r.label for r in rows} == set(ROLES)
    assert {r.split for r in rows} == {"train", "validation", "test"}
    by_pmid: dict[str, set[str]] = {}
    for r in rows:
        by_pmid.setdefault(r.pmid, set()).add(r.split)
    assert all(len(s) == 1 for s in by_pmid.values())
