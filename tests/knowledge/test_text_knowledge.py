"""The text knowledge files load, cite their sources and stay consistent."""

from __future__ import annotations

from medlm.knowledge.text import (
    abbreviations,
    measurement_concepts,
    medication_sig,
    section_rules,
    stoplist,
    verified_mesh,
)


def test_expanded_abbreviations_are_never_also_listed_ambiguous() -> None:
    abbr = abbreviations()
    assert not set(abbr.expand) & set(abbr.ambiguous)
    assert {"MI", "PE", "MS", "RA"} <= set(abbr.ambiguous)


def test_ambiguous_abbreviations_are_on_the_stop_list() -> None:
    words = stoplist().words
    assert all(a.lower() in words for a in abbreviations().ambiguous)


def test_each_section_header_belongs_to_one_section() -> None:
    headers = [h for r in section_rules() for h in r.headers]
    assert len(headers) == len(set(headers))
    assert all(r.source in {"sectag", "nlm_struct"} for r in section_rules())


def test_loinc_codes_cite_a_source_and_medlm_codes_say_why() -> None:
    concepts, units = measurement_concepts()
    for concept in concepts:
        if concept.code["system"] == "loinc":
            assert concept.source in {"REF81", "LABU", "FHIRVS"}
        else:
            assert concept.source.startswith("none")
    assert units["mmhg"] == "mm[Hg]"


def test_sig_error_prone_terms_are_known_terms() -> None:
    sig = medication_sig()
    known = set(sig.routes) | set(sig.frequencies) | set(sig.dose_units) | {"u"}
    assert set(sig.error_prone) <= known


def test_verified_mesh_uses_medline_ids() -> None:
    mesh = verified_mesh()
    assert mesh["breast neoplasms"] == "D001943"
    assert mesh["aspirin"] == "D001241"
