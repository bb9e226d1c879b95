"""`--recipe best`: medlm's best sentence-role model, end to end from the packaged data.

Stages, each timed: (1) load the TRAINING and VALIDATION role sentences (never the test split);
(2) count each journal's heading style on the training abstracts (`journal_style`, left out for
an abstract's own) and cross-fit the TF-IDF + linear (SGD log-loss) classifier, which reads that
style too, on the training abstracts, and a second one with the extended view (character
n-grams, opening words; `abstract_features.LexicalViews`); (3) embed every
sentence once with the frozen encoder, bf16 autocast where the CPU supports bf16, cached under
`cache_dir`; (4) train the abstract-level contextual model for each point of a tiny grid
(learning rate x hidden width), `members` seeds per point, each with early stopping on the
validation abstracts' macro-F1; (5) keep the grid point whose averaged members have the best
validation macro-F1, calibrate its decisions on validation, save it. Everything is seeded; the
same data, seed and thread count give the same model.

The recipe reads the encoder's first `encoder_layers` layers (default 0: MiniLM's mean-pooled
word-piece embeddings, a table look-up). On this 2-core CPU the full six-layer encoder costs
about 150 s for the 52,191 training and validation sentences in bf16 when the machine is quiet,
and its frozen vectors scored no better on validation, with or without the journal cue (see
docs/benchmarks.md); a larger k trades minutes for a contextual sentence vector.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import torch
from pydantic import BaseModel, ConfigDict, Field

from medlm.datasets.medline_corpus import RoleSentence, Split
from medlm.training.abstract_features import LexicalViews
from medlm.training.abstract_model import AbstractRoleModel

logger = logging.getLogger(__name__)

Advance = Callable[[int], None]
ProgressFactory = Callable[[str, int], AbstractContextManager[Advance]]
SUMMARY_FILE = "recipe_summary.json"


class RecipeSettings(BaseModel):
    """The recipe's fixed choices and its validation grid."""

    model_config = ConfigDict(frozen=True)

    encoder: str = "minilm"
    seed: int = 0
    encoder_layers: int | None = Field(0, ge=0, description="First k layers; None: all.")
    max_length: int = Field(64, ge=8, description="Word pieces per sentence for the encoder.")
    learning_rates: tuple[float, ...] = (1.5e-3, 3e-3)
    hidden_sizes: tuple[int, ...] = (128,)
    max_epochs: int = Field(20, ge=1)
    patience: int = Field(5, ge=1)
    batch_abstracts: int = Field(32, ge=1)
    dropout: float = 0.3
    lexical: bool = True
    lexical_views: int = Field(2, ge=1, le=2, description="2: add the extended TF-IDF view.")
    journal: bool = Field(True, description="The journal's heading style as a cue.")
    journal_dropout: float = Field(0.2, ge=0, le=1)
    members: int = Field(3, ge=1, description="Seeds averaged per grid point.")
    folds: int = Field(5, ge=2)
    max_train_sentences: int | None = Field(None, ge=1, description="Tests only: a subset.")
    max_validation_sentences: int | None = Field(None, ge=1, description="Tests only.")
    cache_dir: Path | None = None


class GridPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    learning_rate: float
    hidden: int
    best_epoch: int
    epochs_run: int
    validation_macro_f1: float


class RecipeSummary(BaseModel):
    """What the recipe did, how long each stage took, and what it chose (on validation)."""

    model_config = ConfigDict(frozen=True)

    out: str
    encoder: str
    precision: str
    threads: int
    train_sentences: int
    train_abstracts: int
    validation_abstracts: int
    grid: list[GridPoint]
    chosen: GridPoint
    validation_macro_f1_calibrated: float
    stage_seconds: dict[str, float]
    seconds: float


@contextlib.contextmanager
def _silent(description: str, total: int) -> Iterator[Advance]:
    yield lambda n: None


def _load(split: Split, limit: int | None, seed: int) -> list[RoleSentence]:
    from medlm.training.sentence_roles import load_role_sentences, subsample

    return subsample(load_role_sentences(split), limit, seed)


def _grid_point(model: AbstractRoleModel, learning_rate: float, hidden: int) -> GridPoint:
    """The grid point's validation macro-F1 (the members' average, when there are several)
    and its members' best and last epochs (the largest of each)."""
    members: dict[int, list[float]] = {}
    ensemble = None
    for record in model.history_:
        if "ensemble_validation_macro_f1" in record:
            ensemble = record["ensemble_validation_macro_f1"]
        else:
            members.setdefault(int(record.get("member", 0)), []).append(
                record["validation_macro_f1"]
            )
    best = [max(range(len(f)), key=lambda i: (f[i], -i)) for f in members.values()]
    return GridPoint(
        learning_rate=learning_rate,
        hidden=hidden,
        best_epoch=max(best) + 1,
        epochs_run=max(len(f) for f in members.values()),
        validation_macro_f1=ensemble if ensemble is not None else members[0][best[0]],
    )


def run_best_recipe(
    out: Path,
    settings: RecipeSettings | None = None,
    progress: ProgressFactory | None = None,
) -> RecipeSummary:
    """Train, choose on validation, save to `out`; returns the summary (also saved there)."""
    from medlm.training.trainer import bf16_supported

    settings = settings or RecipeSettings()
    bar = progress or _silent
    started = stage = time.perf_counter()
    stages: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal stage
        now = time.perf_counter()
        stages[name] = round(now - stage, 1)
        stage = now

    train = _load("train", settings.max_train_sentences, settings.seed)
    validation = _load("validation", settings.max_validation_sentences, settings.seed)
    lap("load data")
    precision = "bf16" if bf16_supported(torch.device("cpu")) else "fp32"
    template = AbstractRoleModel(
        settings.encoder,
        lexical=settings.lexical,
        lexical_views=settings.lexical_views,
        journal=settings.journal,
        journal_dropout=settings.journal_dropout,
        members=settings.members,
        folds=settings.folds,
        seed=settings.seed,
        max_length=settings.max_length,
        encoder_layers=settings.encoder_layers,
        precision=precision,
        cache_dir=settings.cache_dir,
    )
    train_probs = None
    journal_rows = None
    if settings.journal:
        journal_rows = template.fit_journal_style(train).features(train, training=True)
    if settings.lexical:
        template.lexical_ = LexicalViews(settings.lexical_views, settings.folds, settings.seed)
        with bar("TF-IDF cross-fit", template.lexical_.fits()) as advance:
            train_probs = template.lexical_.crossfit(train, journal_rows, lambda: advance(1))
        lap("TF-IDF cross-fit")
    with bar(f"embedding ({precision})", len(train) + len(validation)) as advance:
        train_inputs = template.inputs(
            train, lexical_probs=train_probs, journal_rows=journal_rows, on_batch=advance
        )
        val_inputs = template.inputs(validation, on_batch=advance)
    lap("embedding")
    points = [(lr, h) for h in settings.hidden_sizes for lr in settings.learning_rates]
    fitted: list[tuple[GridPoint, AbstractRoleModel]] = []
    per_point = settings.members * settings.max_epochs
    with bar("context model (epochs)", len(points) * per_point) as advance:
        for lr, hidden in points:
            model = _grid_model(template, settings, lr, hidden)
            model.fit_inputs(train_inputs, val_inputs, on_epoch=lambda e, f: advance(1))
            run = sum("member" in record for record in model.history_)
            advance(per_point - run)
            fitted.append((_grid_point(model, lr, hidden), model))
    lap("context model grid")
    chosen, best = max(fitted, key=lambda pair: pair[0].validation_macro_f1)
    best.save(out)
    lap("save")
    summary = RecipeSummary(
        out=str(out),
        encoder=settings.encoder,
        precision=precision,
        threads=torch.get_num_threads(),
        train_sentences=len(train),
        train_abstracts=len({s.pmid for s in train}),
        validation_abstracts=len({s.pmid for s in validation}),
        grid=[point for point, _ in fitted],
        chosen=chosen,
        validation_macro_f1_calibrated=best.calibration_.validation_macro_f1
        if best.calibration_ is not None
        else chosen.validation_macro_f1,
        stage_seconds=stages,
        seconds=round(time.perf_counter() - started, 1),
    )
    (out / SUMMARY_FILE).write_text(summary.model_dump_json(indent=2))
    return summary


def _grid_model(
    template: AbstractRoleModel, settings: RecipeSettings, learning_rate: float, hidden: int
) -> AbstractRoleModel:
    """A model sharing the template's encoder and fitted baseline, with one grid point."""
    model = AbstractRoleModel(
        settings.encoder,
        hidden=hidden,
        dropout=settings.dropout,
        epochs=settings.max_epochs,
        learning_rate=learning_rate,
        patience=settings.patience,
        batch_abstracts=settings.batch_abstracts,
        lexical=settings.lexical,
        lexical_views=settings.lexical_views,
        journal=settings.journal,
        journal_dropout=settings.journal_dropout,
        members=settings.members,
        folds=settings.folds,
        seed=settings.seed,
        max_length=settings.max_length,
        encoder_layers=settings.encoder_layers,
        precision=template.precision,
        cache_dir=settings.cache_dir,
    )
    model._text_encoder = template.text_encoder()
    if settings.lexical:
        model.lexical_ = template.lexical_
    if settings.journal:
        model.journal_style_ = template.journal_style_
    return model


def grid_size(settings: RecipeSettings) -> int:
    return len(settings.learning_rates) * len(settings.hidden_sizes)


__all__: Sequence[str] = ("RecipeSettings", "RecipeSummary", "run_best_recipe")
