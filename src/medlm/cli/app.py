"""The `medlm` command: one Typer app with one sub-app per command group."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from medlm import __version__
from medlm.cli import (
    audit,
    batch,
    datasets,
    deid,
    demo,
    ingest,
    keys,
    lm,
    monitor,
    risk,
    serve,
    text,
    tokens,
    treat,
    users,
)
from medlm.cli.render import error_line
from medlm.errors import MedlmError


class _MedlmGroup(TyperGroup):
    """Root group: medlm's own errors become one clean line and exit code 2, unless `--debug`.

    Help lists an on/off flag without a value placeholder: Typer's rich help writes `<bool>` after
    every flag (as if `--json` took a value), so the group clears the flags' placeholder in the
    whole command tree once it is built.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _hide_flag_placeholders(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MedlmError as exc:
            if _State.debug:
                raise
            error_line(str(exc))
            raise typer.Exit(2) from exc


def _hide_flag_placeholders(command: TyperCommand | TyperGroup) -> None:
    """Give every flag of `command` and its subcommands (`--help` too) an empty placeholder."""
    help_option = command.get_help_option(typer.Context(command))
    for param in [*command.params, *([help_option] if help_option else [])]:
        if isinstance(param, TyperOption) and param.is_flag:
            param.metavar = ""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            if isinstance(sub, TyperCommand | TyperGroup):
                _hide_flag_placeholders(sub)


class _State:
    debug = False


app = typer.Typer(
    name="medlm",
    cls=_MedlmGroup,
    help="Medical language models for risk, monitoring, treatment and clinical text. "
    "Decision support, not a medical device.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
) -> None:
    _State.debug = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def version() -> None:
    """Print medlm's version."""
    typer.echo(f"medlm {__version__}")


app.add_typer(datasets.app, name="datasets")
app.add_typer(lm.app, name="lm")
app.add_typer(monitor.app, name="monitor")
app.add_typer(risk.app, name="risk")
app.add_typer(treat.app, name="treat")
app.add_typer(text.app, name="text")
app.add_typer(deid.app, name="deid")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(batch.app, name="batch")
app.command(name="ingest")(ingest.ingest)
app.command(name="serve")(serve.serve)
app.command(name="demo")(demo.demo)


def main() -> None:
    """Console-script entry point: unexpected failures are one line too, unless `--debug`."""
    try:
        app()
    except Exception as exc:
        if _State.debug:
            raise
        error_line(f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)")
        sys.exit(1)
