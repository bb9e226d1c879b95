"""The journal-style cue: counted from training abstracts, left out for their own, saved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medlm.datasets.medline_corpus import RoleSentence
from medlm.training.journal_style import FEATURES, STYLE_NAMES, JournalStyle, abstract_style


def abstract(
    pmid: str, journal: str, labels: list[str], split: str = "train"
) -> list[RoleSentence]:
    return [
        RoleSentence(
            pmid=pmid,
            split=split,
            text=f"sentence {i} of {pmid}",
            label=label,
            index=i,  # type: ignore[arg-type]
            count=len(labels),
            journal=journal,
        )
        for i, label in enumerate(labels)
    ]


OBJECTIVE_FIRST = ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
BACKGROUND_FIRST = ["BACKGROUND", "BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]


def train_set() -> list[RoleSentence]:
    out: list[RoleSentence] = []
    for k in range(4):  # J Obj heads every abstract OBJECTIVE first
        out += abstract(f"o{k}", "J Obj", OBJECTIVE_FIRST)
    for k in range(4):  # J Bg never has an OBJECTIVE section
        out += abstract(f"b{k}", "J Bg", BACKGROUND_FIRST)
    return out


def column(name: str) -> int:
    return STYLE_NAMES.index(name)


def test_abstract_style_counts_sections_and_shares() -> None:
    style = abstract_style(BACKGROUND_FIRST)
    assert style[column("has_background")] == 1 and style[column("has_objective")] == 0
    assert style[column("opens_background")] == 1 and style[column("opens_objective")] == 0
    assert style[column("background_share")] == pytest.approx(2 / 5)
    assert style[column("background_sentences")] == pytest.approx(2 / 4)


def test_a_journals_style_moves_its_abstracts_features_and_an_unknown_gets_the_prior() -> None:
    style = JournalStyle(smoothing=2.0, dropout=0.0).fit(train_set())
    test = abstract("t1", "J Obj", ["OBJECTIVE", "METHODS"], "test")
    test += abstract("t2", "J Bg", ["BACKGROUND", "METHODS"], "test")
    test += abstract("t3", "", ["BACKGROUND", "METHODS"], "test")
    test += abstract("t4", "J Never Seen", ["BACKGROUND", "METHODS"], "test")
    rows = style.features(test)
    assert rows.shape == (len(test), FEATURES)
    opens_objective = rows[:, column("opens_objective")]
    # J Obj: (4 + 2 * 0.5) / (4 + 2); J Bg: (0 + 2 * 0.5) / 6; unknown: the prior 0.5
    assert opens_objective[0] == pytest.approx(5 / 6)
    assert opens_objective[2] == pytest.approx(1 / 6)
    assert opens_objective[4] == opens_objective[6] == pytest.approx(0.5)
    assert rows[0, -1] == pytest.approx(np.log1p(4) / 3) and rows[4, -1] == rows[6, -1] == 0.0
    np.testing.assert_array_equal(rows[4], rows[6])  # no journal = a journal never seen


def test_training_abstracts_never_see_their_own_labels() -> None:
    train = train_set()
    train += abstract("odd", "J Obj", BACKGROUND_FIRST)  # the one J Obj abstract unlike the rest
    style = JournalStyle(smoothing=2.0, dropout=0.0).fit(train)
    own = style.features(train, training=True)
    first = {s.pmid: i for i, s in reversed(list(enumerate(train)))}
    prior = 4 / 9  # four of the nine training abstracts open with OBJECTIVE
    # left out: "odd" sees the four objective-first abstracts only, o0 sees three and "odd"
    assert own[first["odd"], column("opens_objective")] == pytest.approx((4 + 2 * prior) / 6)
    assert own[first["o0"], column("opens_objective")] == pytest.approx((3 + 2 * prior) / 6)
    # scoring the same abstracts as unseen counts all five
    unseen = style.features(train)
    assert unseen[first["odd"], column("opens_objective")] == pytest.approx((4 + 2 * prior) / 7)


def test_dropout_hides_a_seeded_share_of_training_journals() -> None:
    train = [s for k in range(200) for s in abstract(f"p{k}", "J Obj", OBJECTIVE_FIRST)]
    style = JournalStyle(dropout=0.25, seed=3).fit(train)
    rows = style.features(train, training=True)
    hidden = rows[:: len(OBJECTIVE_FIRST), -1] == 0.0  # one row per abstract
    assert 0.15 < hidden.mean() < 0.35
    np.testing.assert_array_equal(rows, style.features(train, training=True))  # seeded
    assert (style.features(train)[:, -1] > 0).all()  # never when scoring


def test_save_and_load_give_the_same_features(tmp_path: Path) -> None:
    style = JournalStyle(dropout=0.0).fit(train_set())
    style.save(tmp_path)
    loaded = JournalStyle.load(tmp_path)
    test = abstract("t1", "J Obj", OBJECTIVE_FIRST, "test") + abstract("t2", "", ["RESULTS"])
    np.testing.assert_allclose(loaded.features(test), style.features(test))
    assert "o0" not in (tmp_path / "journal_style.json").read_text()  # counts, no abstracts
