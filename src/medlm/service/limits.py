"""Request limits of the HTTP service: body size, JSON nesting, string length and encoding.

`install_limits(app, limits)` adds a pure ASGI middleware (no `BaseHTTPMiddleware`, so streaming
responses such as server-sent events pass untouched). For a request that declares a body
(`Content-Length` or `Transfer-Encoding`):

- a `Content-Length` over `limits.max_body_bytes` is refused with 413 before anything is read;
- the body is read (chunked bodies too) counting bytes, and refused with 413 once over the limit;
- a JSON body (`application/json`, `application/*+json`, or no content type, which FastAPI reads
  as JSON) must be valid UTF-8 and is checked, without recursion and by regular-expression
  passes over the raw text (no Python loop per character), for nesting deeper than
  `limits.max_json_depth`, a string longer than `limits.max_string_chars` characters, and
  `\\uD800`-`\\uDFFF` escapes that do not form a surrogate pair (which Python's JSON reader
  accepts and which then fail wherever the text is encoded); each is refused with 400.

Every refusal is JSON `{"detail": "..."}` naming the limit and its setting; a long string, a
lone surrogate or invalid UTF-8 also names its position. The body is then handed to the
application unchanged. Requests refused here never reach authentication or the audit log.
"""

from __future__ import annotations

import re
from typing import Any

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medlm.records.json_shape import json_depth
from medlm.settings import LimitsSettings

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a whole JSON string, escapes included
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LOW_ESCAPE = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)", re.DOTALL)
_THREAD_SCAN_CHARS = 256 * 1024  # larger bodies are scanned off the event loop


def _setting(field: str) -> str:
    return f"limits.{field}, setting MEDLM_LIMITS__{field.upper()}"


class LimitRefused(Exception):
    """A request broke a limit: the status to answer and a message naming the limit."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _lone(at: int) -> str:
    return f"JSON string has a lone surrogate escape at character {at} (not valid Unicode)"


def _check_depth(text: str, limits: LimitsSettings) -> None:
    deepest = json_depth(text)
    if deepest > limits.max_json_depth:
        raise LimitRefused(
            400,
            f"JSON nested {deepest} levels deep, deeper than {limits.max_json_depth} "
            f"({_setting('max_json_depth')})",
        )


def _check_strings(text: str, limits: LimitsSettings) -> None:
    """No string longer than the limit: raw lengths first, exact length for the long ones."""
    if max(map(len, _STRING.findall(text)), default=0) - 2 <= limits.max_string_chars:
        return
    for match in _STRING.finditer(text):
        content = match.group()[1:-1]
        if len(content) > limits.max_string_chars and (
            len(_ESCAPE.sub("_", content)) > limits.max_string_chars  # one character per escape
        ):
            raise LimitRefused(
                400,
                f"JSON string starting at character {match.start()} is longer than "
                f"{limits.max_string_chars} characters ({_setting('max_string_chars')})",
            )


def _check_surrogates(text: str) -> None:
    """Every \\uD800-\\uDFFF escape is half of a high-low pair."""
    paired_low_at = -1
    for match in _SURROGATE_ESCAPE.finditer(text):
        start = match.start()
        first = start
        while first > 0 and text[first - 1] == "\\":
            first -= 1
        if (start - first) % 2 == 1:
            continue  # an escaped backslash followed by the letters "u" and hex digits
        if int(text[start + 2 : start + 6], 16) >= 0xDC00:
            if start != paired_low_at:
                raise LimitRefused(400, _lone(start))
        elif _LOW_ESCAPE.match(text, match.end()):
            paired_low_at = match.end()
        else:
            raise LimitRefused(400, _lone(start))


def check_json_text(text: str, limits: LimitsSettings) -> None:
    """Check JSON text without recursion; LimitRefused (400) for nesting deeper than
    `max_json_depth`, a string longer than `max_string_chars`, or a lone surrogate escape.
    Syntax is not checked here: the JSON parser does that afterwards."""
    _check_depth(text, limits)
    _check_strings(text, limits)
    if "\\u" in text:
        _check_surrogates(text)


def check_json_body(body: bytes, limits: LimitsSettings) -> None:
    """A JSON body must be UTF-8 (400 naming the byte otherwise) within the JSON limits."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LimitRefused(
            400, f"request body is not valid UTF-8 (byte {exc.start}); JSON must be UTF-8"
        ) from exc
    check_json_text(text, limits)


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return True  # FastAPI reads a body without a content type as JSON
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _too_large(limits: LimitsSettings) -> LimitRefused:
    return LimitRefused(
        413,
        f"request body is larger than {limits.max_body_bytes} bytes ({_setting('max_body_bytes')})",
    )


def _check_declared_length(headers: Headers, limits: LimitsSettings) -> None:
    declared = headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise LimitRefused(400, "Content-Length header is not a whole number")
    if int(declared) > limits.max_body_bytes:
        raise _too_large(limits)


async def _read_body(receive: Receive, limits: LimitsSettings) -> bytes | None:
    """The whole request body, counting bytes as they arrive; None if the client went away."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise _too_large(limits)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class RequestLimits:
    """ASGI middleware refusing request bodies over the configured limits (see module doc)."""

    def __init__(self, app: ASGIApp, limits: LimitsSettings) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        if headers is None or not ({"content-length", "transfer-encoding"} & set(headers.keys())):
            await self.app(scope, receive, send)
            return
        try:
            _check_declared_length(headers, self.limits)
            body = await _read_body(receive, self.limits)
            if body is None:
                return
            if body and _is_json(headers.get("content-type")):
                await self._check_json(body)
        except LimitRefused as refused:
            response = JSONResponse({"detail": refused.detail}, status_code=refused.status)
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _check_json(self, body: bytes) -> None:
        if len(body) <= _THREAD_SCAN_CHARS:
            check_json_body(body, self.limits)
        else:
            await anyio.to_thread.run_sync(check_json_body, body, self.limits)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that first gives the body already read, then defers to the server's (so the
    application still hears a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def install_limits(app: Any, limits: LimitsSettings) -> None:
    """Add the request-limits middleware to a Starlette/FastAPI app (before it starts). Install
    it last so it is the outermost middleware: an oversized body is refused before
    authentication or any other work is done."""
    app.add_middleware(RequestLimits, limits=limits)
