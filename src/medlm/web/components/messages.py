"""Message text on pages: `N_` marks a message id for extraction where the string is translated
later (through a `label` function or a template's `_()` on a variable), and `message_html`
renders a generated clinical sentence (`medlm.messages.MessageRef`) in the page's locale."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from medlm import i18n
from medlm.messages import MessageRef


def N_(msgid: str) -> str:
    """`msgid` unchanged; its only job is to be found by the message extractor."""
    return msgid


def message_html(ref: MessageRef, locale: str) -> Markup:
    """`ref` as escaped HTML in `locale`; the pieces left in English are marked `lang="en"`
    (a cited rule's wording, the record's own medication text, a term the glossary lacks)."""
    return Markup(
        "".join(
            f'<span lang="en">{escape(part.text)}</span>' if part.english else escape(part.text)
            for part in i18n.message_parts(locale, ref)
        )
    )


def term_html(term: str, locale: str) -> Markup:
    """A clinical term (a drug ingredient, a class) from the locale's glossary, else in English
    marked `lang="en"`."""
    part = i18n.term_part(locale, term)
    text = escape(part.text)
    return Markup(f'<span lang="en">{text}</span>' if part.english else text)


# Values the chart and trial templates translate with `_()` on a variable: record enums (sex,
# condition, medication and allergy status, genomic source), sentence roles, effect kinds.
TEMPLATE_VALUES = (
    N_("female"),
    N_("male"),
    N_("other"),
    N_("unknown"),
    N_("active"),
    N_("recurrence"),
    N_("relapse"),
    N_("inactive"),
    N_("remission"),
    N_("resolved"),
    N_("completed"),
    N_("stopped"),
    N_("on-hold"),
    N_("draft"),
    N_("cancelled"),
    N_("entered-in-error"),
    N_("intended"),
    N_("not-taken"),
    N_("low"),
    N_("high"),
    N_("unable-to-assess"),
    N_("germline"),
    N_("somatic"),
    N_("BACKGROUND"),
    N_("OBJECTIVE"),
    N_("METHODS"),
    N_("RESULTS"),
    N_("CONCLUSIONS"),
    N_("NONE"),
    N_("hazard ratio"),
    N_("odds ratio"),
    N_("risk ratio"),
    N_("rate ratio"),
    N_("mean difference"),
)
