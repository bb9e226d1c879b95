"""Distributed data parallel: 2 CPU processes (gloo) equal one process on the same global batch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from medlm.training.distributed import ProcessInfo, process_info, resolve_device

WORKER = Path(__file__).with_name("ddp_worker.py")


@pytest.mark.slow
def test_two_process_ddp_run_matches_single_process_run(tmp_path: Path) -> None:
    output = tmp_path / "ddp.safetensors"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        str(WORKER),
        str(output),
    ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]

    sys.path.insert(0, str(WORKER.parent))
    try:
        from ddp_worker import train
    finally:
        sys.path.remove(str(WORKER.parent))
    single = train().state_dict()
    distributed = load_file(str(output))
    assert set(distributed) <= set(single) and len(distributed) > 10
    for name, tensor in distributed.items():
        torch.testing.assert_close(tensor, single[name], atol=1e-5, rtol=1e-4)
    assert not torch.equal(
        distributed["transformer.embeddings.token_embedding.weight"], _initial_embedding()
    )


def _initial_embedding() -> torch.Tensor:
    from training_helpers import tiny_config

    from medlm.lm.models import CausalLanguageModel

    torch.manual_seed(0)
    model = CausalLanguageModel(tiny_config(architecture="decoder", norm_position="pre"))
    return model.transformer.embeddings.token_embedding.weight.detach()


def test_without_torchrun_environment_the_run_is_single_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    info = process_info()
    assert info == ProcessInfo(rank=0, world_size=1, local_rank=0) and info.is_main


def test_torchrun_environment_gives_rank_and_world_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "2")
    monkeypatch.setenv("LOCAL_RANK", "0")
    info = process_info()
    assert (info.rank, info.world_size, info.distributed, info.is_main) == (2, 4, True, False)
    assert resolve_device("cpu", info) == torch.device("cpu")
