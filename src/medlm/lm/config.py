"""The one configuration of medlm's transformer: sizes, layout, activation and dropout."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from medlm.errors import ConfigError

Architecture = Literal["encoder", "decoder", "encoder-decoder"]
NormPosition = Literal["pre", "post"]
Activation = Literal["gelu", "gelu_tanh", "relu", "silu"]

ARCHITECTURES: tuple[str, ...] = ("encoder", "decoder", "encoder-decoder")
NORM_POSITIONS: tuple[str, ...] = ("pre", "post")
ACTIVATIONS: tuple[str, ...] = ("gelu", "gelu_tanh", "relu", "silu")


@dataclass(frozen=True)
class TransformerConfig:
    """Hyperparameters of a medlm transformer; validated on construction.

    `architecture` chooses encoder-only (BERT-like, bidirectional), decoder-only (GPT-like,
    causal) or encoder-decoder (T5-like). `norm_position` is "post" for the original
    transformer and BERT (layer norm after each residual sum) or "pre" (layer norm before each
    sub-layer, plus one final norm), which trains more stably from scratch. `n_layers` counts
    the layers of the encoder, or of the decoder in a decoder-only model; `n_decoder_layers`
    counts the decoder layers of an encoder-decoder model. `type_vocab_size` is the number of
    segment ids (0: no segment embedding).
    """

    vocab_size: int
    d_model: int = 256
    n_heads: int = 4
    n_layers: int = 4
    n_decoder_layers: int = 0
    d_ff: int = 1024
    max_length: int = 512
    architecture: Architecture = "encoder"
    norm_position: NormPosition = "post"
    activation: Activation = "gelu"
    dropout: float = 0.1
    attention_dropout: float = 0.1
    layer_norm_eps: float = 1e-12
    type_vocab_size: int = 2
    pad_token_id: int = 0
    tie_word_embeddings: bool = True

    def __post_init__(self) -> None:
        self._check_sizes()
        if self.architecture not in ARCHITECTURES:
            raise ConfigError(
                f"TransformerConfig.architecture={self.architecture!r} is unknown; "
                f"choose one of {ARCHITECTURES}"
            )
        if self.norm_position not in NORM_POSITIONS:
            raise ConfigError(
                f"TransformerConfig.norm_position={self.norm_position!r} is "
                f"unknown; choose one of {NORM_POSITIONS}"
            )
        if self.activation not in ACTIVATIONS:
            raise ConfigError(
                f"TransformerConfig.activation={self.activation!r} is unknown; "
                f"choose one of {ACTIVATIONS}"
            )
        for name in ("dropout", "attention_dropout"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise ConfigError(f"TransformerConfig.{name}={value} must be in [0, 1)")
        if self.architecture == "encoder-decoder" and self.n_decoder_layers < 1:
            raise ConfigError(
                "TransformerConfig.n_decoder_layers must be >= 1 for an "
                f"encoder-decoder model, got {self.n_decoder_layers}"
            )
        if not 0 <= self.pad_token_id < self.vocab_size:
            raise ConfigError(
                f"TransformerConfig.pad_token_id={self.pad_token_id} is outside "
                f"the vocabulary of {self.vocab_size}"
            )

    def _check_sizes(self) -> None:
        for name in ("vocab_size", "d_model", "n_heads", "n_layers", "d_ff", "max_length"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"TransformerConfig.{name}={value!r} must be a positive integer")
        for name in ("n_decoder_layers", "type_vocab_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ConfigError(f"TransformerConfig.{name}={value!r} must be an integer >= 0")
        if self.d_model % self.n_heads:
            raise ConfigError(
                f"TransformerConfig.d_model={self.d_model} is not divisible by "
                f"n_heads={self.n_heads}"
            )
        if self.layer_norm_eps <= 0:
            raise ConfigError(f"TransformerConfig.layer_norm_eps={self.layer_norm_eps} must be > 0")

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    @property
    def has_encoder(self) -> bool:
        return self.architecture in ("encoder", "encoder-decoder")

    @property
    def has_decoder(self) -> bool:
        return self.architecture in ("decoder", "encoder-decoder")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TransformerConfig:
        """Build a config from a dict; unknown keys are an error naming them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"TransformerConfig has no fields {unknown}")
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(f"TransformerConfig: {exc}") from exc
