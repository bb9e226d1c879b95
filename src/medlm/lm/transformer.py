"""The whole forward pass of medlm's transformer, in one place: embed, encode, decode.

Shape legend: B batch, T tokens (S source tokens in an encoder-decoder), D model width,
H heads, L layers. Masks follow `medlm.lm.attention`'s convention: True = may attend.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from medlm.lm.attention import KeyValueCache, causal_mask, key_padding_mask
from medlm.lm.config import TransformerConfig
from medlm.lm.decoder import Decoder, LayerCache
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


@dataclass
class DecodingCache:
    """Everything incremental decoding keeps between steps.

    length: tokens decoded so far (the position of the next token).
    layers: per decoder layer, its (self-attention, cross-attention) key/value caches; a
        decoder-only model leaves the cross-attention caches unused.
    memory_mask: (B, 1, 1, S) source padding mask of an encoder-decoder model, or None.
    """

    layers: list[LayerCache]
    length: int = 0
    memory_mask: Tensor | None = field(default=None)

    def reorder(self, rows: Tensor) -> None:
        """Keep batch rows `rows` (B_new,) in that order (beam search reorders its beams)."""
        for self_cache, cross_cache in self.layers:
            self_cache.reorder(rows)
            cross_cache.reorder(rows)
        if self.memory_mask is not None:
            self.memory_mask = self.memory_mask.index_select(0, rows)


def _decoding_mask(new_len: int, past_len: int, device: torch.device) -> Tensor | None:
    """(1, 1, T_new, T_past + T_new) causal mask for new tokens after `past_len` cached ones;
    None while nothing is cached (the kernel then applies causality itself)."""
    if past_len == 0:
        return None
    query_pos = torch.arange(past_len, past_len + new_len, device=device)[:, None]  # (T_new, 1)
    key_pos = torch.arange(past_len + new_len, device=device)[None, :]  # (1, T_total)
    return (key_pos <= query_pos)[None, None]


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

    def new_cache(self) -> DecodingCache:
        """An empty cache for `decode`, one pair of key/value caches per decoder layer."""
        stack = self.decoder if self.decoder is not None else self.encoder
        return DecodingCache([(KeyValueCache(), KeyValueCache()) for _ in stack.layers])

    def encode_source(self, input_ids: Tensor, padding_mask: Tensor | None = None) -> Tensor:
        """Encoder output (B, S, D) of an encoder-decoder model's source (B, S)."""
        x = self.embeddings(input_ids)  # (B, S, D)
        mask = _self_attention_mask(padding_mask, False, input_ids.shape[1])
        memory, _ = self.encoder(x, mask)
        return memory

    def decode(
        self,
        input_ids: Tensor,
        cache: DecodingCache,
        memory: Tensor | None = None,
        memory_padding_mask: Tensor | None = None,
    ) -> Tensor:
        """New tokens (B, T_new) -> hidden states (B, T_new, D), reusing and extending `cache`.

        Decoder-only models run their causal stack; encoder-decoder models run the decoder,
        given the encoder output `memory` (B, S, D) at the first step (its keys and values
        are cached after that). Equal, up to float rounding, to the last T_new positions of
        `forward` over the whole sequence.
        """
        new_len = input_ids.shape[1]
        x = self.embeddings(input_ids, start=cache.length)  # (B, T_new, D)
        mask = _decoding_mask(new_len, cache.length, x.device)
        if self.decoder is None:
            self_caches = [self_cache for self_cache, _ in cache.layers]
            x, _ = self.encoder(x, mask, mask is None, caches=self_caches)
        else:
            if cache.length == 0 and memory_padding_mask is not None:
                cache.memory_mask = key_padding_mask(memory_padding_mask)  # (B, 1, 1, S)
            x = self.decoder(x, memory, mask, cache.memory_mask, caches=cache.layers)
        cache.length += new_len
        return x
