"""How the Trainer runs fast on this machine: precision resolution and optional torch.compile.

`precision="auto"` resolves to bf16 autocast where `bf16_supported(device)` (CUDA with bf16, or
a CPU whose oneDNN kernels run bf16: AVX-512 BF16 or AMX), else fp32; the Trainer records what
ran in every checkpoint. `CompiledForward` calls a `torch.compile`d module and falls back to
the eager module, once and for the rest of the run, when compilation fails (no C++ compiler,
an unsupported operator): compilation is an optimisation, never a reason for a run to fail.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Literal

import torch

from medlm.errors import ConfigError

logger = logging.getLogger(__name__)

Precision = Literal["fp32", "bf16"]


def bf16_supported(device: torch.device) -> bool:
    """Whether bf16 autocast is worthwhile here (CUDA with bf16, or a CPU with bf16 support)."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve_precision(requested: str, device: torch.device) -> Precision:
    """The precision a run uses: "auto" → bf16 where supported, else fp32; "bf16" is refused
    where it is not supported."""
    if requested == "fp32":
        return "fp32"
    supported = bf16_supported(device)
    if requested == "auto":
        return "bf16" if supported else "fp32"
    if requested == "bf16":
        if not supported:
            raise ConfigError(f"training.precision='bf16' is not supported on this {device.type}")
        return "bf16"
    raise ConfigError(f"training.precision={requested!r}: choose auto, fp32 or bf16")


def autocast(precision: Precision, device: torch.device) -> contextlib.AbstractContextManager[Any]:
    """bf16 autocast for forward passes (weights and optimizer stay fp32), or nothing."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


class CompiledForward:
    """Call `torch.compile(module)`; on the first failure log why and use `module` eagerly."""

    def __init__(self, module: torch.nn.Module, enabled: bool) -> None:
        self.module = module
        self.compiled: Any = torch.compile(module) if enabled else None

    @property
    def active(self) -> bool:
        """Whether calls still go through the compiled module."""
        return self.compiled is not None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.compiled is None:
            return self.module(*args, **kwargs)
        try:
            return self.compiled(*args, **kwargs)
        except Exception as error:  # any compiler failure means: run eagerly
            logger.warning("torch.compile failed (%s); training continues eagerly", error)
            self.compiled = None
            return self.module(*args, **kwargs)
