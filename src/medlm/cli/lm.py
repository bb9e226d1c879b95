"""`medlm lm`: the language model commands (`embed`; training commands join this group)."""

from __future__ import annotations

from typing import Annotated

import typer

from medlm.cli.render import print_json, print_table, progress
from medlm.settings import load_settings

app = typer.Typer(help="Embed text with medlm's language model.", no_args_is_help=True)


@app.command()
def embed(
    texts: Annotated[list[str], typer.Argument(help="Texts to embed.")],
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Known model name (minilm) or model folder; default: settings lm.default_model.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print mean-pooled, L2-normalised embeddings of TEXTS."""
    import torch

    from medlm.lm.encoding import TextEncoder

    settings = load_settings().lm
    if settings.num_threads:
        torch.set_num_threads(settings.num_threads)
    name = model or settings.default_model
    encoder = TextEncoder.from_pretrained(name, max_length=settings.max_length)
    with progress("embedding", total=len(texts)) as advance:
        vectors = encoder.embed(texts, batch_size=settings.batch_size, on_batch=advance)
    if as_json:
        print_json({"model": name, "dim": encoder.dim, "embeddings": vectors.tolist()}, indent=None)
        return
    rows = [
        [i, text[:40], " ".join(f"{x:+.3f}" for x in vec[:4]) + " ..."]
        for i, (text, vec) in enumerate(zip(texts, vectors, strict=True))
    ]
    print_table(f"{name}: {encoder.dim}-dimensional embeddings", ["#", "text", "vector"], rows)
