"""The Trainer's speed settings: auto precision, the fused optimizer, torch.compile's fallback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from training_helpers import PAD, synthetic_examples
from training_helpers import tiny_config as config

from medlm.errors import ConfigError
from medlm.lm.models import CausalLanguageModel
from medlm.training import acceleration
from medlm.training.acceleration import CompiledForward, resolve_precision
from medlm.training.config import TrainingSettings
from medlm.training.objectives import CausalLM
from medlm.training.optim import build_optimizer
from medlm.training.trainer import Trainer

CPU = torch.device("cpu")
SETTINGS = TrainingSettings(
    epochs=30, batch_size=8, learning_rate=3e-3, schedule="constant", device="cpu"
)


def _causal_model() -> CausalLanguageModel:
    torch.manual_seed(0)
    return CausalLanguageModel(config(architecture="decoder", norm_position="pre"))


def _pretend_bf16(monkeypatch: pytest.MonkeyPatch, supported: bool) -> None:
    monkeypatch.setattr(acceleration, "bf16_supported", lambda device: supported)


@pytest.mark.parametrize(("supported", "expected"), [(True, "bf16"), (False, "fp32")])
def test_auto_precision_is_bf16_only_where_supported(
    monkeypatch: pytest.MonkeyPatch, supported: bool, expected: str
) -> None:
    _pretend_bf16(monkeypatch, supported)
    assert resolve_precision("auto", CPU) == expected


def test_fp32_is_kept_even_where_bf16_is_supported(monkeypatch: pytest.MonkeyPatch) -> None:
    _pretend_bf16(monkeypatch, True)
    assert resolve_precision("fp32", CPU) == "fp32"


def test_bf16_is_refused_where_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    _pretend_bf16(monkeypatch, False)
    with pytest.raises(ConfigError, match="bf16"):
        resolve_precision("bf16", CPU)


@pytest.mark.parametrize(("supported", "expected"), [(True, "bf16"), (False, "fp32")])
def test_checkpoint_records_the_precision_that_ran(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, supported: bool, expected: str
) -> None:
    _pretend_bf16(monkeypatch, supported)
    settings = SETTINGS.model_copy(update={"precision": "auto", "epochs": 1})
    trainer = Trainer(settings, CausalLM(PAD), output_dir=tmp_path)
    trainer.fit(_causal_model(), synthetic_examples(8))
    saved = json.loads((tmp_path / "last" / "training.json").read_text())
    assert saved["precision"] == "auto"
    assert saved["precision_used"] == expected == trainer.precision_used


def test_auto_precision_bf16_run_uses_bf16_matmuls_and_reduces_the_loss(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _pretend_bf16(monkeypatch, True)
    model = _causal_model()
    dtypes: list[torch.dtype] = []
    layer = next(m for m in model.modules() if isinstance(m, torch.nn.Linear))
    layer.register_forward_hook(lambda module, args, out: dtypes.append(out.dtype))
    settings = SETTINGS.model_copy(update={"precision": "auto"})
    result = Trainer(settings, CausalLM(PAD)).fit(model, synthetic_examples(8))
    assert set(dtypes) == {torch.bfloat16}
    assert result.history[-1].train_loss < 0.5 * result.history[0].train_loss
    assert all(p.dtype == torch.float32 for p in model.parameters())  # weights stay fp32


def test_fp32_run_does_not_autocast(monkeypatch: pytest.MonkeyPatch) -> None:
    _pretend_bf16(monkeypatch, True)
    model = _causal_model()
    dtypes: list[torch.dtype] = []
    layer = next(m for m in model.modules() if isinstance(m, torch.nn.Linear))
    layer.register_forward_hook(lambda module, args, out: dtypes.append(out.dtype))
    Trainer(SETTINGS.model_copy(update={"epochs": 1}), CausalLM(PAD)).fit(
        model, synthetic_examples(8)
    )
    assert set(dtypes) == {torch.float32}


@pytest.mark.parametrize(("fused", "flag"), [(True, "fused"), (False, "foreach")])
def test_optimizer_is_fused_unless_turned_off(fused: bool, flag: str) -> None:
    optimizer = build_optimizer(torch.nn.Linear(2, 2), TrainingSettings(fused_optimizer=fused))
    assert optimizer.defaults[flag] is True
    other = "foreach" if flag == "fused" else "fused"
    assert not optimizer.defaults[other]


def _failing_compile(module: torch.nn.Module, **_: Any) -> Any:
    def compiled(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("no C++ compiler")

    return compiled


def test_failed_compilation_falls_back_to_eager(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch, "compile", _failing_compile)
    layer = torch.nn.Linear(2, 1)
    forward = CompiledForward(layer, enabled=True)
    x = torch.ones(1, 2)
    assert torch.equal(forward(x), layer(x))
    assert not forward.active


def test_training_with_failing_compile_still_trains_eagerly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(torch, "compile", _failing_compile)
    trainer = Trainer(SETTINGS.model_copy(update={"compile": True}), CausalLM(PAD))
    result = trainer.fit(_causal_model(), synthetic_examples(8))
    assert trainer.compiled_used is False
    assert result.history[-1].train_loss < 0.5 * result.history[0].train_loss
