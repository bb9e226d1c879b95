"""HTML view of a text analysis: entities highlighted by label, their context shown by style.

`highlight` works on any list of `Span`s (entities, PHI, token attributions), so one renderer
serves them all; `render_html` adds the entity legend, sections and the decision-support notice.
Everything from the text is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from medlm import DISCLAIMER
from medlm.records import Span
from medlm.text.results import Entity, TextAnalysis

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; line-height: 1.6; }
.doc { white-space: pre-wrap; border: 1px solid #ccc; padding: 1rem; border-radius: 6px; }
mark { padding: 0 2px; border-radius: 3px; }
.problem { background: #ffd8a8; } .medication { background: #b2f2bb; }
.test { background: #a5d8ff; } .age { background: #e5dbff; } .target { background: #ffec99; }
.negated { text-decoration: line-through; } .possible { border-bottom: 2px dashed #e8590c; }
.historical { font-style: italic; } .family, .other { outline: 2px solid #7048e8; }
.hypothetical { opacity: 0.6; }
.notice { color: #555; font-size: 0.9rem; } .label { color: #777; font-size: 0.8rem; }
h2 { font-size: 1.1rem; }
"""


@dataclass(frozen=True)
class Highlight:
    """A span to mark, with its hover title and CSS classes."""

    span: Span
    title: str
    classes: tuple[str, ...]


def highlight(text: str, marks: Sequence[Highlight]) -> str:
    """`text` as escaped HTML with non-overlapping marks wrapped in <mark> elements."""
    parts: list[str] = []
    cursor = 0
    for mark in sorted(marks, key=lambda m: (m.span.start, -m.span.end)):
        if mark.span.start < cursor:
            continue  # overlapping marks: the earlier (longer) one is kept
        parts.append(escape(text[cursor : mark.span.start]))
        body = escape(text[mark.span.start : mark.span.end])
        classes = " ".join(mark.classes)
        parts.append(f'<mark class="{escape(classes)}" title="{escape(mark.title)}">{body}</mark>')
        cursor = mark.span.end
    parts.append(escape(text[cursor:]))
    return "".join(parts)


def entity_highlight(entity: Entity) -> Highlight:
    """The mark of one entity: label and context as classes, codes and context as title."""
    a = entity.assertion
    flags = [
        k for k in ("negated", "possible", "historical", "hypothetical", "family") if getattr(a, k)
    ]
    if a.experiencer == "other":
        flags.append("other")
    codes = ", ".join(f"{c.coding.code} ({c.method} {c.score:.2f})" for c in entity.codes)
    title = f"{entity.label}: {entity.preferred_name or entity.text}"
    if flags:
        title += " | " + ", ".join(flags)
    if codes:
        title += " | " + codes
    return Highlight(span=entity.span, title=title, classes=(entity.label, *flags))


def render_html(analyses: Sequence[TextAnalysis], title: str = "medlm text analysis") -> str:
    """A standalone HTML page with one highlighted block per analysed document."""
    blocks = []
    for analysis in analyses:
        heading = escape(analysis.id or "document")
        sections = ", ".join(escape(s.name) for s in analysis.sections) or "none"
        body = highlight(analysis.text, [entity_highlight(e) for e in analysis.entities])
        blocks.append(
            f"<h2>{heading}</h2><p class='label'>{len(analysis.entities)} entities; "
            f"sections: {sections}</p><div class='doc'>{body}</div>"
        )
    legend = (
        "<p><mark class='problem'>problem</mark> <mark class='medication'>medication</mark> "
        "<mark class='test'>test</mark> <mark class='age'>age</mark> "
        "<mark class='target'>target</mark> &middot; <span class='negated'>negated</span> "
        "&middot; <span class='possible'>possible</span> &middot; "
        "<span class='historical'>historical</span> &middot; "
        "<mark class='family'>family / other person</mark> &middot; "
        "<span class='hypothetical'>hypothetical</span>. Hover a mark for codes.</p>"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p class='notice'>{escape(DISCLAIMER)}</p>{legend}{''.join(blocks)}</body></html>"
    )
