"""Objectives: BERT 80/10/10 masking, T5 span corruption, causal LM and classification labels."""

from __future__ import annotations

import torch
from training_helpers import END, MASK, PAD, SENTINELS, SPECIALS, START, VOCAB, synthetic_examples

from medlm.lm.models import IGNORE_INDEX
from medlm.training.batching import Example
from medlm.training.objectives import CausalLM, Classification, MaskedLM, SpanCorruption

MLM = MaskedLM(mask_id=MASK, pad_id=PAD, vocab_size=VOCAB, special_ids=SPECIALS)


def test_masked_lm_labels_only_picked_tokens_and_never_specials() -> None:
    examples = synthetic_examples(64)
    batch = MLM(examples, torch.Generator().manual_seed(0))
    assert batch.labels is not None
    picked = batch.labels != IGNORE_INDEX
    original = torch.tensor([e.input_ids for e in examples])
    assert torch.equal(batch.labels[picked], original[picked])
    assert not picked[:, 0].any() and not picked[:, -1].any()
    assert torch.equal(batch.input_ids[~picked], original[~picked])


def test_masked_lm_follows_bert_80_10_10_split() -> None:
    examples = synthetic_examples(2000, length=22)
    batch = MLM(examples, torch.Generator().manual_seed(1))
    assert batch.labels is not None
    picked = batch.labels != IGNORE_INDEX
    rate = picked.float().sum() / (len(examples) * 20)
    assert abs(float(rate) - 0.15) < 0.01
    inputs = batch.input_ids[picked]
    masked = float((inputs == MASK).float().mean())
    kept = float((inputs == batch.labels[picked]).float().mean())
    assert abs(masked - 0.8) < 0.02
    assert abs(kept - 0.1 - 0.1 / VOCAB) < 0.02  # 10% unchanged, plus random hits on itself


def test_masked_lm_picks_at_least_one_token_per_sequence() -> None:
    short = [Example([START, 20, END])] * 50
    batch = MLM(short, torch.Generator().manual_seed(2))
    assert batch.labels is not None
    assert ((batch.labels != IGNORE_INDEX).sum(dim=1) == 1).all()


def test_span_corruption_source_and_target_rebuild_the_original() -> None:
    objective = SpanCorruption(sentinel_ids=SENTINELS, start_id=START, end_id=END, pad_id=PAD)
    (example,) = synthetic_examples(1, length=24)
    batch = objective([example], torch.Generator().manual_seed(3))
    source = batch.input_ids[0].tolist()
    assert batch.labels is not None
    target = batch.labels[0].tolist()
    assert source[0] == START and source[-1] == END and target[-1] == END
    rebuilt: list[int] = []
    for token in source[1:-1]:
        if token in SENTINELS:
            begin = target.index(token) + 1
            end = begin
            while end < len(target) and target[end] not in (*SENTINELS, END):
                end += 1
            rebuilt += target[begin:end]
        else:
            rebuilt.append(token)
    assert rebuilt == example.input_ids[1:-1]
    assert batch.decoder_input_ids is not None
    assert batch.decoder_input_ids[0].tolist() == [START, *target[:-1]]


def test_causal_lm_labels_are_inputs_ignored_at_padding() -> None:
    batch = CausalLM(pad_id=PAD)([Example([1, 9, 2]), Example([1, 2])], torch.Generator())
    assert batch.labels is not None
    assert batch.labels.tolist() == [[1, 9, 2], [1, 2, IGNORE_INDEX]]


def test_classification_batches_class_ids_or_token_labels() -> None:
    objective = Classification(pad_id=PAD)
    sequence = objective([Example([1, 9, 2], 1), Example([1, 2], 0)], torch.Generator())
    assert sequence.labels is not None and sequence.labels.tolist() == [1, 0]
    tokens = objective([Example([1, 9, 2], [0, 3, 0]), Example([1, 2], [0, 0])], torch.Generator())
    assert tokens.labels is not None
    assert tokens.labels.tolist() == [[0, 3, 0], [0, 0, IGNORE_INDEX]]
