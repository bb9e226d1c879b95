"""`medlm demo`: the main jobs, end to end on the packaged real data, with a summary."""

from __future__ import annotations

import importlib
import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from medlm import DISCLAIMER
from medlm.cli.render import stdout

# Each step is a library function `run_demo(out_dir) -> list[str]` owned by its application.
STEPS: tuple[tuple[str, str], ...] = (
    ("Records and real datasets", "medlm.datasets.demo"),
    ("Disease risk prediction", "medlm.risk.demo"),
    ("Health monitoring", "medlm.monitor.demo"),
    ("Personalized treatment", "medlm.treatment.demo"),
    ("Medical text analysis", "medlm.text.demo"),
    ("Medical adaptation of the language model", "medlm.training.demo"),
)


def _step(module: str) -> Callable[[Path], list[str]]:
    run: Callable[[Path], list[str]] = importlib.import_module(module).run_demo
    return run


def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's outputs.")] = Path("demo-output"),
) -> None:
    """Run each application on the packaged real data and print where the outputs are, and
    the command that opens the web app on the demo data (nothing long-running starts here)."""
    console = stdout()
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]medlm demo[/bold]: outputs in {out.resolve()}")
    console.print(f"[dim]{DISCLAIMER}[/dim]")
    for title, module in STEPS:
        started = time.perf_counter()
        with console.status(f"{title} ..."):
            lines = _step(module)(out)
        console.print(f"\n[bold]{title}[/bold] ({time.perf_counter() - started:.1f} s)")
        for line in lines:
            console.print(f"  {line}", highlight=False)
    console.print(f"\nAll outputs are in {out.resolve()}")
    console.print(f"Open the web app on the demo data: {serve_command(out)}", highlight=False)


def serve_command(out: Path) -> str:
    """The one command that opens the web app on the demo data kept beside `out`'s outputs."""
    from medlm.cli.serve import DEMO_DATA_DIR

    default_out = DEMO_DATA_DIR.parent
    if out == default_out:
        return "medlm serve --demo"
    return f"medlm serve --demo --data-dir {shlex.quote(str(out / DEMO_DATA_DIR.name))}"
