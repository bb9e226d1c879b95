"""Tokenizers: the imported WordPiece as is, or a new byte-level BPE or WordPiece trained here.

A `Tokenizer` wraps a Hugging Face `tokenizers.Tokenizer` and knows the roles of its special
tokens (padding, unknown, start, end, mask, sentinels for span corruption). It is saved as
`tokenizer.json` plus `tokenizer_roles.json` in a model folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, normalizers, pre_tokenizers, processors, trainers
from torch import Tensor

from medlm.errors import InputError

TOKENIZER_FILE = "tokenizer.json"
ROLES_FILE = "tokenizer_roles.json"


@dataclass(frozen=True)
class SpecialTokens:
    """Which token plays which role. `start`/`end` are [CLS]/[SEP] in BERT, <s>/</s> in BPE."""

    pad: str
    unk: str
    start: str
    end: str
    mask: str
    sentinels: tuple[str, ...] = field(default_factory=tuple)

    def all(self) -> list[str]:
        return [self.pad, self.unk, self.start, self.end, self.mask, *self.sentinels]


BERT_SPECIALS = SpecialTokens(pad="[PAD]", unk="[UNK]", start="[CLS]", end="[SEP]", mask="[MASK]")


def _bpe_specials(n_sentinels: int) -> SpecialTokens:
    sentinels = tuple(f"<extra_id_{i}>" for i in range(n_sentinels))
    return SpecialTokens("<pad>", "<unk>", "<s>", "</s>", "<mask>", sentinels)


class Tokenizer:
    """Text to token ids and back, with padding to tensors for batches."""

    def __init__(self, backend: HFTokenizer, specials: SpecialTokens, max_length: int = 512):
        self.backend = backend
        self.specials = specials
        self.max_length = max_length
        self.backend.no_padding()
        self.backend.no_truncation()
        missing = [t for t in specials.all() if backend.token_to_id(t) is None]
        if missing:
            raise InputError(f"tokenizer vocabulary lacks the special tokens {missing}")

    # ids of the special tokens -------------------------------------------------------------
    def token_id(self, token: str) -> int:
        token_id = self.backend.token_to_id(token)
        if token_id is None:
            raise InputError(f"token {token!r} is not in the tokenizer's vocabulary")
        return int(token_id)

    @property
    def pad_id(self) -> int:
        return self.token_id(self.specials.pad)

    @property
    def mask_id(self) -> int:
        return self.token_id(self.specials.mask)

    @property
    def sentinel_ids(self) -> list[int]:
        return [self.token_id(t) for t in self.specials.sentinels]

    @property
    def special_ids(self) -> list[int]:
        return [self.token_id(t) for t in self.specials.all()]

    @property
    def vocab_size(self) -> int:
        return int(self.backend.get_vocab_size())

    # encoding --------------------------------------------------------------------------------
    def encode(self, texts: Sequence[str], max_length: int | None = None) -> list[list[int]]:
        """Token ids of each text, with start/end tokens, truncated to `max_length`."""
        limit = min(max_length or self.max_length, self.max_length)
        self.backend.enable_truncation(limit)
        try:
            return [e.ids for e in self.backend.encode_batch(list(texts))]
        finally:
            self.backend.no_truncation()

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        return str(self.backend.decode(list(ids), skip_special_tokens=skip_special_tokens))

    def pad(self, sequences: Sequence[Sequence[int]]) -> tuple[Tensor, Tensor]:
        """Right-pad id lists to (B, T) ids and a (B, T) bool mask, True at real tokens."""
        longest = max((len(s) for s in sequences), default=0)
        ids = torch.full((len(sequences), longest), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(sequences), longest), dtype=torch.bool)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
            mask[row, : len(seq)] = True
        return ids, mask

    # persistence -----------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.backend.save(str(folder / TOKENIZER_FILE))
        roles = {**asdict(self.specials), "max_length": self.max_length}
        (folder / ROLES_FILE).write_text(json.dumps(roles, indent=2))

    @classmethod
    def load(cls, folder: Path, max_length: int = 512) -> Tokenizer:
        """Load `tokenizer.json` (+ roles if saved by medlm, else BERT's special tokens)."""
        path = folder / TOKENIZER_FILE
        if not path.is_file():
            raise InputError(f"no {TOKENIZER_FILE} in model folder {folder}")
        backend = HFTokenizer.from_file(str(path))
        roles_path = folder / ROLES_FILE
        if not roles_path.is_file():
            return cls(backend, BERT_SPECIALS, max_length)
        roles = json.loads(roles_path.read_text())
        max_length = int(roles.pop("max_length", max_length))
        roles["sentinels"] = tuple(roles.get("sentinels", ()))
        return cls(backend, SpecialTokens(**roles), max_length)


def train_byte_bpe(
    corpus: Iterable[str], vocab_size: int, n_sentinels: int = 0, max_length: int = 512
) -> Tokenizer:
    """Train a byte-level BPE tokenizer: any Unicode text encodes and decodes back exactly."""
    specials = _bpe_specials(n_sentinels)
    backend = HFTokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials.all(),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(corpus, trainer=trainer)
    _add_template(backend, specials)
    return Tokenizer(backend, specials, max_length)


def train_wordpiece(
    corpus: Iterable[str], vocab_size: int, n_sentinels: int = 0, max_length: int = 512
) -> Tokenizer:
    """Train a lower-casing BERT-style WordPiece tokenizer ([CLS] text [SEP]).

    Not reproducible: the `tokenizers` WordPiece trainer numbers its "##" pieces in hash-map
    order, which changes tie-breaks between merges from one call to the next
    (huggingface/tokenizers#1794), so two trainings on the same corpus may give different
    vocabularies. The tokenizer is saved with every checkpoint, so a trained model always runs
    with its own vocabulary. (`train_byte_bpe` has no "##" pieces and is reproducible.)
    """
    sentinels = tuple(f"[extra_id_{i}]" for i in range(n_sentinels))
    specials = SpecialTokens("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", sentinels)
    backend = HFTokenizer(models.WordPiece(unk_token=specials.unk))
    backend.normalizer = normalizers.BertNormalizer(lowercase=True)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, special_tokens=specials.all(), show_progress=False
    )
    backend.train_from_iterator(corpus, trainer=trainer)
    _add_template(backend, specials)
    return Tokenizer(backend, specials, max_length)


def _add_template(backend: HFTokenizer, specials: SpecialTokens) -> None:
    start, end = specials.start, specials.end
    backend.post_processor = processors.TemplateProcessing(
        single=f"{start} $A {end}",
        pair=f"{start} $A {end} $B:1 {end}:1",
        special_tokens=[(start, backend.token_to_id(start)), (end, backend.token_to_id(end))],
    )
