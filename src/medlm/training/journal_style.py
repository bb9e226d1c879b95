"""How a journal heads its structured abstracts: a prior for the BACKGROUND/OBJECTIVE split.

The NLM category of a sentence is the category NLM maps its section's printed heading to, and
headings are a journal's house style: one journal prints "OBJECTIVE: ... METHODS: ...",
another "BACKGROUND: ... AIMS: ...", a third "BACKGROUND: ... METHODS: ..." with the aim as
the last background sentence. The same sentence ("We aimed to compare ...") is OBJECTIVE in
the first two and BACKGROUND in the third, which the text alone cannot tell; it is most of
the role models' errors. The journal (MEDLINE's `MedlineTA`) is part of every citation, so
its style, learned from the TRAINING abstracts of the same journal, is a fair cue:

    per journal, over its training abstracts (smoothed towards all journals' rate):
      has a BACKGROUND section, has an OBJECTIVE section, opens with OBJECTIVE,
      opens with BACKGROUND, share of sentences that are BACKGROUND, share OBJECTIVE,
      BACKGROUND sentences (capped at 4, over 4), OBJECTIVE sentences (likewise)
    + log(1 + training abstracts of the journal) / 3

Leakage rule: a training abstract's own style is left out of its journal's counts
(leave-one-out), so the features of a training sentence are what they would be for an
unseen abstract of that journal. A seeded share of training abstracts (`dropout`) gets the
features of an unknown journal, so the model also learns to label an abstract whose journal
is unknown (pasted text): there every feature is the all-journals rate and the count is 0.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

import numpy as np

from medlm.datasets.medline_corpus import RoleSentence

STYLE_FILE = "journal_style.json"
STYLE_NAMES = (
    "has_background",
    "has_objective",
    "opens_objective",
    "opens_background",
    "background_share",
    "objective_share",
    "background_sentences",
    "objective_sentences",
)
FEATURES = len(STYLE_NAMES) + 1  # + log count


def abstract_style(labels: Sequence[str]) -> np.ndarray:
    """The eight style values of one abstract's role sequence (see the module docstring)."""
    n = len(labels)
    background, objective = labels.count("BACKGROUND"), labels.count("OBJECTIVE")
    return np.asarray(
        [
            background > 0,
            objective > 0,
            labels[0] == "OBJECTIVE",
            labels[0] == "BACKGROUND",
            background / n,
            objective / n,
            min(background, 4) / 4,
            min(objective, 4) / 4,
        ],
        dtype=np.float64,
    )


def _abstracts(sentences: Sequence[RoleSentence]) -> list[list[RoleSentence]]:
    return [list(group) for _, group in groupby(sentences, key=lambda s: (s.pmid, s.journal))]


class JournalStyle:
    """scikit-learn style: `fit(train_sentences)` returns self; `features(sentences)` gives
    (N, FEATURES) per sentence. `smoothing` is the weight, in abstracts, of the all-journals
    rate; `dropout` the share of training abstracts shown as from an unknown journal."""

    def __init__(self, smoothing: float = 2.0, dropout: float = 0.2, seed: int = 0) -> None:
        self.smoothing = smoothing
        self.dropout = dropout
        self.seed = seed

    def fit(self, train: Sequence[RoleSentence]) -> JournalStyle:
        sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(STYLE_NAMES)))
        counts: dict[str, int] = defaultdict(int)
        own: dict[str, np.ndarray] = {}
        for abstract in _abstracts(train):
            style = abstract_style([s.label for s in abstract])
            journal = abstract[0].journal
            own[abstract[0].pmid] = style
            if journal:
                sums[journal] += style
                counts[journal] += 1
        self.prior_ = np.mean(list(own.values()), axis=0) if own else np.zeros(len(STYLE_NAMES))
        self.sums_ = dict(sums)
        self.counts_ = dict(counts)
        self.own_ = own
        return self

    def _row(self, journal: str, leave_out: np.ndarray | None) -> np.ndarray:
        total = self.sums_.get(journal, np.zeros(len(STYLE_NAMES))).copy()
        n = self.counts_.get(journal, 0)
        if leave_out is not None and n > 0:
            total, n = total - leave_out, n - 1
        rates = (total + self.smoothing * self.prior_) / (n + self.smoothing)
        return np.concatenate([rates, [np.log1p(n) / 3.0]])

    def features(self, sentences: Sequence[RoleSentence], *, training: bool = False) -> np.ndarray:
        """(N, FEATURES) float32. `training=True` for the sentences `fit` saw: each abstract's
        own style is left out and a seeded `dropout` share is shown as journal-unknown."""
        rng = np.random.default_rng(self.seed)
        rows: list[np.ndarray] = []
        for abstract in _abstracts(sentences):
            first = abstract[0]
            journal = first.journal
            leave_out = self.own_.get(first.pmid) if training and journal else None
            if training and rng.random() < self.dropout:
                journal = ""
            rows.extend([self._row(journal, leave_out)] * len(abstract))
        return np.asarray(rows, dtype=np.float32).reshape(len(sentences), FEATURES)

    def known(self, journal: str) -> bool:
        return self.counts_.get(journal, 0) > 0

    # -- persistence (the counts only: a journal's style, never an abstract's) -----------
    def save(self, folder: Path) -> Path:
        path = folder / STYLE_FILE
        payload = {
            "smoothing": self.smoothing,
            "prior": self.prior_.tolist(),
            "journals": {
                j: {"abstracts": self.counts_[j], "sums": self.sums_[j].tolist()}
                for j in sorted(self.counts_)
            },
        }
        path.write_text(json.dumps(payload, indent=1))
        return path

    @classmethod
    def load(cls, folder: Path) -> JournalStyle:
        payload = json.loads((folder / STYLE_FILE).read_text())
        style = cls(smoothing=float(payload["smoothing"]), dropout=0.0)
        style.prior_ = np.asarray(payload["prior"], dtype=np.float64)
        style.counts_ = {j: int(v["abstracts"]) for j, v in payload["journals"].items()}
        style.sums_ = {j: np.asarray(v["sums"]) for j, v in payload["journals"].items()}
        style.own_ = {}
        return style
