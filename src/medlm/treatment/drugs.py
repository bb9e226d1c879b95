"""Drug-name matching: free-text names and codes resolved to ingredients through a drug dictionary.

The dictionary is the 20,070-drug table of the `drug-named-entity-recognition` package (MIT):
brand names ("Plavix") resolve to ingredients ("clopidogrel"); misspellings resolve through the
package's trigram matcher (kept only above `min_similarity` trigram overlap and
`min_spelling_ratio` character similarity, so "bananas" does not become the brand "Banan") and,
for the ingredients medlm's rules name, through a close-spelling match. Every fuzzy match says
so; an unrecognised name is returned as unmatched, never guessed.
"""

from __future__ import annotations

import difflib
import logging
import re
from importlib import import_module
from typing import Any

from pydantic import BaseModel, ConfigDict

from medlm.errors import DataPackageMissingError
from medlm.records import CodeSystem, Coding

logger = logging.getLogger(__name__)

_DOSE_WORDS = re.compile(
    r"\b(\d+(\.\d+)?\s*(mg|mcg|g|ml|meq|units?|iu)\b|tablets?|tabs?|capsules?|caps?|oral|po|daily|"
    r"once|twice|bid|tid|qd|er|xr|sr|extended|release|injection|solution)\b",
    re.IGNORECASE,
)


class DrugMatch(BaseModel):
    """A resolved drug: the ingredient, how it was matched, and the text it came from."""

    model_config = ConfigDict(frozen=True)

    ingredient: str
    source_text: str
    match_type: str  # "exact", "fuzzy", "code"
    similarity: float = 1.0
    drugbank_id: str | None = None


class DrugMatcher:
    """Resolve medication names or codings to lower-case ingredient names."""

    def __init__(
        self,
        known_ingredients: set[str],
        min_similarity: float = 0.35,
        min_spelling_ratio: float = 0.85,
    ) -> None:
        self.known_ingredients = known_ingredients
        self.min_similarity = min_similarity
        self.min_spelling_ratio = min_spelling_ratio
        self._finder: Any = None
        self._by_drugbank: dict[str, str] = {}

    def load(self) -> None:
        """Load the drug dictionary now (about 1.5 s once per process) rather than on first use."""
        self._load()

    def _load(self) -> Any:
        if self._finder is None:
            try:
                finder = import_module("drug_named_entity_recognition.drugs_finder")
            except ImportError as exc:
                raise DataPackageMissingError(
                    "drug-named-entity-recognition", "Drug-name matching"
                ) from exc
            self._finder = finder
            for data in finder.drug_canonical_to_data.values():
                if data.get("drugbank_id") and data.get("name"):
                    self._by_drugbank[data["drugbank_id"]] = data["name"].lower()
        return self._finder

    def match(self, name: str | None, code: Coding | None = None) -> DrugMatch | None:
        """The ingredient for a name and/or coding, or None when nothing matches."""
        finder = self._load()
        if code is not None:
            hit = self._match_code(code)
            if hit is not None:
                return hit
            if name is None and code.display:
                name = code.display
        if not name:
            return None
        text = _DOSE_WORDS.sub(" ", name).strip().lower()
        text = re.sub(r"\s+", " ", text)
        if not text:
            return None
        exact = self._exact(finder, text)
        if exact is not None:
            return DrugMatch(ingredient=exact, source_text=name, match_type="exact")
        return self._fuzzy(finder, text, name)

    def match_parts(self, name: str) -> list[DrugMatch]:
        """Each ingredient of a combination named 'A 325 MG / B 5 MG', in order, without repeats.

        Empty unless every part matches exactly (no fuzzy spelling match), so a half-recognised
        product falls back to `match`.
        """
        parts = [p for p in name.split(" / ") if p.strip()]
        if len(parts) < 2:
            return []
        hits = [self.match(part) for part in parts]
        if any(h is None or h.match_type == "fuzzy" for h in hits):
            return []
        found = {h.ingredient: h for h in hits if h is not None}
        return list(found.values())

    def _match_code(self, code: Coding) -> DrugMatch | None:
        if code.system == CodeSystem.DRUGBANK.value and code.code in self._by_drugbank:
            return DrugMatch(
                ingredient=self._by_drugbank[code.code],
                source_text=str(code),
                match_type="code",
                drugbank_id=code.code,
            )
        return None

    def _exact(self, finder: Any, text: str) -> str | None:
        canon = finder.drug_variant_to_canonical.get(text)
        if canon:
            data = finder.drug_canonical_to_data.get(canon[0], {})
            return str(data.get("name", canon[0])).lower()
        for token in text.split():  # "clopidogrel bisulfate" -> clopidogrel
            canon = finder.drug_variant_to_canonical.get(token)
            if canon and len(token) > 3:
                data = finder.drug_canonical_to_data.get(canon[0], {})
                return str(data.get("name", canon[0])).lower()
        return None

    def _fuzzy(self, finder: Any, text: str, original: str) -> DrugMatch | None:
        close = difflib.get_close_matches(text, sorted(self.known_ingredients), n=1, cutoff=0.8)
        if close:
            ratio = difflib.SequenceMatcher(None, text, close[0]).ratio()
            return DrugMatch(
                ingredient=close[0], source_text=original, match_type="fuzzy", similarity=ratio
            )
        variant, similarity = finder.get_fuzzy_match(text)
        if (
            variant is None
            or similarity is None
            or similarity < self.min_similarity
            or difflib.SequenceMatcher(None, text, variant).ratio() < self.min_spelling_ratio
        ):
            logger.debug("no drug match for a medication name")
            return None
        canon = finder.drug_variant_to_canonical[variant][0]
        data = finder.drug_canonical_to_data.get(canon, {})
        return DrugMatch(
            ingredient=str(data.get("name", canon)).lower(),
            source_text=original,
            match_type="fuzzy",
            similarity=float(similarity),
        )
