"""Generation backends: one interface over medlm's own models and OpenAI-compatible servers.

`GenerationBackend.generate(prompt, config) -> GenerationResult` is all a caller needs.
`LocalBackend` runs a medlm causal or encoder-decoder model in process; `OpenAICompatibleBackend`
calls any server speaking the OpenAI completions API (`/v1/completions`, or
`/v1/chat/completions` with `chat=True`) — the way vLLM, the llama.cpp server and Ollama serve
large language models. Every transport failure becomes a `BackendError` naming the URL and what
went wrong; prompts and answers never appear in messages or logs.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx

from medlm.errors import BackendError, ConfigError, InputError
from medlm.lm.checkpoint import load_checkpoint
from medlm.lm.generation import FinishReason, GenerationConfig, GenerationResult, generate
from medlm.lm.models import CausalLanguageModel
from medlm.lm.precision import Precision, PrecisionPath, explicit_path, path_model
from medlm.lm.tokenizer import Tokenizer

logger = logging.getLogger(__name__)

_FINISH_REASONS: dict[str, FinishReason] = {"stop": "eos", "eos": "eos", "length": "length"}


@runtime_checkable
class GenerationBackend(Protocol):
    """Anything that turns a prompt into generated text."""

    def generate(self, prompt: str, config: GenerationConfig) -> GenerationResult: ...


class LocalBackend:
    """A medlm `CausalLanguageModel` or `Seq2SeqLanguageModel` with its tokenizer.

    The prompt is tokenized without special tokens at its end for a decoder-only model (the
    text continues it) and with them for an encoder-decoder model (it is the source).
    """

    def __init__(
        self,
        model: CausalLanguageModel,
        tokenizer: Tokenizer,
        precision: Precision = "fp32",
        cache_dir: Path | None = None,
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.path: PrecisionPath
        if precision == "auto":  # measured on real sentences, cached under `cache_dir`
            from medlm.lm.decoder_precision import choose_decoder_path

            self.path = choose_decoder_path(model, tokenizer, cache_dir=cache_dir)
        else:
            self.path = explicit_path(precision, "decoder")
        self._run_model = path_model(self.model, self.path)

    @classmethod
    def from_checkpoint(cls, folder: Path) -> LocalBackend:
        """Load a medlm checkpoint folder holding a generative model and its tokenizer."""
        model, tokenizer = load_checkpoint(folder)
        if not isinstance(model, CausalLanguageModel):
            raise InputError(
                f"checkpoint {folder}: a {type(model).__name__} cannot generate text; "
                "expected a causal or encoder-decoder language model"
            )
        if tokenizer is None:
            raise InputError(f"checkpoint {folder}: no tokenizer saved with the model")
        return cls(model, tokenizer)

    def _prompt_ids(self, prompt: str) -> list[int]:
        ids = self.tokenizer.encode([prompt], self.model.config.max_length)[0]
        if self.model.config.has_encoder:
            return ids
        end = self.tokenizer.token_id(self.tokenizer.specials.end)
        return ids[:-1] if ids and ids[-1] == end else ids

    def generate(self, prompt: str, config: GenerationConfig) -> GenerationResult:
        if config.eos_token_id is None:
            end = self.tokenizer.token_id(self.tokenizer.specials.end)
            config = config.model_copy(update={"eos_token_id": end})
        run_model = self._run_model
        assert isinstance(run_model, CausalLanguageModel)
        return generate(run_model, self._prompt_ids(prompt), config, self.tokenizer, self.path)


class OpenAICompatibleBackend:
    """A server speaking the OpenAI completions API, at `base_url` (e.g. http://host:8080).

    `chat=True` sends the prompt as one user message to `/v1/chat/completions`; otherwise it
    goes to `/v1/completions` as raw text. `api_key` is sent as a bearer token. `transport`
    replaces the network (tests pass `httpx.MockTransport`). Beam search is not part of the
    API and is refused.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        timeout: float = 60.0,
        api_key: str | None = None,
        chat: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"OpenAICompatibleBackend.base_url={base_url!r} must start with http(s)://"
            )
        if timeout <= 0:
            raise ConfigError(f"OpenAICompatibleBackend.timeout={timeout} must be > 0")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.api_key = api_key
        self.chat = chat
        self.transport = transport

    @property
    def url(self) -> str:
        route = "/v1/chat/completions" if self.chat else "/v1/completions"
        return self.base_url.removesuffix("/v1") + route

    def _payload(self, prompt: str, config: GenerationConfig) -> dict[str, Any]:
        if config.strategy == "beam":
            raise ConfigError(
                "GenerationConfig.strategy='beam' is not offered by OpenAI-compatible servers"
            )
        payload: dict[str, Any] = {"model": self.model, "max_tokens": config.max_new_tokens}
        if self.chat:
            payload["messages"] = [{"role": "user", "content": prompt}]
        else:
            payload["prompt"] = prompt
        if config.strategy == "greedy":
            payload["temperature"] = 0.0
        else:
            payload["temperature"] = config.temperature
            payload["top_p"] = config.top_p
            if config.top_k is not None:
                payload["top_k"] = config.top_k  # an extension llama.cpp and vLLM accept
        if config.seed is not None:
            payload["seed"] = config.seed
        return payload

    def _post(self, payload: dict[str, Any]) -> httpx.Response:
        url = self.url
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                return client.post(url, json=payload, headers=headers)
        except httpx.TimeoutException as exc:
            raise BackendError(f"{url}: no answer within {self.timeout} s") from exc
        except httpx.TransportError as exc:
            raise BackendError(
                f"{url}: could not connect ({type(exc).__name__}); is the server running?"
            ) from exc

    def _parse(self, response: httpx.Response) -> GenerationResult:
        url = self.url
        if response.status_code != 200:
            raise BackendError(
                f"{url}: answered HTTP {response.status_code} {response.reason_phrase}"
            )
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BackendError(f"{url}: answer is not JSON") from exc
        try:
            choice = body["choices"][0]
            text = choice["message"]["content"] if self.chat else choice["text"]
        except (KeyError, IndexError, TypeError) as exc:
            field = "choices[0].message.content" if self.chat else "choices[0].text"
            raise BackendError(f"{url}: answer has no {field}") from exc
        if not isinstance(text, str):
            raise BackendError(f"{url}: answer text is a {type(text).__name__}, not a string")
        reason = _FINISH_REASONS.get(str(choice.get("finish_reason")), "other")
        return GenerationResult(token_ids=[], text=text, finish_reason=reason)

    def generate(self, prompt: str, config: GenerationConfig) -> GenerationResult:
        result = self._parse(self._post(self._payload(prompt, config)))
        logger.debug("%s: %s finished (%s)", self.url, self.model, result.finish_reason)
        return result
