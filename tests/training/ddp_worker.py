"""Worker for the DDP test: train a tiny causal LM; `torchrun` starts one per process.

Usage: ddp_worker.py OUTPUT_FILE  (rank 0 writes the final weights as safetensors)
"""

from __future__ import annotations

import sys

import torch
import torch.distributed as dist
from safetensors.torch import save_file
from training_helpers import PAD, synthetic_examples, tiny_config

from medlm.lm.models import CausalLanguageModel
from medlm.training.config import TrainingSettings
from medlm.training.objectives import CausalLM
from medlm.training.trainer import Trainer

SETTINGS = TrainingSettings(
    epochs=2, batch_size=8, learning_rate=1e-3, warmup_steps=1, seed=3, device="cpu"
)


def train() -> CausalLanguageModel:
    torch.manual_seed(0)
    model = CausalLanguageModel(tiny_config(architecture="decoder", norm_position="pre"))
    Trainer(SETTINGS, CausalLM(PAD)).fit(model, synthetic_examples(16))
    return model


if __name__ == "__main__":
    torch.set_num_threads(1)
    trained = train()
    if dist.is_initialized():
        if dist.get_rank() == 0:
            save_file(
                {
                    k: v.contiguous()
                    for k, v in trained.state_dict().items()
                    if k != "lm_head.vocab_proj.weight"
                },
                sys.argv[1],
            )
        dist.barrier()
        dist.destroy_process_group()
