"""The shape a parsed JSON document must have before a reader takes it: bounded nesting and
valid Unicode text, checked once at the records boundary.

Python's JSON reader turns an escape such as `"\\ud800"` (half of a surrogate pair) into a
string that cannot be written as UTF-8, so it would fail later wherever it is encoded (database,
validation messages, output); and a document nested hundreds of levels deep exhausts Python's
recursion limit in whatever walks it next. Readers call `check_document` once on the parsed
document and get an InputError naming the problem (and the path of a bad string).
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from typing import Any

from medlm.errors import InputError

MAX_DEPTH = 64  # FHIR R4 resources nest about 15 levels (Bundle, entry, extension, coding...)
_MAX_SHOWN = 40
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text (C-level passes, no recursion)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    steps = brackets.translate(_DEPTH_STEP).encode("latin-1")  # openers 2, closers 0
    # after k brackets the depth is opened - closed = 2 * opened - k
    return max(map(operator.sub, itertools.accumulate(steps), itertools.count(1)))


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _path(parent: str, key: object) -> str:
    return f"{parent}[{key}]" if isinstance(key, int) else f"{parent}.{key}" if parent else str(key)


def surrogate_path(document: Any) -> str | None:
    """The path (e.g. `entry[0].resource.id`) of the first key or string holding a lone
    surrogate, or None. Iterative, so any nesting depth is safe."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if _has_surrogate(value):
                return where or "(document)"
        elif isinstance(value, dict):
            for key, child in reversed(list(value.items())):
                if isinstance(key, str) and _has_surrogate(key):
                    return _path(where, repr(key)[:_MAX_SHOWN])
                stack.append((_path(where, key), child))
        elif isinstance(value, list | tuple):
            stack.extend((_path(where, i), child) for i, child in reversed(list(enumerate(value))))
    return None


def check_document(document: Any, where: str = "input") -> None:
    """InputError when the parsed JSON `document` nests deeper than `MAX_DEPTH` or holds a
    string that is not valid Unicode text (a lone surrogate; the message names its path)."""
    too_deep = InputError(f"{where}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        text = json.dumps(document, ensure_ascii=False)
    except RecursionError as exc:
        raise too_deep from exc
    except (TypeError, ValueError):
        text = None  # not plain JSON data: only its strings are checked
    if text is not None:
        if json_depth(text) > MAX_DEPTH:
            raise too_deep
        try:
            text.encode("utf-8")
            return
        except UnicodeEncodeError:
            pass
    path = surrogate_path(document)
    if path is not None:
        raise InputError(
            f"{where}: {path} holds a lone surrogate (half of a UTF-16 pair, e.g. \\ud800), "
            "which is not valid Unicode text"
        )
