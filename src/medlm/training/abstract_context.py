"""The abstract-level sentence-role network: a BiGRU over an abstract's sentence vectors.

Hierarchical models lead PubMed 20k RCT (Jin and Szolovits 2018; Cohan et al. 2019): each
sentence is encoded on its own, then a small sequence model reads the whole abstract's
sentence vectors and labels every sentence, so a sentence's role is decided with all the
others in view (the section it sits in, what came before, what follows). Here:

    sentence vectors (B, N, E) ++ per-sentence features (B, N, F)
      -> dropout, linear, GELU                     (B, N, D)
      -> bidirectional GRU over the N sentences    (B, N, 2D)   packed: padding is never read
      -> [own ; context] -> dropout, linear        (B, N, C) role logits

Shape legend: `B` abstracts, `N` sentences (padded to the longest abstract in the batch), `E`
sentence-vector width, `F` features, `D` hidden width, `C` roles. `mask` is True on real
sentences. The features carry the relative position, so the GRU's order is not the only
position cue. Decoding (biases, transitions) is the estimator's business, not this module's.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import NamedTuple

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from medlm.datasets.medline_corpus import ROLES


@dataclass(frozen=True)
class ContextConfig:
    """Sizes of the contextual model; `vector_dim` and `feature_dim` fix its inputs."""

    vector_dim: int = 384
    feature_dim: int = 0
    hidden: int = 128
    layers: int = 1
    dropout: float = 0.2
    num_labels: int = len(ROLES)

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


class ContextOutput(NamedTuple):
    """Role logits of every sentence slot (padding slots are meaningless)."""

    logits: Tensor  # (B, N, C)


class AbstractContextModel(nn.Module):
    """Labels every sentence of a batch of abstracts from their sentence vectors."""

    def __init__(self, config: ContextConfig) -> None:
        super().__init__()
        self.config = config
        d = config.hidden
        self.input_proj = nn.Sequential(
            nn.Dropout(config.dropout),
            nn.Linear(config.vector_dim + config.feature_dim, d),
            nn.GELU(),
        )
        self.context = nn.GRU(
            d,
            d,
            num_layers=config.layers,
            batch_first=True,
            bidirectional=True,
            dropout=config.dropout if config.layers > 1 else 0.0,
        )
        self.classifier = nn.Sequential(
            nn.Dropout(config.dropout), nn.Linear(3 * d, config.num_labels)
        )

    def forward(self, vectors: Tensor, features: Tensor, mask: Tensor) -> ContextOutput:
        x = torch.cat([vectors, features], dim=-1)  # (B, N, E + F)
        own = self.input_proj(x)  # (B, N, D)
        lengths = mask.sum(dim=1).clamp(min=1).cpu()  # (B,)
        packed = pack_padded_sequence(own, lengths, batch_first=True, enforce_sorted=False)
        context, _ = self.context(packed)
        context, _ = pad_packed_sequence(context, batch_first=True, total_length=own.shape[1])
        logits = self.classifier(torch.cat([own, context], dim=-1))  # (B, N, C)
        return ContextOutput(logits)


def pad_abstracts(vectors: list[Tensor], features: list[Tensor]) -> tuple[Tensor, Tensor, Tensor]:
    """Stack abstracts of different lengths: lists of (n_i, E) and (n_i, F) -> padded
    (B, N, E), (B, N, F) and the (B, N) mask of real sentences."""
    longest = max(v.shape[0] for v in vectors)
    batch = len(vectors)
    out_v = torch.zeros(batch, longest, vectors[0].shape[1])
    out_f = torch.zeros(batch, longest, features[0].shape[1])
    mask = torch.zeros(batch, longest, dtype=torch.bool)
    for i, (v, f) in enumerate(zip(vectors, features, strict=True)):
        out_v[i, : v.shape[0]] = v
        out_f[i, : f.shape[0]] = f
        mask[i, : v.shape[0]] = True
    return out_v, out_f, mask


class ContextEnsemble(nn.Module):
    """Several contextual models trained from different seeds; their role probabilities are
    averaged (returned as log-probabilities, so a softmax of the output is the average).
    One seed's early-stopped model varies by about 0.01 macro-F1 from the next; the average
    does not."""

    def __init__(self, members: list[AbstractContextModel]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)
        self.config = members[0].config

    def forward(self, vectors: Tensor, features: Tensor, mask: Tensor) -> ContextOutput:
        logs = torch.stack(
            [m(vectors, features, mask).logits.float().log_softmax(dim=-1) for m in self.members]
        )  # (M, B, N, C)
        return ContextOutput(torch.logsumexp(logs, dim=0) - math.log(len(self.members)))
