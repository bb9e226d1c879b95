"""Fills one presidio-evaluator template with a fake person and seeded numbers, recording which
placeholders are HIPAA identifiers (SYNTHETIC data for evaluation only)."""

from __future__ import annotations

import random
import re

from medlm.privacy.checksums import luhn_valid

_NAME_KEYS = {
    "person", "name", "first_name", "last_name", "name_male", "name_female", "first_name_male",
    "first_name_female", "first_name_nonbinary", "last_name_male", "last_name_female",
}  # fmt: skip
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _card(rng: random.Random) -> str:
    while True:
        digits = "4" + "".join(str(rng.randrange(10)) for _ in range(15))
        if luhn_valid(digits):
            return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def _value(key: str, person: dict[str, str], rng: random.Random) -> tuple[str | None, str]:
    """(gold category or None when the value is not PHI, value)."""
    given, surname = person["GivenName"], person["Surname"]
    person = {**person, "ZipCode": person["ZipCode"].zfill(5)}  # the CSV lost leading zeros
    if key in _NAME_KEYS:
        full = f"{given} {surname}"
        return "name", {"first_name": given, "last_name": surname}.get(key, full)
    month, day, year = person["Birthday"].split("/")
    fixed: dict[str, tuple[str | None, str]] = {
        "address": ("geo", f"{person['StreetAddress']}, {person['City']}, {person['State']} "
                           f"{person['ZipCode']}"),
        "street_name": ("geo", person["StreetAddress"].split(" ", 1)[-1]),
        "building_number": ("geo", person["StreetAddress"].split(" ", 1)[0]),
        "secondary_address": ("geo", f"Apt. {rng.randrange(1, 400)}"),
        "city": ("geo", person["City"]),
        "zipcode": ("geo", person["ZipCode"]),
        "postcode": ("geo", person["ZipCode"]),
        "date_of_birth": ("date", f"{int(month):02d}/{int(day):02d}/{year}"),
        "date_time": ("date", f"{int(month):02d}/{int(day):02d}/2021 {rng.randrange(1, 12)}:30"),
        "phone_number": ("phone", person["TelephoneNumber"]),
        "email": ("email", person["EmailAddress"]),
        "ssn": ("ssn", f"{rng.randrange(100, 665)}-{rng.randrange(10, 99)}-"
                       f"{rng.randrange(1000, 9999)}"),
        "ip_address": ("ip", ".".join(str(rng.randrange(1, 255)) for _ in range(4))),
        "url": ("url", f"https://www.{person['Domain'].lower()}/u/{rng.randrange(1000, 99999)}"),
        "credit_card_number": ("account", _card(rng)),
        "iban": ("account", f"GB{rng.randrange(10, 99)}WEST{rng.randrange(10**13, 10**14)}"),
        "us_driver_license": ("license", f"D{rng.randrange(10**7, 10**8)}"),
        "age": (None, person["Age"]),
        "year": (None, year),
        "country": (None, "Canada"),
        "nationality": (None, "Canadian"),
        "nation_woman": (None, "Canadian"),
        "nation_plural": (None, "Canadians"),
        "organization": (None, person["Company"]),
        "job": (None, person["Occupation"]),
        "state_abbr": (None, person["State"]),
        "day_of_week": (None, "Monday"),
        "prefix": (None, person["Title"]),
        "prefix_male": (None, "Mr."),
        "prefix_female": (None, "Ms."),
    }  # fmt: skip
    return fixed.get(key, (None, "{{" + key + "}}"))


def fill_template(
    template: str, person: dict[str, str], rng: random.Random
) -> tuple[str, list[tuple[str, str]]]:
    """The filled text and its (category, value) PHI pairs in order of appearance."""
    phi: list[tuple[str, str]] = []

    def sub(m: re.Match[str]) -> str:
        category, value = _value(m.group(1), person, rng)
        if m.group(1) == "address":  # street, city and ZIP are PHI; the state is not
            street, city, _ = value.split(", ")
            phi.extend([("geo", street), ("geo", city), ("geo", person["ZipCode"])])
        elif category is not None:
            phi.append((category, value))
        return value

    return _PLACEHOLDER.sub(sub, template), phi
