"""Generation speed of medlm models with and without the key/value cache (random weights).

Builds a small decoder-only and a small encoder-decoder model with random weights (speed only:
the generated text means nothing), generates `--new-tokens` tokens after one prompt with
greedy decoding and with beam search, cached and uncached, and prints tokens per second and
the cached / uncached ratio. Also checks that both paths produced the same tokens.

    .venv/bin/python benchmarks/lm_generation.py [--new-tokens 64] [--repeats 1] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import torch

from medlm.lm.config import TransformerConfig
from medlm.lm.generation import GenerationConfig, Strategy, generate
from medlm.lm.models import CausalLanguageModel, Seq2SeqLanguageModel

DECODER = TransformerConfig(
    vocab_size=8000,
    d_model=256,
    n_heads=4,
    n_layers=4,
    d_ff=1024,
    max_length=512,
    architecture="decoder",
    norm_position="pre",
    layer_norm_eps=1e-5,
)


def build(architecture: str) -> CausalLanguageModel:
    torch.manual_seed(0)
    if architecture == "decoder":
        return CausalLanguageModel(DECODER).eval()
    config = replace(DECODER, architecture="encoder-decoder", n_decoder_layers=4)
    return Seq2SeqLanguageModel(config).eval()


def tokens_per_second(
    model: CausalLanguageModel, prompt: list[int], config: GenerationConfig, repeats: int
) -> tuple[float, list[int]]:
    """Median tokens/s over `repeats` runs (after a short warm-up) and the tokens generated."""
    generate(model, prompt, config.model_copy(update={"max_new_tokens": 4}))
    rates, tokens = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        tokens = generate(model, prompt, config).token_ids
        rates.append(len(tokens) / (time.perf_counter() - start))
    return statistics.median(rates), tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--prompt-tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    prompt = torch.randint(4, DECODER.vocab_size, (args.prompt_tokens,)).tolist()
    print(
        f"d_model {DECODER.d_model}, 4 layers (+4 decoder layers), vocab {DECODER.vocab_size}; "
        f"prompt {args.prompt_tokens} tokens, {args.new_tokens} new tokens, "
        f"{args.threads} threads, median of {args.repeats}"
    )
    header = f"{'model':<16}{'decoding':<10}{'cached tok/s':>14}{'uncached tok/s':>16}"
    print(f"{header}{'ratio':>8}  same tokens")
    for architecture in ("decoder", "encoder-decoder"):
        model = build(architecture)
        runs: tuple[tuple[Strategy, int], ...] = (("greedy", 1), ("beam", 4))
        for strategy, beams in runs:
            rates, outputs = [], []
            for use_cache in (True, False):
                config = GenerationConfig(
                    strategy=strategy,
                    num_beams=beams,
                    max_new_tokens=args.new_tokens,
                    use_cache=use_cache,
                )
                rate, tokens = tokens_per_second(model, prompt, config, args.repeats)
                rates.append(rate)
                outputs.append(tokens)
            label = strategy if beams == 1 else f"beam {beams}"
            print(
                f"{architecture:<16}{label:<10}{rates[0]:>14.1f}{rates[1]:>16.1f}"
                f"{rates[0] / rates[1]:>7.1f}x  {outputs[0] == outputs[1]}"
            )


if __name__ == "__main__":
    main()
