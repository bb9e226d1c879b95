"""Web components: SVG charts with NEWS2 bands, highlighted note entities, risk and CDS cards."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from medlm.explain.contributions import Contribution
from medlm.knowledge.early_warning import load_news2
from medlm.knowledge.treatment import Citation
from medlm.records import Span
from medlm.risk import RiskScore
from medlm.risk.population import PopulationStatus
from medlm.risk.result import RiskTier
from medlm.text.results import Assertion, Entity
from medlm.treatment import TreatmentReport
from medlm.treatment.results import IssueKind, SafetyIssue, Severity
from medlm.web.components.cards import markdown_lite, risk_card, treatment_cards
from medlm.web.components.highlight import highlight_note
from medlm.web.components.svg_chart import (
    ChartPoint,
    ScorePoint,
    band_ranges,
    glucose_chart,
    score_strip,
    vital_chart,
)

END = datetime(2026, 1, 2, 12, tzinfo=UTC)
START = END - timedelta(hours=24)


def _attrs(element: str) -> dict[str, str]:
    return dict(re.findall(r'([\w-]+)="([^"]*)"', element))


def _rects(svg: str, cls: str) -> list[dict[str, str]]:
    return [_attrs(m) for m in re.findall(rf'<rect class="[^"]*{cls}[^"]*"[^>]*>', svg)]


def _circles(svg: str) -> list[dict[str, str]]:
    return [_attrs(m) for m in re.findall(r"<circle [^>]*>", svg)]


def test_respiration_bands_come_from_the_news2_table() -> None:
    parameter = load_news2().parameters["respiration_rate"]
    ranges = band_ranges(parameter)
    assert [(r.low, r.high, r.points) for r in ranges] == [
        (None, b.max, b.points) if i == 0 else (parameter.bands[i - 1].max, b.max, b.points)
        for i, b in enumerate(parameter.bands)
    ]
    assert ranges[-1].high is None


def test_a_value_in_the_red_band_is_drawn_inside_that_bands_rectangle() -> None:
    parameter = load_news2().parameters["respiration_rate"]
    red_high = next(b for b in parameter.bands[1:] if b.points == 3 and b.max is None)
    assert red_high is parameter.bands[-1]
    points = [
        ChartPoint(time=START + timedelta(hours=2), value=16),
        ChartPoint(time=START + timedelta(hours=4), value=30),
    ]
    svg = str(vital_chart("Respiration rate", points, parameter, START, END))
    red = [r for r in _rects(svg, "band-3") if r["data-low"]]  # the upper red band
    assert len(red) == 1
    top, bottom = float(red[0]["y"]), float(red[0]["y"]) + float(red[0]["height"])
    high_point = next(c for c in _circles(svg) if c["data-value"] == "30")
    normal_point = next(c for c in _circles(svg) if c["data-value"] == "16")
    assert top <= float(high_point["cy"]) <= bottom
    assert not top <= float(normal_point["cy"]) <= bottom


def test_points_outside_the_window_are_not_drawn() -> None:
    parameter = load_news2().parameters["pulse"]
    points = [
        ChartPoint(time=START - timedelta(hours=1), value=140),
        ChartPoint(time=START + timedelta(hours=1), value=80),
    ]
    svg = str(vital_chart("Pulse", points, parameter, START, END))
    assert [c["data-value"] for c in _circles(svg)] == ["80"]


def test_chart_labels_go_through_the_label_function_and_are_escaped() -> None:
    parameter = load_news2().parameters["pulse"]
    svg = str(vital_chart("<Pulse>", [], parameter, START, END, label=lambda s: f"zh:{s}&"))
    assert "<title>&lt;Pulse&gt;</title>" in svg
    assert "zh:Time&amp;" in svg
    assert "<Pulse>" not in svg


def test_score_strip_classes_each_set_by_its_response_level_and_hatches_partial_sets() -> None:
    scores = [
        ScorePoint(time=START + timedelta(hours=1), total=1, partial_total=1, level=1),
        ScorePoint(time=START + timedelta(hours=2), total=8, partial_total=8, level=4),
        ScorePoint(time=START + timedelta(hours=3), total=None, partial_total=2, level=0),
    ]
    svg = str(score_strip(scores, load_news2(), START, END))
    bars = _rects(svg, "score")
    assert [b["class"] for b in bars] == ["score level-1", "score level-4", "score partial"]
    assert float(bars[1]["height"]) > float(bars[0]["height"])


def test_glucose_chart_shades_the_target_range_given() -> None:
    points = [ChartPoint(time=START + timedelta(hours=1), value=250)]
    svg = str(glucose_chart(points, (70.0, 180.0), START, END))
    target = _rects(svg, "target")[0]
    assert (target["data-low"], target["data-high"]) == ("70", "180")
    above = _circles(svg)[0]
    assert float(above["cy"]) < float(target["y"])  # above the range: higher on the page


def _entity(start: int, end: int, text: str, **assertion: bool) -> Entity:
    return Entity(
        span=Span(start=start, end=end, label="problem"),
        text=text,
        label="problem",
        source="test",
        sentence=0,
        assertion=Assertion(**assertion),
    )


def test_negated_entity_has_the_negated_class_and_a_text_marker() -> None:
    text = "No chest pain. Mother had diabetes."
    html = str(
        highlight_note(
            text,
            [_entity(3, 13, "chest pain", negated=True), _entity(26, 34, "diabetes", family=True)],
            label=lambda s: s.upper(),
        )
    )
    negated = re.search(r'<mark class="([^"]*)"[^>]*>chest pain(.*?)</mark>', html)
    assert negated is not None
    assert "negated" in negated.group(1).split()
    assert "[NEGATED]" in negated.group(2)
    family = re.search(r'<mark class="([^"]*)"[^>]*>diabetes', html)
    assert family is not None and "family" in family.group(1).split()
    assert "negated" not in family.group(1).split()


def test_note_text_is_escaped_and_codes_are_in_the_title() -> None:
    from medlm.records import Coding
    from medlm.text.results import CodeMatch

    text = "<script>x</script> asthma"
    entity = _entity(19, 25, "asthma").model_copy(
        update={
            "codes": (
                CodeMatch(
                    coding=Coding(system="http://snomed.info/sct", code="195967001"),
                    method="exact",
                    score=1.0,
                    matched_term="asthma",
                ),
            )
        }
    )
    html = str(highlight_note(text, [entity]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'title="problem: asthma | sct 195967001"' in html


def _score(**update: object) -> RiskScore:
    base = RiskScore(
        patient_id="p1",
        probability=0.42,
        tier=RiskTier.HIGH,
        outcome="diabetes",
        model_name="pima-logistic",
        model_version="1",
        family="logistic",
        population=PopulationStatus(status="inside", population="Pima women aged 21+"),
        reasons=[
            Contribution(feature="bmi", contribution=0.1, text="BMI 31 raises the risk"),
            Contribution(feature="glucose", contribution=0.9, text="glucose <b>160</b>"),
            Contribution(feature="age", contribution=-0.3, text="age 25 lowers the risk"),
            Contribution(feature="bp", contribution=0.01, text="bp small"),
        ],
    )
    return base.model_copy(update=update)


def test_risk_card_shows_probability_tier_population_and_the_top_reasons_first() -> None:
    html = str(risk_card(_score(), label=lambda s: f"T({s})"))
    assert "42%" in html and "T(High risk)" in html
    assert "Pima women aged 21+" in html
    reasons = re.findall(r"<li class=\"(raises|lowers)\">", html)
    assert reasons == ["raises", "lowers", "raises"]  # glucose, age, bmi; not bp
    assert "bp small" not in html
    assert "&lt;b&gt;160&lt;/b&gt;" in html


def test_risk_card_without_tier_says_so() -> None:
    html = str(risk_card(_score(tier=None)))
    assert "No tier" in html and "tier-none" in html


def test_treatment_cards_show_the_issue_severity_as_indicator_and_escape_detail() -> None:
    issue = SafetyIssue(
        patient_id="p1",
        severity=Severity.HIGH,
        kind=IssueKind.INTERACTION,
        drugs=["warfarin", "aspirin"],
        detail="bleeding <risk>",
        citation=Citation(
            source="onc_ddi_2012", document="ONC list", year=2012, section="t1", verification="V"
        ),
        rule_id="r1",
    )
    report = TreatmentReport(patient_id="p1", issues=[issue], knowledge_version="1")
    cards = [str(c) for c in treatment_cards(report)]
    assert len(cards) == 1
    assert "indicator-critical" in cards[0] and ">Critical<" in cards[0]
    assert "bleeding &lt;risk&gt;" in cards[0]
    assert "<strong>Source:</strong>" in cards[0]


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("a **b** _c_", "<p>a <strong>b</strong> <em>c</em></p>"),
        ("- x\n- y", "<ul><li>x</li><li>y</li></ul>"),
        ("<i>", "<p>&lt;i&gt;</p>"),
        ("snake_case_name", "<p>snake_case_name</p>"),
    ],
)
def test_markdown_lite_renders_bold_italic_lists_and_escapes(markdown: str, html: str) -> None:
    assert markdown_lite(markdown) == html
