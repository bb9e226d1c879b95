"""A note's text as HTML with the text analyzer's entities marked: label and context as CSS
classes, a visible text marker for negated, historical and family entities (never colour
alone), and the entity's codes in its `title`.

Everything from the note is HTML-escaped; overlapping entities keep the earlier (longer) one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

from medlm.text.results import Entity
from medlm.web.components.messages import N_

Label = Callable[[str], str]

# Context flags shown with a marker, in display order, with the marker's message id.
FLAGS: tuple[tuple[str, str], ...] = (
    ("negated", N_("negated")),
    ("historical", N_("historical")),
    ("family", N_("family")),
    ("possible", N_("possible")),
    ("hypothetical", N_("hypothetical")),
)
# Entity labels of the text analyzer, translated on the page.
ENTITY_LABELS = (N_("problem"), N_("medication"), N_("test"), N_("age"), N_("target"))


def _same(text: str) -> str:
    return text


def entity_flags(entity: Entity) -> list[str]:
    """The context flags of an entity that the page marks ('negated', 'family', ...)."""
    assertion = entity.assertion
    flags = [name for name, _ in FLAGS if getattr(assertion, name)]
    if assertion.experiencer == "family" and "family" not in flags:
        flags.append("family")
    return flags


def entity_title(entity: Entity, label: Label = _same) -> str:
    """The hover text: label, preferred name, context and codes ('SNOMED 44054006 ...')."""
    parts = [f"{label(entity.label)}: {entity.preferred_name or entity.text}"]
    flags = entity_flags(entity)
    if flags:
        parts.append(", ".join(label(dict(FLAGS)[f]) for f in flags))
    codes = [
        f"{_system(c.coding.system)} {c.coding.code}"
        + (f" {c.coding.display}" if c.coding.display else "")
        for c in entity.codes
    ]
    if codes:
        parts.append("; ".join(codes))
    return " | ".join(parts)


def _system(uri: str) -> str:
    """A short name of a code system URI ('http://snomed.info/sct' -> 'sct')."""
    return uri.rstrip("/").rsplit("/", 1)[-1] or uri


def _mark(text: str, entity: Entity, label: Label) -> str:
    flags = entity_flags(entity)
    classes = " ".join(["entity", f"entity-{entity.label}", *flags])
    body = escape(text[entity.span.start : entity.span.end])
    markers = "".join(
        f'<span class="entity-flag flag-{flag}">[{escape(label(dict(FLAGS)[flag]))}]</span>'
        for flag in flags
    )
    return (
        f'<mark class="{escape(classes)}" tabindex="0" '
        f'title="{escape(entity_title(entity, label))}">{body}{markers}</mark>'
    )


def highlight_note(text: str, entities: Sequence[Entity], *, label: Label = _same) -> Markup:
    """The note as escaped HTML with each (non-overlapping) entity wrapped in a `<mark>`."""
    parts: list[str] = []
    cursor = 0
    for entity in sorted(entities, key=lambda e: (e.span.start, -e.span.end)):
        if entity.span.start < cursor or entity.span.end > len(text):
            continue
        parts.append(escape(text[cursor : entity.span.start]))
        parts.append(_mark(text, entity, label))
        cursor = entity.span.end
    parts.append(escape(text[cursor:]))
    return Markup(f'<div class="note-text">{"".join(parts)}</div>')
