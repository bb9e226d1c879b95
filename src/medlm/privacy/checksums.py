"""Check digits that confirm identifier candidates: Luhn (cards, NPI), VIN, SSN validity."""

from __future__ import annotations

_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def luhn_valid(digits: str) -> bool:
    """True when a digit string passes the Luhn (mod 10) check (payment cards, ISO/IEC 7812)."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def npi_valid(npi: str) -> bool:
    """True for a 10-digit National Provider Identifier: Luhn over the prefix 80840 + NPI (CMS)."""
    return len(npi) == 10 and npi.isdigit() and luhn_valid("80840" + npi)


def vin_valid(vin: str) -> bool:
    """True for a 17-character VIN whose ninth character is its check digit (49 CFR 565.15)."""
    vin = vin.upper()
    if len(vin) != 17 or any(ch not in _VIN_VALUES for ch in vin):
        return False
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    check = total % 11
    return vin[8] == ("X" if check == 10 else str(check))


def ssn_plausible(area: str, group: str, serial: str) -> bool:
    """False for SSN parts never issued (area 000, 666, 900-999; group 00; serial 0000)."""
    if area in {"000", "666"} or area.startswith("9"):
        return False
    return group != "00" and serial != "0000"
