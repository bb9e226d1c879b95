"""What this machine is and what its matrix units deliver: CPU model, bf16 support, matmul peaks.

Speed figures mean little without the machine beside them (one CPU has AMX bf16 tiles, the next
only AVX-512 BF16, a third neither), so `medlm lm bench`, the precision chooser and the
benchmarks all describe the machine through this module and measure its peaks in the same run
as the thing they compare.
"""

from __future__ import annotations

import platform
import time
from functools import cache
from pathlib import Path

import torch
from pydantic import BaseModel

# (m, k, n) shapes tried for a peak: square ones, and a MiniLM-sized layer's own (batch 32 x 128
# tokens, width 384, feed-forward 1536).
DEFAULT_PEAK_SHAPES: tuple[tuple[int, int, int], ...] = (
    (1024, 1024, 1024),
    (2048, 2048, 2048),
    (4096, 384, 1536),
    (4096, 1536, 384),
)


class MachineInfo(BaseModel):
    """The facts a speed figure needs beside it."""

    cpu_model: str
    cpu_flags: list[str]
    threads: int
    torch_version: str
    bf16_supported: bool

    @property
    def key(self) -> str:
        """One string naming the machine class and library version (a cache key)."""
        return f"{self.cpu_model}|threads={self.threads}|torch={self.torch_version}"


@cache
def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or the platform's processor string."""
    info = Path("/proc/cpuinfo")
    if info.is_file():
        for line in info.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


@cache
def cpu_flags() -> tuple[str, ...]:
    """The matrix-relevant instruction-set flags (AVX-512 BF16/VNNI, AMX) this CPU reports."""
    info = Path("/proc/cpuinfo")
    if not info.is_file():
        return ()
    for line in info.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("flags"):
            flags = line.split(":", 1)[1].split()
            wanted = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8")
            return tuple(flag for flag in wanted if flag in flags)
    return ()


def bf16_supported() -> bool:
    """Whether this CPU's oneDNN kernels run bf16 natively (AVX-512 BF16 or AMX)."""
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def machine_info() -> MachineInfo:
    return MachineInfo(
        cpu_model=cpu_model(),
        cpu_flags=list(cpu_flags()),
        threads=torch.get_num_threads(),
        torch_version=torch.__version__,
        bf16_supported=bf16_supported(),
    )


def matmul_peak(
    dtype: torch.dtype,
    *,
    shapes: tuple[tuple[int, int, int], ...] = DEFAULT_PEAK_SHAPES,
    repeats: int = 3,
) -> float:
    """Best FLOP/s of any (m, k) @ (k, n) matmul of `shapes` in `dtype` (after one warm-up)."""
    best_rate = 0.0
    generator = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        for m, k, n in shapes:
            a = torch.randn(m, k, generator=generator).to(dtype)
            b = torch.randn(k, n, generator=generator).to(dtype)
            a @ b
            for _ in range(repeats):
                start = time.perf_counter()
                a @ b
                best_rate = max(best_rate, 2 * m * k * n / (time.perf_counter() - start))
    return best_rate
