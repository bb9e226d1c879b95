"""`N_`: marks a message id for extraction where the string is translated later, through a
`label` function or a template's `_()` on a variable."""

from __future__ import annotations


def N_(msgid: str) -> str:
    """`msgid` unchanged; its only job is to be found by the message extractor."""
    return msgid


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
