"""Medical-adaptation demo: a short sentence-role fine-tuning run on real MEDLINE abstracts.

Fine-tunes the imported MiniLM for `DEMO_STEPS` steps on a small sample of training abstracts (or
loads the classifier named by settings `lm.sentence_role_model`), scores it on a sample of
held-out test abstracts and labels the sentences of one real test abstract. A short run: its
figures are below the full run's in docs/benchmarks.md and are printed as such.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from medlm.settings import load_settings

logger = logging.getLogger(__name__)

DEMO_TRAIN_SENTENCES = 1_500
# A fixed number of steps (about 2.5 minutes on 2 cores) so that the demo's figures repeat from
# run to run; the time cap only guards very slow machines.
DEMO_STEPS = 90
DEMO_MAX_MINUTES = 8.0
DEMO_TEST_ABSTRACTS = 30


def run_demo(out_dir: Path) -> list[str]:
    import torch

    from medlm.training.finetuning import evaluate_sentence_roles, finetune_sentence_roles
    from medlm.training.sentence_roles import SentenceRoleClassifier, load_role_sentences

    settings = load_settings().lm
    torch.set_num_threads(settings.num_threads or max(1, min(2, torch.get_num_threads())))
    lines: list[str] = []
    folder = settings.sentence_role_model
    if folder is None:
        folder = out_dir / "sentence-roles-model"
        summary = finetune_sentence_roles(
            "minilm",
            folder,
            max_train_sentences=DEMO_TRAIN_SENTENCES,
            epochs=3,  # DEMO_STEPS ends the second of three planned passes
            learning_rate=1e-4,
            max_steps=DEMO_STEPS,
            time_budget_min=DEMO_MAX_MINUTES,
            warmup_steps=10,
            calibrate=False,  # the full run calibrates on the validation abstracts
        )
        lines.append(
            f"short fine-tuning of MiniLM: {summary.steps} steps on {summary.train_sentences} "
            f"sentences of {summary.train_abstracts} real training abstracts "
            f"({summary.seconds:.0f} s)"
        )
    else:
        lines.append(f"loaded the sentence-role classifier {folder}")
    test = load_role_sentences("test")
    pmids = sorted({s.pmid for s in test})[:DEMO_TEST_ABSTRACTS]
    sample = [s for s in test if s.pmid in set(pmids)]
    metrics = evaluate_sentence_roles(str(folder), sentences=sample)
    lines.append(
        f"held-out sample ({metrics.n_abstracts} test abstracts, {metrics.n_sentences} sentences): "
        f"macro-F1 {metrics.macro_f1:.3f}, accuracy {metrics.accuracy:.3f} (short run; the full "
        "run's figures are in docs/benchmarks.md)"
    )
    abstract = [s for s in sample if s.pmid == pmids[0]]
    predictions = SentenceRoleClassifier.load(folder).predict(abstract)
    lines.append(f"sentence roles of PMID {pmids[0]} (predicted / NLM label):")
    for sentence, prediction in zip(abstract, predictions, strict=True):
        mark = "" if prediction.role == sentence.label else f" / {sentence.label}"
        text = sentence.text if len(sentence.text) <= 70 else sentence.text[:67] + "..."
        lines.append(f"  {prediction.role:<11} {prediction.score:.2f}{mark:<15} {text}")
    (out_dir / "sentence_roles.json").write_text(
        json.dumps(
            {
                "metrics": metrics.model_dump(),
                "pmid": pmids[0],
                "predictions": [p.model_dump() for p in predictions],
                "gold": [s.label for s in abstract],
            },
            indent=2,
        )
    )
    lines.append(f"wrote {out_dir / 'sentence_roles.json'}")
    return lines
