"""`medlm audit verify` and `medlm audit checkpoint`: check the keyed audit chain, and write a
signed checkpoint of its head."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from medlm.cli import render

if TYPE_CHECKING:
    from medlm.privacy.audit import AuditLog, AuditVerification

app = typer.Typer(help="The audit trail of patient-data access.", no_args_is_help=True)


def _audit_log() -> AuditLog:
    from medlm.privacy.audit import AuditKeys, AuditLog
    from medlm.settings import load_settings
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    settings = load_settings()
    keys = AuditKeys.from_settings(settings.security)
    engine = make_engine(settings)
    upgrade(engine)
    return AuditLog(engine, keys=keys, checkpoint_every=settings.security.audit_checkpoint_every)


def _summary(result: AuditVerification) -> str:
    if result.status == "empty":
        return "audit trail empty: no entries and no checkpoint"
    status = "TAMPERED" if result.status == "tampered" else result.status
    keys = f" under key {', '.join(result.key_ids)}" if result.key_ids else ""
    return (
        f"audit trail {status}: {result.entries} entries ({result.keyed_entries} keyed{keys}), "
        f"{result.checkpoints} checkpoints, head {result.head}"
    )


@app.command("verify")
def verify(
    expected_head: Annotated[
        str | None,
        typer.Option(
            "--head", help="An entry MAC recorded elsewhere earlier; it must still be there."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check the audit trail's entries, checkpoints and head; exit 1 when tampered with.

    Every entry's MAC and link, every checkpoint and the head row are checked; the first bad
    entry is named (edited, inserted or deleted entries, unknown key ids, malformed rows). An
    empty trail is reported as "empty" and exits 0 only when no checkpoint says it held entries.
    """
    result = _audit_log().verify(expected_head=expected_head)
    if as_json:
        render.print_json(result)
    else:
        for problem in result.problems:
            render.error_line(problem)
        if result.more_findings:
            render.error_line(f"... and {result.more_findings} more")
        for note in result.notes:
            typer.echo(f"note: {note}")
        typer.echo(_summary(result))
    if not result.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Write a signed checkpoint of the trail's head now (entry count, last entry and MAC)."""
    audit = _audit_log()
    record = audit.checkpoint()
    if as_json:
        render.print_json(record)
        return
    keyed = f"signed with key {record.key_id}" if record.key_id else "UNKEYED (no key configured)"
    typer.echo(
        f"checkpoint written: {record.entries} entries up to entry {record.last_seq}, "
        f"head {record.last_hash}, {keyed}"
    )
