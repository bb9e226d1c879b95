"""Text a parsed JSON document may carry: lone surrogates are refused at the records boundary.

Python's JSON reader turns an escape such as `"\\ud800"` (half of a surrogate pair) into a
string that cannot be written as UTF-8, so it would fail later wherever it is encoded (database,
validation messages, output). Readers call `check_unicode` once on the parsed document and get
an InputError naming where the bad string is.
"""

from __future__ import annotations

import json
from typing import Any

from medlm.errors import InputError

_MAX_SHOWN = 40


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


def check_unicode(document: Any, where: str = "input") -> None:
    """InputError when any string of the parsed JSON `document` is not valid Unicode text
    (a lone surrogate); the message names the path. One fast encoding pass when it is clean."""
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
        return
    except (UnicodeEncodeError, TypeError, ValueError, RecursionError):
        pass  # a bad string, or not plain JSON data (walked below either way)
    path = surrogate_path(document)
    if path is not None:
        raise InputError(
            f"{where}: {path} holds a lone surrogate (half of a UTF-16 pair, e.g. \\ud800), "
            "which is not valid Unicode text"
        )
