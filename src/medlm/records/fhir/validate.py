"""Validation of FHIR R4 JSON with the fhir.resources models, errors named by FHIR path."""

from __future__ import annotations

from functools import cache
from typing import Any

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from medlm.errors import InputError
from medlm.records.fhir.parse import FieldError, Json


@cache
def _model(resource_type: str) -> Any:
    return get_fhir_model_class(resource_type)


def _path(kind: str, loc: tuple[int | str, ...]) -> str:
    return kind + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


def validate_shell(bundle: Json, name: str) -> None:
    """Validate a Bundle without its resources (those are checked one by one)."""
    shell = {
        **bundle,
        "entry": [
            {k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
            for e in bundle["entry"]
        ],
    }
    try:
        _model("Bundle").model_validate(shell)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = _path("Bundle", first["loc"])
        raise InputError(f"{name} is not a valid FHIR Bundle: {where}: {first['msg']}") from exc


def _string_quantities(value: Any, path: str) -> str | None:
    """The path of a Quantity whose `value` is a JSON string (FHIR decimals are numbers)."""
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}"
            quantity = key.endswith("Quantity") and isinstance(item, dict)
            if quantity and isinstance(item.get("value"), str | bool):
                return f"{sub}.value"
            if found := _string_quantities(item, sub):
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if found := _string_quantities(item, f"{path}[{i}]"):
                return found
    return None


def validate_resource(resource: Json, kind: str) -> None:
    """Validate with the fhir.resources R4B model; FieldError names the first bad path."""
    bad = _string_quantities(resource, kind)
    if bad is not None:
        raise FieldError(bad, "must be a JSON number, not a string")
    try:
        _model(kind).model_validate(resource)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        given = first.get("input")
        value = given if isinstance(given, str | int | float) else None
        raise FieldError(_path(kind, first["loc"]), first["msg"], value) from None
