"""TransformerConfig validation."""

from __future__ import annotations

import pytest

from medlm.errors import ConfigError
from medlm.lm.config import TransformerConfig


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"d_model": 30, "n_heads": 4}, "not divisible by n_heads"),
        ({"n_layers": 0}, "n_layers=0 must be a positive integer"),
        ({"d_ff": -1}, "d_ff=-1"),
        ({"activation": "tanh"}, "activation='tanh' is unknown"),
        ({"architecture": "rnn"}, "architecture='rnn' is unknown"),
        ({"norm_position": "middle"}, "norm_position='middle'"),
        ({"dropout": 1.0}, "dropout=1.0"),
        ({"architecture": "encoder-decoder", "n_decoder_layers": 0}, "n_decoder_layers"),
        ({"pad_token_id": 99}, "pad_token_id=99"),
    ],
)
def test_invalid_config_raises_config_error_naming_the_field(
    overrides: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"vocab_size": 50, "d_model": 32, "n_heads": 4, **overrides}
    with pytest.raises(ConfigError, match=message):
        TransformerConfig(**values)  # type: ignore[arg-type]


def test_config_round_trips_through_dict() -> None:
    config = TransformerConfig(vocab_size=50, d_model=32, n_heads=4, norm_position="pre")
    assert TransformerConfig.from_dict(config.to_dict()) == config


def test_from_dict_rejects_unknown_keys() -> None:
    with pytest.raises(ConfigError, match="no fields \\['hidden_size'\\]"):
        TransformerConfig.from_dict({"vocab_size": 50, "hidden_size": 32})
