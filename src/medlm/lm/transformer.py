"""The whole forward pass of medlm's transformer, in one place: embed, encode, decode.

Shape legend: B batch, T tokens (S source tokens in an encoder-decoder), D model width,
H heads, L layers. Masks follow `medlm.lm.attention`'s convention: True = may attend.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from medlm.lm.attention import causal_mask, key_padding_mask
from medlm.lm.config import TransformerConfig
from medlm.lm.decoder import Decoder
from medlm.lm.embeddings import Embeddings
from medlm.lm.encoder import Encoder


@dataclass
class TransformerOutput:
    """What one forward pass returns.

    hidden: (B, T, D) last hidden states (of the decoder when the model has one).
    memory: (B, S, D) encoder output of an encoder-decoder model, else None.
    attentions: per encoder layer (B, H, T, T) self-attention weights, when requested.
    """

    hidden: Tensor
    memory: Tensor | None = None
    attentions: tuple[Tensor, ...] | None = None


def _self_attention_mask(padding_mask: Tensor | None, causal: bool, seq_len: int) -> Tensor | None:
    """Attention mask for self-attention; None when there is no padding (a causal model then
    applies causality inside the attention kernel, `is_causal`)."""
    keys = None
    if padding_mask is not None and not bool(padding_mask.all()):
        keys = key_padding_mask(padding_mask)  # (B, 1, 1, T)
    if not causal or keys is None:
        return keys
    mask = causal_mask(seq_len, keys.device) & keys  # (B, 1, T, T)
    # Every position may see itself, so a padded query never has an empty row (NaN softmax).
    return mask | torch.eye(seq_len, dtype=torch.bool, device=mask.device)


class Transformer(nn.Module):
    """Encoder-only, decoder-only or encoder-decoder transformer, chosen by the config.

    A decoder-only model uses the encoder's layer (self-attention + feed-forward) under a
    causal mask; the `Decoder` (with cross-attention) is used only by encoder-decoder models.
    Encoder and decoder share one embedding table.
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config)
        self.encoder = Encoder(config, config.n_layers)
        self.decoder = (
            Decoder(config, config.n_decoder_layers)
            if config.architecture == "encoder-decoder"
            else None
        )
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(
        self,
        input_ids: Tensor,
        padding_mask: Tensor | None = None,
        segment_ids: Tensor | None = None,
        decoder_input_ids: Tensor | None = None,
        decoder_padding_mask: Tensor | None = None,
        return_attentions: bool = False,
    ) -> TransformerOutput:
        """input_ids (B, T) [, padding_mask (B, T) True at real tokens] -> TransformerOutput.

        An encoder-decoder model also takes decoder_input_ids (B, T_dec) and returns the
        decoder's hidden states; input_ids are then the source (B, S).
        """
        causal = self.config.architecture == "decoder"
        seq_len = input_ids.shape[1]
        x = self.embeddings(input_ids, segment_ids)  # (B, T, D)
        mask = _self_attention_mask(padding_mask, causal, seq_len)
        is_causal = causal and mask is None
        x, weights = self.encoder(x, mask, is_causal, return_attentions)  # (B, T, D)
        attentions = tuple(weights) if return_attentions else None
        if self.decoder is None:
            return TransformerOutput(hidden=x, attentions=attentions)

        if decoder_input_ids is None:
            raise ValueError("an encoder-decoder model needs decoder_input_ids")
        memory = x  # (B, S, D)
        memory_mask = key_padding_mask(padding_mask) if padding_mask is not None else None
        target_len = decoder_input_ids.shape[1]
        y = self.embeddings(decoder_input_ids)  # (B, T_dec, D)
        self_mask = _self_attention_mask(decoder_padding_mask, True, target_len)
        y = self.decoder(y, memory, self_mask, memory_mask)  # (B, T_dec, D)
        return TransformerOutput(hidden=y, memory=memory, attentions=attentions)
