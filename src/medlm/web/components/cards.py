"""Result cards: a risk card (probability, tier, the model's population note, top reasons) and
CDS Hooks-style cards for treatment recommendations and safety issues (indicator, summary,
detail, source).

The treatment cards are the service's own CDS Hooks cards (`medlm.treatment.cds`) rendered as
HTML, so the chart and an EHR show the same thing. All text is escaped; the cards' markdown
detail is rendered for its two forms (`**bold**`, `_italic_`) and paragraphs only.

Given a `locale` other than English, the generated sentences (reasons, population notes, safety
issues, recommendation rationales) are rendered from their message templates in that language
(`message_html`); what stays English (a cited rule's wording, a guideline's title, the record's
own medication text, a sentence without a template) is marked `lang="en"`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from markupsafe import Markup

from medlm import DISCLAIMER
from medlm.explain import Contribution
from medlm.i18n import DEFAULT
from medlm.risk import RiskScore
from medlm.treatment import TreatmentReport
from medlm.treatment.cds import CdsCard, issue_card, missing_card, recommendation_card
from medlm.treatment.results import Recommendation, SafetyIssue
from medlm.web.components.chart_results import ChartProblem, ModelOutside
from medlm.web.components.messages import N_, message_html, term_html

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
SEVERITY_LABELS = {
    "high": N_("High severity"),
    "moderate": N_("Moderate severity"),
    "low": N_("Low severity"),
}
KIND_LABELS = {
    "interaction": N_("drug interaction"),
    "contraindication": N_("contraindication"),
    "dose": N_("dose"),
    "allergy": N_("allergy"),
    "pregnancy": N_("pregnancy"),
    "duplicate": N_("duplicate therapy"),
    "pharmacogenomic": N_("pharmacogenomic conflict"),
}
ACTION_LABELS = {
    "start": N_("Start"),
    "avoid": N_("Avoid"),
    "stop": N_("Stop"),
    "adjust": N_("Adjust"),
    "monitor": N_("Monitor"),
}
ISSUE_SUMMARY = N_("%(severity)s, %(kind)s: %(drugs)s")
RECOMMENDATION_SUMMARY = N_("%(action)s: %(what)s")
SAFETY = N_("Safety")
DOSE_GUIDANCE = N_("Dose guidance")
STRENGTH = N_("strength")
THERAPY = N_("therapy")
DISCLAIMER_LABEL = N_(DISCLAIMER)
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
    locale: str = DEFAULT,
) -> Markup:
    """One model's prediction for the patient: probability, tier, population note, reasons
    (reasons and the population note in `locale` when they carry their message templates)."""
    tier = score.tier.value if score.tier is not None else "none"
    tier_text = label(TIER_LABELS[tier]) if score.tier is not None else label(N_("No tier"))
    reasons = sorted(score.reasons, key=lambda r: -abs(r.contribution))[:top]
    items = "".join(
        f'<li class="{_direction(r.contribution)}">'
        f'<span class="direction">{escape(label(_direction(r.contribution)))}'
        f"</span> {_reason_html(r, locale)}</li>"
        for r in reasons
    )
    notes = []
    words = _population_html(score, locale)
    if words:
        notes.append(f'<p class="population">{escape(label(POPULATION))}: {words}</p>')
    if score.low_confidence:
        notes.append(f'<p class="low-confidence">{escape(label(LOW_CONFIDENCE))}</p>')
    return Markup(
        f'<article class="card risk-card tier-{tier}" aria-label="{escape(score.outcome)}">'
        f"<h3>{_outcome_html(score.outcome, locale)} "
        f"<small>({escape(label(MODEL))}: {escape(score.model_name)})</small></h3>"
        f'<p class="probability"><span class="value">{escape(format_percent(score.probability))}'
        f'</span> <span class="tier">{escape(tier_text)}</span></p>'
        f"{''.join(notes)}"
        f'<h4>{escape(label(TOP_REASONS_LABEL))}</h4><ul class="reasons">{items}</ul></article>'
    )


def outside_line(outside: ModelOutside, locale: str = DEFAULT) -> Markup:
    """A model the patient is outside the population of: name, outcome, and why (in `locale`
    when the reasons carry their message templates)."""
    reasons = outside.reasons
    if locale != DEFAULT and outside.messages and len(outside.messages) == len(reasons):
        why = "; ".join(message_html(m, locale) for m in outside.messages)
    else:
        why = _english("; ".join(reasons))
    outcome = _outcome_html(outside.outcome, locale)
    return Markup(f"{escape(outside.model)} ({outcome}): {why}")


def problem_detail(problem: ChartProblem, locale: str = DEFAULT) -> Markup:
    """Why a part of the chart could not run: its message in `locale` when it has one, else
    the library's English message marked `lang="en"`."""
    if locale != DEFAULT and problem.message is not None:
        return message_html(problem.message, locale)
    return Markup(_english(problem.detail))


def _outcome_html(outcome: str, locale: str) -> str:
    return _english(outcome) if locale == DEFAULT else term_html(outcome, locale)


def _english(text: str) -> str:
    return f'<span lang="en">{escape(text)}</span>'


def _reason_html(reason: Contribution, locale: str) -> str:
    if locale == DEFAULT or reason.message is None:
        return _english(reason.text)
    return message_html(reason.message, locale)


def _population_html(score: RiskScore, locale: str) -> str:
    """The population the model is for, or (no population stated) why it was not checked."""
    status = score.population
    if status is None:
        return ""
    translated = locale != DEFAULT
    if status.population:
        if translated and status.population_message is not None:
            return message_html(status.population_message, locale)
        return _english(status.population)
    if translated and status.reasons and len(status.messages) == len(status.reasons):
        return "; ".join(message_html(m, locale) for m in status.messages)
    return _english("; ".join(status.reasons)) if status.reasons else ""


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


def _card_html(
    card: CdsCard, title: str, paragraphs: list[str], label: Label, source_line: str
) -> Markup:
    """A CDS card in the page's language: indicator, title, detail paragraphs, source."""
    indicator = label(INDICATOR_LABELS[card.indicator])
    detail = "".join(f"<p>{p}</p>" for p in paragraphs if p)
    return Markup(
        f'<article class="card cds-card indicator-{card.indicator}">'
        f'<p class="indicator">{escape(indicator)}</p><h3>{title}</h3>'
        f'<div class="detail">{detail}'
        f"<p><em>{escape(label(DISCLAIMER_LABEL))}</em></p></div>"
        f'<p class="source">{escape(label(SOURCE))}: {source_line}</p></article>'
    )


def _source(card: CdsCard) -> str:
    return _english(card.source.get("label") or "")


def issue_card_html(issue: SafetyIssue, *, label: Label, locale: str) -> Markup:
    """A safety issue's card in `locale`: its sentence from the message template, the cited
    document as cited (English)."""
    card = issue_card(issue)
    if issue.message is None:
        return cds_card(card, label=label)
    drugs = " + ".join(term_html(d, locale) for d in issue.drugs)
    title = Markup(escape(label(ISSUE_SUMMARY))) % {
        "severity": label(SEVERITY_LABELS[issue.severity.value]),
        "kind": label(KIND_LABELS[issue.kind.value]),
        "drugs": Markup(drugs),
    }
    cited = f"<strong>{escape(label(SOURCE))}:</strong> {_english(str(issue.citation))}"
    return _card_html(
        card, title, [message_html(issue.message, locale), cited], label, _source(card)
    )


def recommendation_card_html(rec: Recommendation, *, label: Label, locale: str) -> Markup:
    """A recommendation's card in `locale`: action, drug or class, rationale from its message
    template, the safety issues it meets, CPIC's dose guidance and the citation (English)."""
    card = recommendation_card(rec)
    if rec.message is None or any(i.message is None for i in rec.safety_issues):
        return cds_card(card, label=label)
    what = (
        term_html(rec.drug, locale)
        if rec.drug
        else term_html(rec.drug_class, locale)
        if rec.drug_class
        else label(THERAPY)
    )
    title = Markup(escape(label(RECOMMENDATION_SUMMARY))) % {
        "action": label(ACTION_LABELS[rec.action.value]),
        "what": what,
    }
    paragraphs: list[str] = [message_html(rec.message, locale)]
    if rec.safety_issues:
        issues = "; ".join(message_html(i.message, locale) for i in rec.safety_issues if i.message)
        paragraphs.append(f"<strong>{escape(label(SAFETY))}:</strong> {issues}")
    if rec.dose_guidance:
        dose = _english(rec.dose_guidance)
        paragraphs.append(f"<strong>{escape(label(DOSE_GUIDANCE))}:</strong> {dose}")
    paragraphs.append(
        f"<strong>{escape(label(SOURCE))}:</strong> {_english(str(rec.citation))} "
        f"({escape(label(STRENGTH))}: {_english(rec.strength)})"
    )
    return _card_html(card, title, paragraphs, label, _source(card))


def treatment_cards(
    report: TreatmentReport, *, label: Label = _same, locale: str = DEFAULT
) -> list[Markup]:
    """Safety issues first (most severe first, as the report orders them), then the
    recommendations, then what could not be checked; in `locale` where a sentence has its
    message template."""
    if locale == DEFAULT:
        shown = [
            *(cds_card(issue_card(i), label=label) for i in report.issues),
            *(cds_card(recommendation_card(r), label=label) for r in report.recommendations),
        ]
    else:
        shown = [
            *(issue_card_html(i, label=label, locale=locale) for i in report.issues),
            *(
                recommendation_card_html(r, label=label, locale=locale)
                for r in report.recommendations
            ),
        ]
    if report.missing:
        heading = label(CHECKS_NOT_RUN) % {"num": len(report.missing)}
        shown.append(cds_card(missing_card(report.missing), label=label, heading=heading))
    return shown
