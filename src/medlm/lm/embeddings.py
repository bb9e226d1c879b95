"""Input embeddings: token, learned absolute position and segment (token type) embeddings."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from medlm.lm.config import TransformerConfig


class Embeddings(nn.Module):
    """Sum of token, position and segment embeddings, then (post-norm) layer norm and dropout.

    Shape legend: B batch, T tokens, D model width.
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.token_embedding = nn.Embedding(config.vocab_size, config.d_model)
        self.position_embedding = nn.Embedding(config.max_length, config.d_model)
        self.segment_embedding = (
            nn.Embedding(config.type_vocab_size, config.d_model) if config.type_vocab_size else None
        )
        # Post-norm models (BERT) normalise the embedding sum; pre-norm models normalise at
        # the start of each layer instead.
        self.norm = (
            nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
            if config.norm_position == "post"
            else None
        )
        self.dropout = nn.Dropout(config.dropout)

    def forward(
        self, input_ids: Tensor, segment_ids: Tensor | None = None, start: int = 0
    ) -> Tensor:
        """(B, T) token ids [, (B, T) segment ids] -> (B, T, D).

        `start` is the position of the first token (> 0 when decoding with a cache).
        """
        seq_len = start + input_ids.shape[1]
        if seq_len > self.position_embedding.num_embeddings:
            raise ValueError(
                f"sequence of {seq_len} tokens is longer than max_length="
                f"{self.position_embedding.num_embeddings}"
            )
        positions = torch.arange(start, seq_len, device=input_ids.device)  # (T,)
        x = self.token_embedding(input_ids) + self.position_embedding(positions)  # (B, T, D)
        if self.segment_embedding is not None:
            if segment_ids is None:
                # Segment 0 for every token: add its row once instead of looking it up B*T times.
                x = x + self.segment_embedding.weight[0]
            else:
                x = x + self.segment_embedding(segment_ids)
        if self.norm is not None:
            x = self.norm(x)
        return self.dropout(x)
