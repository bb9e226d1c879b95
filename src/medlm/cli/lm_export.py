"""`medlm lm export`: write a model as ONNX (fp32, optionally int8) and check it against torch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from medlm.cli.render import print_json, print_table

# Sentences the exported graph is checked on against the torch model (written for the check).
_CHECK_TEXTS = [
    "Patient denies chest pain or shortness of breath.",
    "Blood pressure was 142/88 mmHg on two readings.",
    "Started metformin 500 mg twice daily.",
]


# An abstract the exported sentence-role model is checked on against the torch model (written
# for the check, in the usual order of sections).
_CHECK_ABSTRACT = [
    "Heart failure is a common cause of admission.",
    "We aimed to test whether drug A lowers readmissions.",
    "Adults were randomized to drug A or placebo for 12 months.",
    "Readmissions fell from 20% to 15% with drug A.",
    "Drug A lowers readmissions in heart failure.",
]


def _export_role_model(
    model_dir: Path, out: Path, extra: str | None
) -> tuple[dict[str, Path], dict[str, float], str | None]:
    """Export an abstract-level role model at fp32 to OUT, and at `extra` (int8, or auto: the
    precision this machine runs its encoder fastest at) to OUT-int8; each export's share of
    roles equal to the torch model's on the check abstract; the path auto chose."""
    from medlm.settings import load_settings
    from medlm.training.abstract_model import load_role_model
    from medlm.training.role_export import export_role_model, machine_precision

    chosen_path = None
    if extra == "auto":
        extra, choice = machine_precision(model_dir, load_settings().lm.cache_dir)
        chosen_path = choice.chosen
    folders = {"fp32": export_role_model(model_dir, out)}
    if extra == "int8":
        folders["int8"] = export_role_model(model_dir, out.with_name(out.name + "-int8"), "int8")
    expected = load_role_model(model_dir).predict_abstract(_CHECK_ABSTRACT)
    agreement: dict[str, float] = {}
    for precision, folder in folders.items():
        got = load_role_model(folder).predict_abstract(_CHECK_ABSTRACT)
        same = sum(a.role == b.role for a, b in zip(got, expected, strict=True))
        agreement[precision] = same / len(expected)
    return folders, agreement, chosen_path


def _megabytes(folder: Path) -> float:
    """Size of the ONNX graphs in an export folder."""
    return round(sum(p.stat().st_size for p in folder.rglob("*.onnx")) / 1e6, 1)


def _role_export(model: Path, out: Path, extra: str | None, as_json: bool) -> None:
    """`export` for an abstract-level sentence-role model: export, check, render."""
    folders, agree, chosen_path = _export_role_model(model, out, extra)
    megabytes = {k: _megabytes(v) for k, v in folders.items()}
    if as_json:
        print_json(
            {
                "model": str(model),
                "kind": "abstract-level role model",
                "machine_encoder_path": chosen_path,
                "role_agreement_with_torch": agree,
                "folders": {k: str(v) for k, v in folders.items()},
                "megabytes": megabytes,
            }
        )
        return
    rows = [[k, str(v), megabytes[k], f"{agree[k]:.0%}"] for k, v in folders.items()]
    title = f"{model}: abstract-level role model exported"
    if chosen_path:
        title += f" (this machine's fastest encoder path: {chosen_path})"
    print_table(title, ["precision", "folder", "MB", "roles as torch"], rows)


def _carry_decision_files(model_dir: Path, out: Path) -> None:
    """Copy a sentence-role classifier's validation-chosen decision files into the export,
    so the exported model decides like the checkpoint (`SentenceRoleClassifier.load`)."""
    import shutil

    from medlm.training.role_calibration import CALIBRATION_FILE
    from medlm.training.role_sequence import TRANSITIONS_FILE

    for name in (CALIBRATION_FILE, TRANSITIONS_FILE):
        if (model_dir / name).is_file():
            shutil.copy2(model_dir / name, out / name)


def export(
    model: Annotated[
        str, typer.Option("--model", help="Known model name (minilm) or model/checkpoint folder.")
    ] = "minilm",
    out: Annotated[Path, typer.Option("--out", help="Folder to write the fp32 export to.")] = Path(
        "onnx-export"
    ),
    int8: Annotated[
        bool, typer.Option("--int8", help="Also write a dynamic int8 copy to OUT-int8.")
    ] = False,
    precision: Annotated[
        str | None,
        typer.Option(
            "--precision",
            help="Abstract-level role models: int8 as --int8, or auto: an int8 copy only when "
            "int8 is this machine's fastest encoder path within cosine 0.99 of fp32.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Export an encoder (embeddings), a sequence classifier (logits) or an abstract-level
    sentence-role model (sentence encoder and context model) to ONNX."""
    from medlm.errors import InputError
    from medlm.training.abstract_model import is_abstract_model

    if precision not in (None, "fp32", "int8", "auto"):
        raise InputError(f"--precision {precision!r}: use fp32, int8 or auto")
    if Path(model).is_dir() and is_abstract_model(model):
        _role_export(Path(model), out, "int8" if int8 else precision, as_json)
        return
    import numpy as np
    import torch

    from medlm.lm.checkpoint import load_training_settings
    from medlm.lm.encoding import TextEncoder
    from medlm.lm.export import export_classifier_onnx, export_encoder_onnx, quantize_int8
    from medlm.lm.models import Batch, SequenceClassifier
    from medlm.lm.onnx_inference import OnnxClassifier, OnnxEncoder
    from medlm.lm.pretrained import load_pretrained

    loaded, tokenizer = load_pretrained(model)
    folders = {"fp32": out}
    if isinstance(loaded, SequenceClassifier):
        labels = load_training_settings(Path(model)).get("labels") if Path(model).is_dir() else None
        if not (isinstance(labels, list) and len(labels) == loaded.num_labels):
            labels = None
        export_classifier_onnx(loaded, tokenizer, out, labels=labels)
        input_ids, mask = tokenizer.pad(tokenizer.encode(_CHECK_TEXTS))
        with torch.inference_mode():
            logits = loaded(Batch(input_ids, mask)).logits
        assert logits is not None
        expected = logits.numpy()
        got = OnnxClassifier(out).logits(_CHECK_TEXTS)
    else:
        export_encoder_onnx(loaded, tokenizer, out)
        expected = TextEncoder(loaded, tokenizer, max_length=tokenizer.max_length).embed(
            _CHECK_TEXTS
        )
        got = OnnxEncoder(out).embed(_CHECK_TEXTS)
    if Path(model).is_dir():
        _carry_decision_files(Path(model), out)
    if int8:
        folders["int8"] = quantize_int8(out, out.with_name(out.name + "-int8"))
    kind = "classifier" if isinstance(loaded, SequenceClassifier) else "encoder"
    diff = float(np.abs(got - expected).max())
    megabytes = {k: round((v / "model.onnx").stat().st_size / 1e6, 1) for k, v in folders.items()}
    result = {
        "model": model,
        "kind": kind,
        "max_abs_diff_fp32": diff,
        "folders": {k: str(v) for k, v in folders.items()},
        "megabytes": megabytes,
    }
    if as_json:
        print_json(result)
        return
    rows = [[k, str(v), megabytes[k]] for k, v in folders.items()]
    title = f"{model}: {kind} exported, fp32 max |diff| {diff:.1e}"
    print_table(title, ["precision", "folder", "MB"], rows)
