"""Anonymization operators: redact, mask, typed placeholder, consistent surrogate, date shift,
and the Safe Harbor generalizations of ages over 89 and ZIP codes."""

from __future__ import annotations

import hashlib
import hmac
import re
from enum import StrEnum

from pydantic import BaseModel, Field

from medlm.privacy.categories import PhiLabel
from medlm.privacy.dates import key_bytes, patient_offset_days, shift_date_text

UNSHIFTED_DATE = f"[{PhiLabel.DATE}]"  # a date that cannot be read or shifted in range
_FIRST = (
    "Alex", "Jordan", "Casey", "Morgan", "Riley", "Taylor", "Avery", "Quinn",
    "Rowan", "Harper", "Emery", "Sage", "Reese", "Parker", "Dana", "Jamie",
)  # fmt: skip
_LAST = (
    "Lindqvist", "Okafor", "Marchetti", "Halvorsen", "Brennan", "Ashdown", "Castellano",
    "Whitlock", "Nakamura", "Oyelaran", "Pembrook", "Varga", "Delacroix", "Sorensen",
)  # fmt: skip


class Operator(StrEnum):
    """How a detected span is replaced."""

    REDACT = "redact"
    MASK = "mask"
    PLACEHOLDER = "placeholder"
    SURROGATE = "surrogate"


class OperatorConfig(BaseModel):
    """Typed parameters of the anonymizer.

    `patient_id` scopes surrogates and the date shift: the same value maps to the same surrogate,
    and every date moves by the same number of days, within one patient's documents. `secret`
    keys those mappings; keep it private or they can be reversed by trial.
    """

    operator: Operator = Operator.PLACEHOLDER
    mask_char: str = Field(default="*", min_length=1, max_length=1)
    patient_id: str = "default"
    secret: str = Field(default="medlm-local", min_length=1)
    shift_dates: bool = False
    max_shift_days: int = Field(default=365, ge=1, le=3650)
    restricted_zip3: frozenset[str] | None = None


def _keyed(config: OperatorConfig, label: str, value: str) -> int:
    message = key_bytes(f"{config.patient_id}|{label}|{value.strip().lower()}")
    digest = hmac.new(key_bytes(config.secret), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def surrogate(value: str, label: str, config: OperatorConfig) -> str:
    """A fake value of the same kind, the same every time for this patient and value."""
    key = _keyed(config, label, value)
    if label == PhiLabel.NAME:
        tokens = value.split()
        if len(tokens) == 1:
            return _LAST[key % len(_LAST)]
        return f"{_FIRST[key % len(_FIRST)]} {_LAST[(key // 97) % len(_LAST)]}"
    if label == PhiLabel.EMAIL:
        return f"user{key % 100000:05d}@example.org"
    digits = iter(str(key).rjust(40, "7"))
    letters = iter("".join(chr(65 + (key >> i) % 26) for i in range(0, 64, 2)))

    def same_shape(ch: str) -> str:
        if ch.isdigit():
            return next(digits)
        if ch.isalpha():
            out = next(letters, "X")
            return out if ch.isupper() else out.lower()
        return ch

    return "".join(same_shape(ch) for ch in value)


def generalize_zip(value: str, restricted: frozenset[str]) -> str:
    """The ZIP's first three digits, or "000" for an area of 20,000 people or fewer."""
    digits = re.sub(r"\D", "", value)[:3]
    return "000" if digits in restricted else digits


def replace(value: str, label: str, config: OperatorConfig, restricted: frozenset[str]) -> str:
    """The replacement text for one detected span."""
    if label == PhiLabel.AGE:
        return "90 or older"
    if label == PhiLabel.ZIP:
        return generalize_zip(value, config.restricted_zip3 or restricted)
    if label == PhiLabel.DATE and config.shift_dates:
        days = patient_offset_days(config.secret, config.patient_id, config.max_shift_days)
        shifted = shift_date_text(value, days)
        return UNSHIFTED_DATE if shifted is None else shifted
    if config.operator is Operator.REDACT:
        return ""
    if config.operator is Operator.MASK:
        return config.mask_char * len(value)
    if config.operator is Operator.SURROGATE:
        return surrogate(value, label, config)
    return f"[{label}]"
