"""Synthetic sentence-role data (labelled synthetic) and a tiny encoder checkpoint for tests."""

from __future__ import annotations

from pathlib import Path

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.lm.checkpoint import save_checkpoint
from medlm.lm.config import TransformerConfig
from medlm.lm.models import MaskedLanguageModel
from medlm.lm.tokenizer import train_wordpiece

# SYNTHETIC: each role has its own cue words, so a working classifier must learn them.
CUES = {
    "BACKGROUND": "disease burden is common worldwide",
    "OBJECTIVE": "we aimed to assess whether",
    "METHODS": "patients were randomized and measured",
    "RESULTS": "the rate fell significantly with p value",
    "CONCLUSIONS": "these findings suggest benefit",
}


def synthetic_abstracts(n: int, split: str = "train") -> list[RoleSentence]:
    sentences: list[RoleSentence] = []
    for a in range(n):
        texts = [f"{CUES[role]} item {a}" for role in ROLES]
        for i, (role, text) in enumerate(zip(ROLES, texts, strict=True)):
            sentences.append(
                RoleSentence(
                    pmid=f"{split}{a}",
                    split=split,
                    text=text,
                    label=role,
                    index=i,
                    count=len(ROLES),
                    previous=texts[i - 1] if i else "",
                    next=texts[i + 1] if i + 1 < len(texts) else "",
                )
            )
    return sentences


def tiny_encoder_checkpoint(folder: Path) -> Path:
    texts = [s.text for s in synthetic_abstracts(4)] + ["sentence 1 of 5, decile 0."] * 3
    tokenizer = train_wordpiece(texts * 5, vocab_size=200)
    config = TransformerConfig(
        vocab_size=tokenizer.vocab_size,
        d_model=32,
        n_heads=4,
        n_layers=2,
        d_ff=64,
        max_length=128,
        dropout=0.0,
        attention_dropout=0.0,
    )
    return save_checkpoint(folder, MaskedLanguageModel(config), tokenizer)
