"""Task models: the transformer with a head and its loss, sharing one batch and output type.

Shape legend: B batch, T tokens, D model width, V vocabulary, C classes.
Labels equal to `IGNORE_INDEX` (-100) take no part in a loss.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

import torch.nn.functional as F
from torch import Tensor, nn

from medlm.lm.config import TransformerConfig
from medlm.lm.heads import (
    CausalLMHead,
    MaskedLMHead,
    Pooling,
    SequenceClassificationHead,
    TokenClassificationHead,
)
from medlm.lm.transformer import Transformer, TransformerOutput

IGNORE_INDEX = -100
M = TypeVar("M", bound="LanguageModel")


@dataclass
class Batch:
    """One batch of model inputs; fields a model does not use stay None.

    input_ids (B, T); padding_mask (B, T) bool, True at real tokens; segment_ids (B, T);
    labels (B, T) token targets or (B,) class ids; decoder_input_ids and
    decoder_padding_mask (B, T_dec) for encoder-decoder models.
    """

    input_ids: Tensor
    padding_mask: Tensor | None = None
    segment_ids: Tensor | None = None
    labels: Tensor | None = None
    decoder_input_ids: Tensor | None = None
    decoder_padding_mask: Tensor | None = None

    def to(self, device: Any) -> Batch:
        """A copy of the batch with every tensor moved to `device`."""
        moved = {f.name: getattr(self, f.name) for f in fields(self)}
        moved = {k: v.to(device) if v is not None else None for k, v in moved.items()}
        return Batch(**moved)

    @property
    def num_tokens(self) -> int:
        """Real tokens in the batch (all positions when there is no padding mask)."""
        if self.padding_mask is None:
            return int(self.input_ids.numel())
        return int(self.padding_mask.sum())


@dataclass
class ModelOutput:
    """hidden (B, T, D); logits (B, T, V|C) or (B, C); loss () when labels were given."""

    hidden: Tensor
    logits: Tensor | None = None
    loss: Tensor | None = None
    attentions: tuple[Tensor, ...] | None = None


class LanguageModel(nn.Module):
    """Base of medlm's models: a `Transformer` plus a head; `kind` names it in checkpoints."""

    kind: ClassVar[str] = "encoder"

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        self.transformer = Transformer(config)

    @classmethod
    def from_encoder(cls: type[M], encoder: LanguageModel, **head_settings: Any) -> M:
        """A new model of this class whose transformer starts from `encoder`'s weights.

        The head is freshly initialised, e.g.
        `SequenceClassifier.from_encoder(load_pretrained("minilm")[0], num_labels=2)`.
        """
        model = cls(encoder.config, **head_settings)
        model.transformer.load_state_dict(encoder.transformer.state_dict())
        return model

    def head_settings(self) -> dict[str, Any]:
        """Keyword arguments (besides the config) that rebuild this model."""
        return {}

    def encode(self, batch: Batch, return_attentions: bool = False) -> TransformerOutput:
        return self.transformer(
            batch.input_ids,
            padding_mask=batch.padding_mask,
            segment_ids=batch.segment_ids,
            decoder_input_ids=batch.decoder_input_ids,
            decoder_padding_mask=batch.decoder_padding_mask,
            return_attentions=return_attentions,
        )

    def forward(self, batch: Batch, return_attentions: bool = False) -> ModelOutput:
        out = self.encode(batch, return_attentions)
        return ModelOutput(hidden=out.hidden, attentions=out.attentions)


def _token_loss(logits: Tensor, labels: Tensor) -> Tensor:
    """Mean cross-entropy over labelled tokens: (B, T, V), (B, T) -> ()."""
    return F.cross_entropy(
        logits.flatten(0, 1).float(), labels.flatten(), ignore_index=IGNORE_INDEX
    )


class MaskedLanguageModel(LanguageModel):
    """Encoder with BERT's masked-LM head; labels are IGNORE_INDEX except at masked tokens."""

    kind = "masked_lm"

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__(config)
        self.lm_head = MaskedLMHead(config, self.transformer.embeddings.token_embedding)

    def forward(self, batch: Batch, return_attentions: bool = False) -> ModelOutput:
        out = self.encode(batch, return_attentions)
        logits = self.lm_head(out.hidden)  # (B, T, V)
        loss = _token_loss(logits, batch.labels) if batch.labels is not None else None
        return ModelOutput(out.hidden, logits, loss, out.attentions)


class CausalLanguageModel(LanguageModel):
    """Decoder-only model predicting each next token; labels are the input ids (shifted here)."""

    kind = "causal_lm"

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__(config)
        self.lm_head = CausalLMHead(config, self.transformer.embeddings.token_embedding)

    def forward(self, batch: Batch, return_attentions: bool = False) -> ModelOutput:
        out = self.encode(batch, return_attentions)
        logits = self.lm_head(out.hidden)  # (B, T, V)
        loss = None
        if batch.labels is not None:
            # Position t predicts token t+1: (B, T-1, V) against (B, T-1).
            loss = _token_loss(logits[:, :-1], batch.labels[:, 1:])
        return ModelOutput(out.hidden, logits, loss, out.attentions)


class Seq2SeqLanguageModel(CausalLanguageModel):
    """Encoder-decoder model; labels (B, T_dec) are the decoder's targets, position by position."""

    kind = "seq2seq_lm"

    def forward(self, batch: Batch, return_attentions: bool = False) -> ModelOutput:
        out = self.encode(batch, return_attentions)
        logits = self.lm_head(out.hidden)  # (B, T_dec, V)
        loss = _token_loss(logits, batch.labels) if batch.labels is not None else None
        return ModelOutput(out.hidden, logits, loss, out.attentions)


class SequenceClassifier(LanguageModel):
    """Encoder with a pooled classification head; labels (B,) class ids."""

    kind = "sequence_classification"

    def __init__(self, config: TransformerConfig, num_labels: int, pooling: Pooling = "mean"):
        super().__init__(config)
        self.num_labels = num_labels
        self.head = SequenceClassificationHead(config, num_labels, pooling)

    def head_settings(self) -> dict[str, Any]:
        return {"num_labels": self.num_labels, "pooling": self.head.pooling}

    def forward(self, batch: Batch, return_attentions: bool = False) -> ModelOutput:
        out = self.encode(batch, return_attentions)
        logits = self.head(out.hidden, batch.padding_mask)  # (B, C)
        loss = None
        if batch.labels is not None:
            loss = F.cross_entropy(logits.float(), batch.labels)
        return ModelOutput(out.hidden, logits, loss, out.attentions)


class TokenClassifier(LanguageModel):
    """Encoder with a per-token classification head; labels (B, T), IGNORE_INDEX at padding."""

    kind = "token_classification"

    def __init__(self, config: TransformerConfig, num_labels: int):
        super().__init__(config)
        self.num_labels = num_labels
        self.head = TokenClassificationHead(config, num_labels)

    def head_settings(self) -> dict[str, Any]:
        return {"num_labels": self.num_labels}

    def forward(self, batch: Batch, return_attentions: bool = False) -> ModelOutput:
        out = self.encode(batch, return_attentions)
        logits = self.head(out.hidden)  # (B, T, C)
        loss = _token_loss(logits, batch.labels) if batch.labels is not None else None
        return ModelOutput(out.hidden, logits, loss, out.attentions)


MODEL_KINDS: dict[str, type[LanguageModel]] = {
    cls.kind: cls
    for cls in (
        LanguageModel,
        MaskedLanguageModel,
        CausalLanguageModel,
        Seq2SeqLanguageModel,
        SequenceClassifier,
        TokenClassifier,
    )
}
