"""Distributed data parallel helpers: process group from `torchrun`'s environment, wrapping.

Launch with `torchrun --nproc_per_node N your_script.py`; gloo is used on CPU and NCCL on
GPU. Without torchrun's variables everything runs as a single process.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessInfo:
    """This process's place in the run."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def process_info() -> ProcessInfo:
    """This process's rank and the world size from torchrun's environment (1 without it)."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return ProcessInfo()
    return ProcessInfo(
        rank=int(os.environ["RANK"]),
        world_size=world_size,
        local_rank=int(os.environ.get("LOCAL_RANK", "0")),
    )


def join(info: ProcessInfo, device: torch.device) -> None:
    """Join the process group of a distributed run: NCCL for GPUs, gloo for CPUs."""
    if not info.distributed or dist.is_initialized():
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(backend=backend)
    logger.info("joined %s process group as rank %d of %d", backend, info.rank, info.world_size)


def resolve_device(choice: str, info: ProcessInfo) -> torch.device:
    """ "auto" is the process's GPU when CUDA is available, else the CPU."""
    if choice == "cuda" or (choice == "auto" and torch.cuda.is_available()):
        torch.cuda.set_device(info.local_rank)
        return torch.device("cuda", info.local_rank)
    return torch.device("cpu")


def wrap(model: nn.Module, info: ProcessInfo, device: torch.device) -> nn.Module:
    """DistributedDataParallel around the model in a distributed run, else the model itself."""
    if not info.distributed:
        return model
    device_ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=device_ids)


def barrier(info: ProcessInfo) -> None:
    if info.distributed:
        dist.barrier()
