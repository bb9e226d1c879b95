"""Medical text analysis: entities, context, codes and trial-report facts."""

from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.results import (
    Assertion,
    CodeMatch,
    Entity,
    Measurement,
    MedicationDetails,
    Section,
    TextAnalysis,
)
from medlm.text.vocabulary import TargetTerm, Vocabulary, VocabularyStore

__all__ = [
    "Assertion",
    "CodeMatch",
    "Entity",
    "Measurement",
    "MedicalTextAnalyzer",
    "MedicationDetails",
    "Section",
    "TargetTerm",
    "TextAnalysis",
    "Vocabulary",
    "VocabularyStore",
]
