"""Dose, unit, route, frequency and duration written after a medication name.

"metformin 500 mg PO BID for 3 months" -> dose 500, unit mg, route oral, frequency twice daily,
duration 3 months. The details are read in a window after the name that ends at the sentence
end, the next medication or 80 characters. Terms come from `medication_sig.yaml`; terms on the
ISMP error-prone list are reported as such.
"""

from __future__ import annotations

import re

from medlm.knowledge.text import medication_sig
from medlm.text.results import MedicationDetails

WINDOW = 80
_NUM = r"\d+(?:\.\d+)?"
_DURATION = re.compile(
    r"(?:\bfor|\bx|×)\s*(?P<n>\d+|one|two|three|four|five|six|seven|ten|fourteen)\s*"
    r"(?P<u>days?|weeks?|wks?|months?|mos?|years?)\b",
    re.IGNORECASE,
)


def _alternation(words: list[str]) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


class SigReader:
    """Reads medication details from the text after a drug name."""

    def __init__(self) -> None:
        sig = medication_sig()
        self.sig = sig
        # casefold: the micro sign (U+00B5) and Greek mu (U+03BC) are the same letter to `re.I`
        self._units = {k.casefold(): v for k, v in sig.dose_units.items()}
        self._dose = re.compile(
            rf"(?<![\w.])(?P<v>{_NUM})\s*(?P<u>{_alternation(list(sig.dose_units))})(?![\w])",
            re.IGNORECASE,
        )
        self._route = re.compile(
            rf"(?<![\w.])(?P<r>{_alternation(list(sig.routes))})(?![\w])", re.IGNORECASE
        )
        self._freq = re.compile(
            rf"(?<![\w.])(?P<f>{_alternation(list(sig.frequencies))})(?![\w])", re.IGNORECASE
        )

    def read(self, text: str, start: int, stop: int) -> MedicationDetails | None:
        """Details in `text[start:stop]` (clipped to WINDOW characters), or None if none."""
        window = text[start : min(stop, start + WINDOW)]
        dose = self._dose.search(window)
        route = self._route.search(window)
        freq = self._freq.search(window)
        duration = _DURATION.search(window)
        if not (dose or route or freq or duration):
            return None
        used = [m.group(1).lower() for m in (route, freq) if m is not None]
        if dose:
            used.append(dose.group("u").lower())
        error_prone = tuple(u for u in used if u in self.sig.error_prone)
        return MedicationDetails(
            dose=float(dose.group("v")) if dose else None,
            unit=self._units[dose.group("u").casefold()] if dose else None,
            route=self.sig.routes[_norm(route.group("r"))] if route else None,
            frequency=self.sig.frequencies[_norm(freq.group("f"))] if freq else None,
            duration=f"{duration.group('n')} {duration.group('u').lower()}" if duration else None,
            error_prone=error_prone,
        )


def _norm(text: str) -> str:
    return " ".join(text.lower().split())
