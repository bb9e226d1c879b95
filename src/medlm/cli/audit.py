"""`medlm audit verify`: check the audit trail's hash chain."""

from __future__ import annotations

from typing import Annotated

import typer

from medlm.cli import render

app = typer.Typer(help="The audit trail of patient-data access.", no_args_is_help=True)


@app.command("verify")
def verify(
    expected_head: Annotated[
        str | None, typer.Option("--head", help="Last hash recorded elsewhere; detects a cut tail.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recompute the chain; exit 1 when an entry was edited, inserted or deleted."""
    from medlm.privacy.audit import AuditLog
    from medlm.settings import load_settings
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    engine = make_engine(load_settings())
    upgrade(engine)
    result = AuditLog(engine).verify()
    if expected_head is not None and expected_head != result.head:
        result.problems.append("the chain does not end at the expected head (entries removed?)")
        result.ok = False
    if as_json:
        render.print_json(result)
    else:
        for problem in result.problems:
            render.error_line(problem)
        status = "intact" if result.ok else "TAMPERED"
        typer.echo(f"audit trail {status}: {result.entries} entries, head {result.head}")
    if not result.ok:
        raise typer.Exit(1)
