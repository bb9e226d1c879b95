"""The abstract-level sentence-role estimator: encoder vectors -> contextual model -> roles.

Two stages. (1) Each sentence is embedded once by a frozen encoder (the imported MiniLM or a
medlm checkpoint folder, e.g. one domain-adapted or fine-tuned), mean-pooled; vectors are cached
per split (`abstract_features.sentence_vectors`). (2) `AbstractContextModel` (a BiGRU over the
abstract's sentence vectors plus cheap features, optionally the journal's heading style of
`journal_style`) is trained on the TRAINING abstracts, `members` times from consecutive seeds,
their probabilities averaged (`ContextEnsemble`); the number of epochs is chosen by early
stopping on the VALIDATION abstracts' macro-F1 when validation sentences are given, and the
decision calibration (per-role biases, transition weight) is chosen on them as for the per-
sentence model. The test split is never read here.

The folder written by `save` holds `abstract_model.json` (settings, encoder reference),
`context.pt` (the contextual models' weights), `lexical.joblib` (when the TF-IDF classifier's
probabilities are features), `lexical_extended.joblib` (when a second one, with the extended
view of the sentence, adds its probabilities), `journal_style.json` (per-journal counts, when
the journal is a cue) and the decision files; `load_role_model(folder)` loads it or a per-sentence
`SentenceRoleClassifier` folder alike.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.errors import InputError, NotFittedError
from medlm.lm.encoding import TextEncoder
from medlm.training.abstract_context import AbstractContextModel, ContextConfig, ContextEnsemble
from medlm.training.abstract_features import (
    AbstractInputs,
    LexicalViews,
    abstract_spans,
    position_features,
    sentence_vectors,
)
from medlm.training.abstract_training import ContextTraining, train_context, validation_macro_f1
from medlm.training.journal_style import JournalStyle
from medlm.training.role_calibration import RoleCalibration, calibrate, decide
from medlm.training.role_sequence import RoleTransitions
from medlm.training.sentence_roles import RolePrediction, abstract_sentences

logger = logging.getLogger(__name__)

SETTINGS_FILE = "abstract_model.json"
WEIGHTS_FILE = "context.pt"
KIND = "abstract-context"


class RoleModel(Protocol):
    """What both sentence-role model kinds offer the applications."""

    def predict(self, sentences: Sequence[RoleSentence]) -> list[RolePrediction]: ...
    def predict_abstract(self, sentences: Sequence[str]) -> list[RolePrediction]: ...


class AbstractRoleModel:
    """scikit-learn style: hyperparameters in `__init__`, `fit` returns self, fitted state
    ends in `_`. `encoder` is a known model name (minilm) or a checkpoint folder;
    `encoder_layers` keeps only its first k layers (0: mean-pooled input embeddings), which
    costs k/L of the full encoder's time per sentence. `lexical_views=2` (with `lexical`) adds
    a second cross-fitted TF-IDF classifier with the extended view (character n-grams and
    opening words; `LexicalViews`); the contextual model weighs both."""

    def __init__(
        self,
        encoder: str = "minilm",
        *,
        hidden: int = 128,
        layers: int = 1,
        dropout: float = 0.2,
        epochs: int = 20,
        learning_rate: float = 2e-3,
        batch_abstracts: int = 16,
        patience: int = 4,
        lexical: bool = True,
        lexical_views: int = 1,
        journal: bool = False,
        journal_dropout: float = 0.2,
        members: int = 1,
        folds: int = 5,
        seed: int = 0,
        max_length: int = 128,
        encoder_layers: int | None = None,
        precision: str = "fp32",
        cache_dir: Path | None = None,
    ) -> None:
        self.encoder = encoder
        self.hidden = hidden
        self.layers = layers
        self.dropout = dropout
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_abstracts = batch_abstracts
        self.patience = patience
        self.lexical = lexical
        self.lexical_views = lexical_views
        self.journal = journal
        self.journal_dropout = journal_dropout
        self.members = members
        self.folds = folds
        self.seed = seed
        self.max_length = max_length
        self.encoder_layers = encoder_layers
        self.precision = precision
        self.cache_dir = cache_dir
        self._text_encoder: TextEncoder | None = None
        self.lexical_: LexicalViews
        self.journal_style_: JournalStyle

    # -- inputs ---------------------------------------------------------------------------
    def text_encoder(self) -> TextEncoder:
        if self._text_encoder is None:
            encoder = TextEncoder.from_pretrained(self.encoder, max_length=self.max_length)
            if self.encoder_layers is not None:  # the first k layers' mean-pooled states
                stack = encoder.model.transformer.encoder
                stack.layers = stack.layers[: self.encoder_layers]
                encoder.name = f"{self.encoder}@{self.encoder_layers}-layers"
            self._text_encoder = encoder
        return self._text_encoder

    def inputs(
        self,
        sentences: Sequence[RoleSentence],
        *,
        lexical_probs: np.ndarray | None = None,
        journal_rows: np.ndarray | None = None,
        on_batch: Callable[[int], Any] | None = None,
    ) -> AbstractInputs:
        """Vectors and features of `sentences`; the baseline's probabilities come from the
        fitted baseline unless given (the cross-fitted ones, for the training sentences).
        Likewise the journal-style rows come from the fitted style unless given (the
        training sentences' own, left out of their journal's counts; see `journal_style`)."""
        if not sentences:
            raise InputError("no sentences to label")
        vectors = sentence_vectors(
            self.text_encoder(),
            [s.text for s in sentences],
            precision=self.precision,
            cache_dir=self.cache_dir,
            on_batch=on_batch,
        )
        features = [position_features(sentences)]
        if self.journal and journal_rows is None:
            if not hasattr(self, "journal_style_"):
                raise NotFittedError("AbstractRoleModel used before fit")
            journal_rows = self.journal_style_.features(sentences)
        if self.lexical:
            if lexical_probs is None:
                if not hasattr(self, "lexical_"):
                    raise NotFittedError("AbstractRoleModel used before fit")
                lexical_probs = self.lexical_.predict_proba(sentences, journal_rows)
            features.append(np.asarray(lexical_probs, dtype=np.float32))
        if journal_rows is not None:
            features.append(journal_rows)
        return AbstractInputs(
            sentences, vectors, np.concatenate(features, axis=1), abstract_spans(sentences)
        )

    # -- fitting --------------------------------------------------------------------------
    def fit(
        self,
        train: Sequence[RoleSentence],
        validation: Sequence[RoleSentence] | None = None,
        on_batch: Callable[[int], Any] | None = None,
    ) -> AbstractRoleModel:
        """Both stages on `train`; epochs and calibration chosen on `validation` if given."""
        train_probs = None
        journal_rows = None
        if self.journal:
            journal_rows = self.fit_journal_style(train).features(train, training=True)
        if self.lexical:
            self.lexical_ = LexicalViews(self.lexical_views, self.folds, self.seed)
            train_probs = self.lexical_.crossfit(train, journal_rows)
        train_inputs = self.inputs(
            train, lexical_probs=train_probs, journal_rows=journal_rows, on_batch=on_batch
        )
        val_inputs = self.inputs(validation, on_batch=on_batch) if validation else None
        return self.fit_inputs(train_inputs, val_inputs)

    def fit_journal_style(self, train: Sequence[RoleSentence]) -> JournalStyle:
        self.journal_style_ = JournalStyle(dropout=self.journal_dropout, seed=self.seed)
        return self.journal_style_.fit(train)

    def fit_inputs(
        self,
        train: AbstractInputs,
        validation: AbstractInputs | None = None,
        on_epoch: Callable[[int, float], Any] | None = None,
    ) -> AbstractRoleModel:
        """Stage 2 only, on precomputed inputs (the recipe's grid reuses them)."""
        config = ContextConfig(
            vector_dim=train.vectors.shape[1],
            feature_dim=train.features.shape[1],
            hidden=self.hidden,
            layers=self.layers,
            dropout=self.dropout,
        )
        settings = ContextTraining(
            epochs=self.epochs,
            learning_rate=self.learning_rate,
            batch_abstracts=self.batch_abstracts,
            patience=self.patience,
            seed=self.seed,
        )
        fitted = [
            train_context(
                config,
                settings.model_copy(update={"seed": self.seed + k}),
                train,
                validation,
                on_epoch,
            )
            for k in range(self.members)
        ]
        self.model_ = ContextEnsemble([model for model, _ in fitted]).eval()
        self.history_ = [
            {**record, "member": float(k)} for k, (_, h) in enumerate(fitted) for record in h
        ]
        if validation is not None and self.members > 1:
            score = validation_macro_f1(self.model_, validation)
            self.history_.append({"ensemble_validation_macro_f1": round(score, 4)})
        self.transitions_ = RoleTransitions.count(train.sentences)
        self.calibration_: RoleCalibration | None = None
        if validation is not None:
            probs = self.probabilities_of(validation)
            self.calibration_ = calibrate(validation.sentences, probs, self.transitions_)
        return self

    # -- prediction -----------------------------------------------------------------------
    def probabilities_of(self, inputs: AbstractInputs) -> np.ndarray:
        """(N, len(ROLES)) role probabilities of precomputed inputs."""
        if not hasattr(self, "model_"):
            raise NotFittedError("AbstractRoleModel used before fit")
        from medlm.training.abstract_training import context_probabilities

        return context_probabilities(self.model_, inputs, self.batch_abstracts)

    def probabilities(self, sentences: Sequence[RoleSentence]) -> np.ndarray:
        return self.probabilities_of(self.inputs(sentences))

    def predict(self, sentences: Sequence[RoleSentence]) -> list[RolePrediction]:
        """Roles of sentences (whole abstracts, in order), with the validation calibration."""
        if not sentences:
            return []
        probs = self.probabilities(sentences)
        if self.calibration_ is not None:
            c = self.calibration_
            best = decide(sentences, probs, self.transitions_, c.bias, c.transition_weight)
        else:
            best = [int(i) for i in probs.argmax(axis=1)]
        return [
            RolePrediction(text=s.text, role=ROLES[b], score=float(probs[i, b]))
            for i, (s, b) in enumerate(zip(sentences, best, strict=True))
        ]

    def predict_abstract(self, sentences: Sequence[str], journal: str = "") -> list[RolePrediction]:
        """Roles of an abstract's sentences, given in their order ([] for no sentences).
        `journal` (MEDLINE abbreviation, e.g. "J Clin Oncol") is read when the model reads
        journals; one it never counted is read as unknown (`knows_journal`)."""
        if not sentences:
            return []
        return self.predict(abstract_sentences(sentences, journal))

    def knows_journal(self, journal: str) -> bool:
        """True when this model reads journals and counted `journal`'s training abstracts."""
        return bool(journal) and self.journal and self.journal_style_.known(journal)

    # -- persistence ----------------------------------------------------------------------
    def save(self, folder: Path | str) -> Path:
        if not hasattr(self, "model_"):
            raise NotFittedError("AbstractRoleModel.save called before fit")
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        settings = {
            "kind": KIND,
            "encoder": self.encoder,
            "max_length": self.max_length,
            "encoder_layers": self.encoder_layers,
            "precision": self.precision,
            "lexical": self.lexical,
            "lexical_views": self.lexical_views,
            "journal": self.journal,
            "members": len(self.model_.members),
            "batch_abstracts": self.batch_abstracts,
            "seed": self.seed,
            "context": self.model_.config.to_dict(),
            "history": self.history_,
        }
        (out / SETTINGS_FILE).write_text(json.dumps(settings, indent=2))
        torch.save(self.model_.state_dict(), out / WEIGHTS_FILE)
        if self.lexical:
            self.lexical_.save(out)
        if self.journal:
            self.journal_style_.save(out)
        self.transitions_.save(out)
        if self.calibration_ is not None:
            self.calibration_.save(out)
        return out

    @classmethod
    def load(cls, folder: Path | str) -> AbstractRoleModel:
        folder = Path(folder)
        path = folder / SETTINGS_FILE
        if not path.is_file():
            raise InputError(f"{folder} is not an abstract-level role model (no {SETTINGS_FILE})")
        settings = json.loads(path.read_text())
        model = cls(
            settings["encoder"],
            max_length=settings["max_length"],
            encoder_layers=settings.get("encoder_layers"),
            precision=settings["precision"],
            lexical=settings["lexical"],
            lexical_views=settings.get("lexical_views", 1),
            journal=settings.get("journal", False),
            members=settings.get("members", 1),
            batch_abstracts=settings["batch_abstracts"],
            seed=settings["seed"],
        )
        config = ContextConfig(**settings["context"])
        members = [AbstractContextModel(config) for _ in range(model.members)]
        model.model_ = ContextEnsemble(members).eval()
        state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
        if not any(key.startswith("members.") for key in state):  # one model, saved bare
            state = {f"members.0.{key}": value for key, value in state.items()}
        model.model_.load_state_dict(state)
        model.history_ = settings.get("history", [])
        if model.lexical:
            model.lexical_ = LexicalViews.load(folder, model.lexical_views, model.seed)
        if model.journal:
            model.journal_style_ = JournalStyle.load(folder)
        transitions = RoleTransitions.load(folder)
        if transitions is None:
            raise InputError(f"{folder}: role transitions missing")
        model.transitions_ = transitions
        model.calibration_ = RoleCalibration.load(folder)
        return model


def is_abstract_model(folder: Path | str) -> bool:
    return (Path(folder) / SETTINGS_FILE).is_file()


def load_role_model(folder: Path | str) -> RoleModel:
    """Either sentence-role model kind from its folder: abstract-level or per-sentence
    (a checkpoint or an ONNX export)."""
    from medlm.training.sentence_roles import SentenceRoleClassifier

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"sentence-role model folder {folder} does not exist")
    from medlm.training.role_export import is_role_export, load_role_export

    if is_role_export(folder):  # an ONNX export of either kind (`medlm lm export`)
        return load_role_export(folder)
    if is_abstract_model(folder):
        return AbstractRoleModel.load(folder)
    return SentenceRoleClassifier.load(folder)
