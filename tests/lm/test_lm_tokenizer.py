"""Tokenizers: training byte-level BPE and WordPiece, Unicode round trip, save and load."""

from __future__ import annotations

from pathlib import Path

import pytest

from medlm.errors import InputError
from medlm.lm.tokenizer import Tokenizer, train_byte_bpe, train_wordpiece

CORPUS = [
    "Patient denies chest pain and shortness of breath.",
    "Blood pressure 142/91 mmHg, heart rate 88 bpm.",
    "No known drug allergies. Started metformin 500 mg twice daily.",
    "患者否认胸痛。",
] * 5


def test_byte_bpe_round_trips_a_chinese_clinical_sentence_exactly() -> None:
    tokenizer = train_byte_bpe(CORPUS, vocab_size=300)
    text = "患者主诉头痛三天，伴恶心呕吐；血压 150/95 mmHg。"
    (ids,) = tokenizer.encode([text])
    assert tokenizer.decode(ids) == text


def test_byte_bpe_adds_start_and_end_tokens() -> None:
    tokenizer = train_byte_bpe(CORPUS, vocab_size=300)
    (ids,) = tokenizer.encode(["chest pain"])
    assert ids[0] == tokenizer.token_id("<s>") and ids[-1] == tokenizer.token_id("</s>")


def test_wordpiece_lowercases_and_wraps_in_cls_sep() -> None:
    tokenizer = train_wordpiece(CORPUS, vocab_size=200)
    (ids,) = tokenizer.encode(["Chest Pain"])
    assert ids[0] == tokenizer.token_id("[CLS]") and ids[-1] == tokenizer.token_id("[SEP]")
    assert tokenizer.decode(ids) == "chest pain"


def test_sentinels_are_special_tokens_of_the_vocabulary() -> None:
    tokenizer = train_byte_bpe(CORPUS, vocab_size=300, n_sentinels=4)
    assert len(set(tokenizer.sentinel_ids)) == 4


def test_encode_truncates_to_max_length_keeping_the_end_token() -> None:
    tokenizer = train_wordpiece(CORPUS, vocab_size=200, max_length=6)
    (ids,) = tokenizer.encode([CORPUS[0]])
    assert len(ids) == 6 and ids[-1] == tokenizer.token_id("[SEP]")


def test_pad_right_pads_and_marks_real_tokens() -> None:
    tokenizer = train_wordpiece(CORPUS, vocab_size=200)
    ids, mask = tokenizer.pad([[5, 6, 7], [8]])
    assert ids.tolist() == [[5, 6, 7], [8, tokenizer.pad_id, tokenizer.pad_id]]
    assert mask.tolist() == [[True, True, True], [True, False, False]]


def test_saved_tokenizer_loads_with_the_same_ids_and_roles(tmp_path: Path) -> None:
    tokenizer = train_byte_bpe(CORPUS, vocab_size=300, n_sentinels=2, max_length=64)
    tokenizer.save(tmp_path)
    loaded = Tokenizer.load(tmp_path)
    assert loaded.specials == tokenizer.specials and loaded.max_length == 64
    assert loaded.encode(CORPUS[:3]) == tokenizer.encode(CORPUS[:3])


def test_loading_a_folder_without_tokenizer_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no tokenizer\.json"):
        Tokenizer.load(tmp_path)
