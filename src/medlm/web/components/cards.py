"""Result cards: a risk card (probability, tier, the model's population note, top reasons) and
CDS Hooks-style cards for treatment recommendations and safety issues (indicator, summary,
detail, source).

The treatment cards are the service's own CDS Hooks cards (`medlm.treatment.cds`) rendered as
HTML, so the chart and an EHR show the same thing. All text is escaped; the cards' markdown
detail is rendered for its two forms (`**bold**`, `_italic_`) and paragraphs only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

from medlm.risk import RiskScore
from medlm.treatment import TreatmentReport
from medlm.treatment.cds import CdsCard, issue_card, missing_card, recommendation_card
from medlm.web.components.messages import N_

Label = Callable[[str], str]
NumberFormat = Callable[[float], str]

TOP_REASONS = 3
TIER_LABELS = {"high": N_("High risk"), "medium": N_("Medium risk"), "low": N_("Low risk")}
INDICATOR_LABELS = {"critical": N_("Critical"), "warning": N_("Warning"), "info": N_("Info")}
# Message ids used inside f-strings (named so the extractor finds them).
POPULATION = N_("Population")
LOW_CONFIDENCE = N_("Low confidence")
TOP_REASONS_LABEL = N_("Top reasons")
SOURCE = N_("Source")
MODEL = N_("model")
CHECKS_NOT_RUN = N_("Checks that could not run (data missing or unreadable): %(num)s")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<!\w)_(.+?)_(?!\w)")


def _same(text: str) -> str:
    return text


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _direction(contribution: float) -> str:
    return N_("raises") if contribution > 0 else N_("lowers")


def markdown_lite(text: str) -> str:
    """Escaped HTML of a card's markdown detail: paragraphs, `- ` list lines, bold, italic."""
    blocks = []
    for block in text.split("\n\n"):
        lines = [escape(line) for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{line[2:]}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append(f"<p>{'<br>'.join(lines)}</p>")
    html = "".join(blocks)
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", html))


def risk_card(
    score: RiskScore,
    *,
    label: Label = _same,
    format_percent: NumberFormat = _percent,
    top: int = TOP_REASONS,
) -> Markup:
    """One model's prediction for the patient: probability, tier, population note, reasons."""
    tier = score.tier.value if score.tier is not None else "none"
    tier_text = label(TIER_LABELS[tier]) if score.tier is not None else label(N_("No tier"))
    reasons = sorted(score.reasons, key=lambda r: -abs(r.contribution))[:top]
    items = "".join(
        f'<li class="{_direction(r.contribution)}">'
        f'<span class="direction">{escape(label(_direction(r.contribution)))}'
        f'</span> <span lang="en">{escape(r.text)}</span></li>'
        for r in reasons
    )
    notes = []
    if score.population is not None:
        words = score.population.population or "; ".join(score.population.reasons)
        if words:
            notes.append(
                f'<p class="population">{escape(label(POPULATION))}: '
                f'<span lang="en">{escape(words)}</span></p>'
            )
    if score.low_confidence:
        notes.append(f'<p class="low-confidence">{escape(label(LOW_CONFIDENCE))}</p>')
    return Markup(
        f'<article class="card risk-card tier-{tier}" aria-label="{escape(score.outcome)}">'
        f'<h3><span lang="en">{escape(score.outcome)}</span> '
        f"<small>({escape(label(MODEL))}: {escape(score.model_name)})</small></h3>"
        f'<p class="probability"><span class="value">{escape(format_percent(score.probability))}'
        f'</span> <span class="tier">{escape(tier_text)}</span></p>'
        f"{''.join(notes)}"
        f'<h4>{escape(label(TOP_REASONS_LABEL))}</h4><ul class="reasons">{items}</ul></article>'
    )


def cds_card(card: CdsCard, *, label: Label = _same, heading: str | None = None) -> Markup:
    """One CDS Hooks card as HTML: indicator (word and class), summary, detail, source.

    The summary and detail are the guideline's English text, marked `lang="en"`; `heading`
    replaces the summary with a translated one."""
    indicator = label(INDICATOR_LABELS[card.indicator])
    source = card.source.get("label") or ""
    title = (
        f"<h3>{escape(heading)}</h3>" if heading else f'<h3 lang="en">{escape(card.summary)}</h3>'
    )
    return Markup(
        f'<article class="card cds-card indicator-{card.indicator}">'
        f'<p class="indicator">{escape(indicator)}</p>{title}'
        f'<div class="detail" lang="en">{markdown_lite(card.detail)}</div>'
        f'<p class="source">{escape(label(SOURCE))}: <span lang="en">{escape(source)}</span></p>'
        "</article>"
    )


def treatment_cards(report: TreatmentReport, *, label: Label = _same) -> list[Markup]:
    """Safety issues first (most severe first, as the report orders them), then the
    recommendations, then what could not be checked."""
    cards: Sequence[CdsCard] = [
        *(issue_card(i) for i in report.issues),
        *(recommendation_card(r) for r in report.recommendations),
    ]
    shown = [cds_card(c, label=label) for c in cards]
    if report.missing:
        heading = label(CHECKS_NOT_RUN) % {"num": len(report.missing)}
        shown.append(cds_card(missing_card(report.missing), label=label, heading=heading))
    return shown
