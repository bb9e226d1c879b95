"""The precision chooser: fastest passing path, cosine bar, cache, bf16 only where native."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from medlm.errors import InputError
from medlm.lm import precision as prec
from medlm.lm.hardware import machine_info

REFERENCE = np.eye(4, 8, dtype=np.float32) + 0.1


def _row(path: prec.PrecisionPath, speed: float, passed: bool) -> prec.CandidateResult:
    return prec.CandidateResult(
        path=path, items_per_second=speed, ratio_to_fp32=speed / 10, quality=0.0, passed=passed
    )


def test_pick_fastest_chooses_the_fastest_row_that_passed() -> None:
    rows = prec.pick_fastest(
        [
            _row("fp32", 10, True),
            _row("bf16-autocast", 15, True),
            _row("bf16-weights", 20, True),
            _row("int8-torch", 40, False),
        ]
    )
    assert [r.path for r in rows if r.chosen] == ["bf16-weights"]


def test_pick_fastest_keeps_fp32_when_nothing_faster_passes() -> None:
    rows = prec.pick_fastest([_row("fp32", 10, True), _row("int8-onnx", 30, False)])
    assert [r.path for r in rows if r.chosen] == ["fp32"]


def _fake_timing(monkeypatch: pytest.MonkeyPatch, seconds: dict[int, float]) -> None:
    """`_timed` returns the seconds registered for the run's id and the run's output."""

    def timed(run: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
        output = run()
        return seconds[id(run)], output

    monkeypatch.setattr(prec, "_timed", timed)


def _measure(
    monkeypatch: pytest.MonkeyPatch, outputs: dict[prec.PrecisionPath, tuple[float, np.ndarray]]
) -> list[prec.CandidateResult]:
    runs = {path: (lambda out=out: out) for path, (_, out) in outputs.items()}
    _fake_timing(monkeypatch, {id(runs[p]): s for p, (s, _) in outputs.items()})
    return prec.measure_paths(runs, 100, prec.min_cosine, prec.cosine_bar)


def test_measure_paths_refuses_the_fastest_path_under_the_cosine_bar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    skewed = REFERENCE.copy()
    skewed[0] = np.roll(skewed[0], 1)  # one row far from fp32: min cosine well under 0.99
    rows = _measure(
        monkeypatch,
        {
            "fp32": (1.0, REFERENCE),
            "bf16-weights": (0.5, REFERENCE * 1.001),
            "int8-torch": (0.2, skewed),
        },
    )
    by_path = {r.path: r for r in rows}
    assert not by_path["int8-torch"].passed and by_path["int8-torch"].quality < 0.99
    assert by_path["bf16-weights"].chosen and by_path["bf16-weights"].ratio_to_fp32 == 2.0
    assert by_path["fp32"].items_per_second == 100.0


def test_measure_paths_records_a_path_that_raises_as_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> np.ndarray:
        raise RuntimeError("no kernel")

    runs = {"fp32": lambda: REFERENCE, "int8-torch": broken}
    _fake_timing(monkeypatch, {id(runs["fp32"]): 1.0})
    rows = prec.measure_paths(runs, 10, prec.min_cosine, prec.cosine_bar)  # type: ignore[arg-type]
    failed = next(r for r in rows if r.path == "int8-torch")
    assert not failed.passed and not failed.chosen and "no kernel" in (failed.error or "")


def test_f1_bar_allows_at_most_half_a_point_of_macro_f1() -> None:
    assert prec.f1_bar(0.800, 0.804)
    assert not prec.f1_bar(0.798, 0.804)


def test_bf16_is_never_a_candidate_or_explicit_path_without_native_bf16(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prec, "bf16_supported", lambda: False)
    for kind in ("encoder", "classifier", "decoder"):
        assert not [p for p in prec.candidate_paths(kind) if p.startswith("bf16")]
    with pytest.raises(InputError, match="lacks bf16"):
        prec.explicit_path("bf16", "encoder")


def test_explicit_int8_falls_back_to_torch_without_onnxruntime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prec, "onnx_available", lambda: False)
    assert prec.explicit_path("int8", "encoder") == "int8-torch"
    assert "int8-onnx" not in prec.candidate_paths("encoder")


def test_unknown_precision_is_an_input_error_naming_the_choices() -> None:
    with pytest.raises(InputError, match=r"'fp16'.*auto, fp32, bf16, int8"):
        prec.check_precision("fp16")


def _choice(key: str, chosen: prec.PrecisionPath = "fp32") -> prec.PrecisionChoice:
    return prec.PrecisionChoice(
        key=key,
        kind="encoder",
        model="tiny",
        weights="abc",
        medlm_version="0",
        machine=machine_info(),
        quality_name="min cosine to fp32",
        calibration_items=4,
        chosen=chosen,
        candidates=[_row(chosen, 10, True)],
    )


class _Counter:
    def __init__(self, chosen: prec.PrecisionPath = "fp32") -> None:
        self.calls = 0
        self.chosen = chosen

    def measure(self, key: str) -> Callable[[], prec.PrecisionChoice]:
        def run() -> prec.PrecisionChoice:
            self.calls += 1
            return _choice(key, self.chosen)

        return run


def test_cached_choice_is_measured_once_then_read_back(tmp_path: Path) -> None:
    counter = _Counter()
    first = prec.cached_choice("k1", tmp_path, counter.measure("k1"))
    again = prec.cached_choice("k1", tmp_path, counter.measure("k1"))
    assert counter.calls == 1 and again == first


def test_a_new_key_is_measured_again(tmp_path: Path) -> None:
    counter = _Counter()
    prec.cached_choice("machine-a|model", tmp_path, counter.measure("machine-a|model"))
    prec.cached_choice("machine-b|model", tmp_path, counter.measure("machine-b|model"))
    assert counter.calls == 2


def test_a_corrupt_cache_file_is_measured_again_and_rewritten(tmp_path: Path) -> None:
    counter = _Counter()
    prec.cached_choice("k1", tmp_path, counter.measure("k1"))
    prec.cache_file(tmp_path, "k1").write_text("{not json", encoding="utf-8")
    choice = prec.cached_choice("k1", tmp_path, counter.measure("k1"))
    assert counter.calls == 2 and prec.load_choice(tmp_path, "k1") == choice


def test_a_cache_file_holding_another_key_is_not_trusted(tmp_path: Path) -> None:
    prec.save_choice(tmp_path, _choice("k1"))
    prec.cache_file(tmp_path, "k2").write_text(
        prec.cache_file(tmp_path, "k1").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert prec.load_choice(tmp_path, "k2") is None


def test_a_cached_bf16_choice_is_measured_again_where_bf16_is_unsupported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prec.save_choice(tmp_path, _choice("k1", "bf16-weights"))
    monkeypatch.setattr(prec, "bf16_supported", lambda: False)
    counter = _Counter("fp32")
    assert prec.cached_choice("k1", tmp_path, counter.measure("k1")).chosen == "fp32"
    assert counter.calls == 1


def test_choice_key_names_machine_model_weights_and_medlm_version() -> None:
    key = prec.choice_key("encoder", "minilm", "0123")
    assert machine_info().key in key and "minilm" in key and "0123" in key and "medlm=" in key


@pytest.mark.slow
def test_calibration_sentences_span_the_lengths_and_include_the_shortest() -> None:
    from medlm.training.sentence_roles import load_role_sentences

    texts = prec.calibration_texts(16)
    lengths = [len(t) for t in texts]
    shortest = min(len(s.text) for s in load_role_sentences("validation"))
    assert len(texts) == 16 and lengths == sorted(lengths)
    assert lengths[0] == shortest and lengths[-1] > 10 * shortest
