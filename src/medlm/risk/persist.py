"""Save and load a fitted DiseaseRiskPredictor: one folder with the model and its metadata.

`model.joblib` holds the fitted estimator (a pickle: load only models you trust);
`model.json` says what it is (family, columns, outcome, version, training size, its tier
cut-points with their rule, its population) and the SHA-256 of the pickle, checked on load so a
damaged or swapped file is refused. A model saved before models carried their own cut-points is
refused with a message saying to train it again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import joblib

from medlm.errors import InputError

if TYPE_CHECKING:
    from medlm.risk.estimator import DiseaseRiskPredictor

MODEL_FILE = "model.joblib"
META_FILE = "model.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_model(model: DiseaseRiskPredictor, folder: Path | str) -> Path:
    """Write the model folder; returns it."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / MODEL_FILE)
    meta = {
        "name": model.name,
        "family": model.family,
        "outcome": model.outcome,
        "medlm_version": model.version_,
        "columns": model.feature_names_in_,
        "n_train": model.n_train_,
        "prevalence": model.prevalence_,
        "tier_cutpoints": model.tier_cutpoints_.model_dump(),
        "population": model.population_.model_dump() if model.population_ else None,
        "calibration": model.calibration,
        "sha256": _sha256(out / MODEL_FILE),
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out


def load_model(folder: Path | str) -> DiseaseRiskPredictor:
    """Read a model folder written by `save_model`, checking the pickle's checksum."""
    from medlm.risk.estimator import DiseaseRiskPredictor

    path = Path(folder)
    meta_path, model_path = path / META_FILE, path / MODEL_FILE
    if not meta_path.is_file() or not model_path.is_file():
        raise InputError(
            f"{path} is not a medlm risk model folder (needs {META_FILE}, {MODEL_FILE})"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("sha256") != _sha256(model_path):
        raise InputError(f"{model_path} does not match the checksum in {meta_path}; refusing it")
    model = joblib.load(model_path)
    if not isinstance(model, DiseaseRiskPredictor):
        raise InputError(f"{model_path} does not hold a DiseaseRiskPredictor")
    if not hasattr(model, "tier_cutpoints_") or not hasattr(model, "imputation_"):
        saved_by = meta.get("medlm_version", "an older medlm")
        raise InputError(
            f"{path} was saved by medlm {saved_by}, before models carried their own tier "
            "cut-points, population and imputation table; train it again with "
            "`medlm risk train` (its tiers came from the global 10%/20% setting)"
        )
    return model
