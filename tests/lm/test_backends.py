"""Generation backends: the local medlm backend and the OpenAI-compatible HTTP backend's
requests, answers and every error path (with httpx.MockTransport instead of a network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import torch
from lm_helpers import tiny_config

from medlm.errors import BackendError, ConfigError, InputError
from medlm.lm.backends import GenerationBackend, LocalBackend, OpenAICompatibleBackend
from medlm.lm.checkpoint import save_checkpoint
from medlm.lm.generation import GenerationConfig
from medlm.lm.models import CausalLanguageModel, MaskedLanguageModel
from medlm.lm.tokenizer import Tokenizer, train_byte_bpe

BASE = "http://127.0.0.1:9"
GREEDY = GenerationConfig(max_new_tokens=5)

Handler = Callable[[httpx.Request], httpx.Response]


def _backend(
    handler: Handler, *, api_key: str | None = None, chat: bool = False
) -> OpenAICompatibleBackend:
    transport = httpx.MockTransport(handler)
    return OpenAICompatibleBackend(
        BASE, "gemma", timeout=2.0, api_key=api_key, chat=chat, transport=transport
    )


def _completion(text: str = " the heart", finish: str = "length") -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"choices": [{"text": text, "finish_reason": finish}]})

    return handler


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    texts = ["the patient has a fever", "blood pressure was normal", "no chest pain"] * 5
    return train_byte_bpe(texts, vocab_size=300)


def test_completions_request_carries_model_prompt_limits_and_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _completion()(request)

    backend = _backend(handler, api_key="secret")
    result = backend.generate("The heart is", GREEDY)
    body = json.loads(seen[0].content)
    assert str(seen[0].url) == f"{BASE}/v1/completions"
    assert seen[0].headers["Authorization"] == "Bearer secret"
    assert body == {"model": "gemma", "prompt": "The heart is", "max_tokens": 5, "temperature": 0.0}
    assert result.text == " the heart"
    assert result.finish_reason == "length"
    assert isinstance(backend, GenerationBackend)


def test_chat_request_sends_one_user_message_and_reads_the_message_content() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        assert request.url.path == "/v1/chat/completions"
        answer = {"choices": [{"message": {"content": "Hello"}, "finish_reason": "stop"}]}
        return httpx.Response(200, json=answer)

    config = GenerationConfig(strategy="sample", temperature=0.7, top_p=0.9, top_k=20, seed=3)
    result = _backend(handler, chat=True).generate("Hi", config)
    assert seen[0]["messages"] == [{"role": "user", "content": "Hi"}]
    assert (seen[0]["temperature"], seen[0]["top_p"], seen[0]["top_k"]) == (0.7, 0.9, 20)
    assert seen[0]["seed"] == 3
    assert result.text == "Hello"
    assert result.finish_reason == "eos"


def test_base_url_ending_in_v1_is_not_doubled() -> None:
    backend = OpenAICompatibleBackend(f"{BASE}/v1/", "m")
    assert backend.url == f"{BASE}/v1/completions"


def test_timeout_becomes_backend_error_naming_url_and_limit() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(BackendError, match=r":9/v1/completions: no answer within 2.0 s"):
        _backend(handler).generate("x", GREEDY)


def test_connection_error_becomes_backend_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(BackendError, match="could not connect \\(ConnectError\\)"):
        _backend(handler).generate("x", GREEDY)


def test_a_closed_real_port_becomes_backend_error() -> None:
    backend = OpenAICompatibleBackend("http://127.0.0.1:9", "m", timeout=2.0)  # discard port
    with pytest.raises(BackendError, match="could not connect"):
        backend.generate("x", GREEDY)


@pytest.mark.parametrize("status", [400, 401, 404, 500, 503])
def test_non_200_answer_becomes_backend_error_with_status(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"message": "patient text echoed"}})

    with pytest.raises(BackendError, match=f"HTTP {status}") as info:
        _backend(handler).generate("x", GREEDY)
    assert "patient" not in str(info.value)


def test_non_json_answer_becomes_backend_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>proxy error</html>")

    with pytest.raises(BackendError, match="not JSON"):
        _backend(handler).generate("x", GREEDY)


@pytest.mark.parametrize(
    "body",
    [{}, {"choices": []}, {"choices": [{"finish_reason": "stop"}]}, {"choices": "no"}, [1]],
    ids=["no-choices", "empty-choices", "no-text", "choices-not-list", "not-object"],
)
def test_json_without_completion_text_becomes_backend_error(body: object) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    with pytest.raises(BackendError, match=r"answer has no choices\[0\]\.text"):
        _backend(handler).generate("x", GREEDY)


def test_chat_answer_without_message_content_becomes_backend_error() -> None:
    with pytest.raises(BackendError, match=r"choices\[0\]\.message\.content"):
        _backend(_completion(), chat=True).generate("x", GREEDY)


def test_non_string_text_becomes_backend_error() -> None:
    with pytest.raises(BackendError, match="answer text is a int"):
        _backend(_completion(text=7)).generate("x", GREEDY)  # type: ignore[arg-type]


def test_unknown_finish_reason_is_other() -> None:
    assert _backend(_completion(finish="tool_calls")).generate("x", GREEDY).finish_reason == "other"


def test_beam_search_is_refused_for_remote_servers() -> None:
    with pytest.raises(ConfigError, match="beam"):
        _backend(_completion()).generate("x", GenerationConfig(strategy="beam"))


@pytest.mark.parametrize(
    ("url", "timeout", "match"),
    [("localhost:8080", 5.0, "base_url"), ("http://h", 0.0, "timeout")],
)
def test_bad_backend_settings_are_config_errors(url: str, timeout: float, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        OpenAICompatibleBackend(url, "m", timeout=timeout)


def test_local_backend_generates_text_from_a_checkpoint(
    tmp_path: Path, tokenizer: Tokenizer
) -> None:
    torch.manual_seed(0)
    config = tiny_config(architecture="decoder", vocab_size=tokenizer.vocab_size, max_length=48)
    save_checkpoint(tmp_path, CausalLanguageModel(config), tokenizer, {})
    backend = LocalBackend.from_checkpoint(tmp_path)
    result = backend.generate("the patient", GenerationConfig(max_new_tokens=6))
    assert isinstance(backend, GenerationBackend)
    assert 1 <= len(result.token_ids) <= 6
    assert result.text == tokenizer.decode(result.token_ids)
    again = backend.generate("the patient", GenerationConfig(max_new_tokens=6))
    assert again.token_ids == result.token_ids


def test_local_backend_refuses_an_encoder_checkpoint(tmp_path: Path, tokenizer: Tokenizer) -> None:
    config = tiny_config(vocab_size=tokenizer.vocab_size)
    save_checkpoint(tmp_path, MaskedLanguageModel(config), tokenizer, {})
    with pytest.raises(InputError, match="MaskedLanguageModel cannot generate"):
        LocalBackend.from_checkpoint(tmp_path)
