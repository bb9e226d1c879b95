"""Pattern recognizers for PHI: regular expressions, context cues and check digits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from medlm.privacy.categories import PhiLabel
from medlm.privacy.checksums import luhn_valid, ssn_plausible, vin_valid
from medlm.records import Span

_ID = r"(?=[A-Z0-9\-]*\d)[A-Z0-9][A-Z0-9\-]{2,}[A-Z0-9]"
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORDINALS = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"twenty-\w+|thirtieth|thirty-first)"
)
_STATE = (
    r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|PR|RI|"
    r"S[CD]|T[NX]|UT|V[TA]|W[AVIY])"
)
_CAP = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_STREET_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Trail|Trl)\b\.?"
)


@dataclass(frozen=True)
class PatternRule:
    """One recognizer: the value is `group` of `regex`; `validate` may reject it (check digits)."""

    label: PhiLabel
    regex: re.Pattern[str]
    score: float
    group: int = 0
    validate: Callable[[re.Match[str]], bool] | None = None


def _rule(
    label: PhiLabel,
    pattern: str,
    score: float,
    group: int = 0,
    validate: Callable[[re.Match[str]], bool] | None = None,
    flags: int = 0,
) -> PatternRule:
    return PatternRule(label, re.compile(pattern, flags), score, group, validate)


def _ssn_ok(m: re.Match[str]) -> bool:
    return ssn_plausible(m.group("a"), m.group("g"), m.group("s"))


def _ip_ok(m: re.Match[str]) -> bool:
    return all(0 <= int(part) <= 255 for part in m.group(0).split("."))


def _md_ok(m: re.Match[str]) -> bool:
    return 1 <= int(m.group("m")) <= 12 and 1 <= int(m.group("d")) <= 31


def _over_89(m: re.Match[str]) -> bool:
    return 89 < int(m.group("age")) < 130


_I = re.IGNORECASE
RULES: tuple[PatternRule, ...] = (
    _rule(PhiLabel.EMAIL, r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", 0.99),
    _rule(PhiLabel.URL, r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:)]", 0.95, flags=_I),
    _rule(PhiLabel.IP, r"\b(?:\d{1,3}\.){3}\d{1,3}\b", 0.9, validate=_ip_ok),
    _rule(PhiLabel.SSN, r"\b(?P<a>\d{3})-(?P<g>\d{2})-(?P<s>\d{4})\b", 0.9, validate=_ssn_ok),
    _rule(
        PhiLabel.SSN,
        r"\b(?:SSN|social security(?: number)?)\D{0,40}?(?P<v>(?P<a>\d{3})[ .-]?(?P<g>\d{2})"
        r"[ .-]?(?P<s>\d{4}))\b",
        0.95,
        group=1,
        validate=_ssn_ok,
        flags=_I,
    ),
    _rule(
        PhiLabel.FAX,
        r"\bfax(?:ed)?\b[^\n\d]{0,20}"
        r"((?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\b\d{3}[ .-])\d{3}[ .-]\d{4})\b",
        0.95,
        group=1,
        flags=_I,
    ),
    _rule(
        PhiLabel.PHONE,
        r"(?<![\w/])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}\b",
        0.85,
    ),
    _rule(
        PhiLabel.MRN,
        r"(?:MRN|medical record(?: number| no\.?)?|chart(?: number| no\.?| #))\s*[#:]?\s*"
        r"([A-Z]{0,3}\d{3,}[A-Z0-9-]*)",
        0.95,
        group=1,
        flags=_I,
    ),
    _rule(
        PhiLabel.HEALTH_PLAN,
        r"\b(?:member|subscriber|beneficiary|policy|insurance|medicaid|medicare|plan)\s*"
        r"(?:ID|id|number|no\.?|#)?\s*(?:is|:|#)?\s*(" + _ID + r")",
        0.9,
        group=1,
        validate=lambda m: any(ch.isdigit() for ch in m.group(1)),
        flags=_I,
    ),
    _rule(
        PhiLabel.ACCOUNT,
        r"\b(?:account|acct)\.?\s*(?:number|no\.?|#)?\s*(?:is|:|#)?\s*(\d[\d-]{3,}\d)",
        0.9,
        group=1,
        flags=_I,
    ),
    _rule(
        PhiLabel.ACCOUNT,
        r"\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}\b",
        0.8,
        validate=lambda m: luhn_valid(re.sub(r"\D", "", m.group(0))),
    ),
    _rule(
        PhiLabel.LICENSE,
        r"\b(?:licen[cs]e|certificate|DEA|NPI)\s*(?:number|no\.?|#)?\s*(?:is|:|#)?\s*(" + _ID + ")",
        0.9,
        group=1,
        validate=lambda m: any(ch.isdigit() for ch in m.group(1)),
        flags=_I,
    ),
    _rule(PhiLabel.VEHICLE, r"\b[A-HJ-NPR-Z0-9]{17}\b", 0.9, validate=lambda m: vin_valid(m[0])),
    _rule(
        PhiLabel.VEHICLE,
        r"\b(?:VIN|plate|license plate|tag)\s*(?:number|no\.?|#)?\s*[:#]?\s*([A-Z0-9-]{4,17})\b",
        0.9,
        group=1,
    ),
    _rule(
        PhiLabel.DEVICE,
        r"\b(?:serial|S/?N|device ID|UDI|lot)\s*(?:number|no\.?|#)?\s*[:#]?\s*(" + _ID + ")",
        0.9,
        group=1,
        validate=lambda m: any(ch.isdigit() for ch in m.group(1)),
        flags=_I,
    ),
    _rule(
        PhiLabel.BIOMETRIC,
        r"\b(?:voice ?print|finger ?print|retina(?:l)? scan|iris scan|biometric)\w*"
        r"(?:\s+(?:template|ID|id|record|scan))?\s*[:#]?\s*(" + _ID + ")",
        0.9,
        group=1,
        flags=_I,
    ),
    _rule(PhiLabel.PHOTO, r"\b[\w-]+\.(?:jpe?g|png|gif|heic|tiff?|bmp|dcm)\b", 0.9, flags=_I),
    _rule(
        PhiLabel.ID,
        r"\b(?:study|subject|participant|enrollment|trial|case)\s*(?:code|ID|id|number|no\.?|#)"
        r"\s*(?:is|:|#)?\s*(" + _ID + ")",
        0.85,
        group=1,
    ),
    _rule(PhiLabel.ID, r"\b[A-Z]{3,}-\d{3,}\b", 0.6),
    # Dates: every element except a bare year is PHI.
    _rule(PhiLabel.DATE, r"\b\d{4}-\d{2}-\d{2}\b", 0.95),
    _rule(
        PhiLabel.DATE,
        r"\b(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?:\d{4}|\d{2})\b",
        0.9,
        validate=_md_ok,
    ),
    _rule(
        PhiLabel.DATE,
        r"\b(?:on|since|from|until|dated|DOB|born|seen|admitted|discharged)\s+"
        r"(?P<v>(?P<m>\d{1,2})/(?P<d>\d{1,2}))\b(?!/)",
        0.8,
        group=1,
        validate=_md_ok,
    ),
    _rule(PhiLabel.DATE, r"\b" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b", 0.9),
    _rule(
        PhiLabel.DATE, r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"(?:,?\s+\d{4})?", 0.9
    ),
    _rule(PhiLabel.DATE, r"\b" + _MONTHS + r",?\s+\d{4}\b", 0.85),
    _rule(PhiLabel.DATE, r"\b(?:the\s+)?" + _ORDINALS + r"\s+of\s+" + _MONTHS, 0.9, flags=_I),
    # Ages over 89 (the number only, so "Age 93" keeps its word).
    _rule(
        PhiLabel.AGE,
        r"\b(?P<age>\d{2,3})(?=[- ](?:year|yr)s?[- ]old|\s?(?:y/?o|yo)\b)",
        0.95,
        group=1,
        validate=_over_89,
    ),
    _rule(
        PhiLabel.AGE,
        r"\b(?:age|aged)[:\s]\s*(?P<age>\d{2,3})\b",
        0.95,
        group=1,
        validate=_over_89,
        flags=_I,
    ),
    # Geography smaller than a state.
    _rule(
        PhiLabel.STREET,
        r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:"
        + _CAP
        + r"\s+){1,3}"
        + _STREET_SUFFIX
        + r"(?:,?\s+(?:Apt|Unit|Suite|#)\.?\s*\w+)?",
        0.9,
    ),
    _rule(
        PhiLabel.STREET,
        r"\b(?:" + _CAP + r"\s+){1,3}(?:Street|Road|Avenue|Boulevard|Lane|Drive|Court|Terrace|"
        r"Parkway|Highway)\b",
        0.7,
    ),
    _rule(PhiLabel.STREET, r"\b(?:Apt|Apartment|Suite|Unit)\.?\s*#?\d+[A-Z]?\b", 0.8),
    _rule(
        PhiLabel.CITY,
        r"\b((?:"
        + _CAP
        + r"\s){0,2}"
        + _CAP
        + r")(?:,\s*"
        + _STATE
        + r"\b|\s+"
        + _STATE
        + r"\s+\d{5})",
        0.8,
        group=1,
    ),
    _rule(
        PhiLabel.CITY,
        r"\b(?:city|town|village) of\s+((?:" + _CAP + r"\s)?" + _CAP + ")",
        0.85,
        group=1,
    ),
    _rule(PhiLabel.COUNTY, r"\b(?:" + _CAP + r"\s)?" + _CAP + r"\s+(?:County|Parish)\b", 0.9),
    _rule(PhiLabel.ZIP, r"(?<=\b" + _STATE + r")\s*,?\s*(\d{5}(?:-\d{4})?)\b", 0.9, group=1),
    _rule(
        PhiLabel.ZIP,
        r"\b(?:ZIP|zip code|postal code)\D{0,20}?(\d{5}(?:-\d{4})?)\b",
        0.9,
        group=1,
        flags=_I,
    ),
)
"""The pattern recognizers, in no particular order (overlaps are resolved by the detector)."""


def find_patterns(text: str, rules: tuple[PatternRule, ...] = RULES) -> Iterator[Span]:
    """Yield a span for every rule match whose validator (if any) accepts it."""
    for rule in rules:
        for m in rule.regex.finditer(text):
            if rule.validate is not None and not rule.validate(m):
                continue
            start, end = m.span(rule.group)
            if end > start:
                yield Span(start=start, end=end, label=rule.label.value, score=rule.score)
