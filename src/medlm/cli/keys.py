"""`medlm keys`: create the encryption key ring, rotate it (re-encrypting stored values), show
which keys the stored values use, and retire keys no value and no audit entry uses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from medlm.cli import render

app = typer.Typer(help="Encryption keys for data at rest.", no_args_is_help=True)


@app.command("generate")
def generate(
    path: Annotated[Path, typer.Argument(help="Key file to create (JSON, mode 600).")],
) -> None:
    """Create a new key ring with one AES-256 key."""
    from medlm.errors import InputError
    from medlm.privacy.encryption import KeyRing

    if path.exists():
        raise InputError(f"keys generate: {str(path)!r} exists; refusing to overwrite a key file")
    ring = KeyRing.generate()
    ring.save(path)
    typer.echo(f"wrote key ring {path} (active key {ring.active}); keep it out of the database")


@app.command("rotate")
def rotate(
    column: Annotated[
        list[str] | None, typer.Option("--column", help="Extra table.column to re-encrypt.")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Add no key: finish an interrupted rotation under the current active key.",
        ),
    ] = False,
) -> None:
    """Add a new active key to the configured key file and re-encrypt every encrypted column.

    The key file is written (atomically) before any value is re-encrypted, so an interrupted
    rotation leaves every value under a key the file holds; `--resume` then finishes it.
    """
    import sqlalchemy as sa

    from medlm.errors import ConfigError
    from medlm.privacy.encryption import ENCRYPTED_COLUMNS, KeyRing, reencrypt_column
    from medlm.settings import load_settings
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    settings = load_settings()
    key_file = settings.security.encryption_key_file
    if key_file is None:
        raise ConfigError("keys rotate needs security.encryption_key_file (a key ring file)")
    ring = KeyRing.load(key_file)
    engine = make_engine(settings)
    upgrade(engine)  # the encrypted columns exist (and old plaintext rows are sealed) first
    if not resume:
        ring = ring.with_new_active()
        ring.save(key_file)  # before re-encrypting: no stored value may outlive its key
    metadata = sa.MetaData()
    total = 0
    for name in (*ENCRYPTED_COLUMNS, *(column or [])):
        table_name, _, column_name = name.partition(".")
        table = sa.Table(table_name, metadata, autoload_with=engine)
        total += reencrypt_column(engine, ring, table, column_name)
    typer.echo(f"active key is now {ring.active}; re-encrypted {total} values")


@app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Count the stored values of every encrypted column by key id; exit 1 when some value is
    under a key the configured ring lacks (it cannot be read)."""
    import sqlalchemy as sa

    from medlm.privacy.encryption import ENCRYPTED_COLUMNS, KeyRing, key_usage
    from medlm.settings import load_settings
    from medlm.storage.engine import make_engine

    settings = load_settings()
    ring = KeyRing.from_settings(settings.security)
    engine = make_engine(settings)
    inspector = sa.inspect(engine)
    metadata = sa.MetaData()
    usage = []
    for name in ENCRYPTED_COLUMNS:
        table_name, _, column_name = name.partition(".")
        if inspector.has_table(table_name):
            table = sa.Table(table_name, metadata, autoload_with=engine)
            usage.append(key_usage(engine, table, column_name))
    missing = sorted({k for u in usage for k in u.by_key} - set(ring.keys))
    if as_json:
        render.print_json(
            {"active": ring.active, "keys": sorted(ring.keys), "columns": usage, "missing": missing}
        )
    else:
        rows = [[u.column, k, n] for u in usage for k, n in u.by_key.items()]
        rows += [[u.column, "(not encrypted)", u.plaintext] for u in usage if u.plaintext]
        render.print_table(f"active key {ring.active}", ["column", "key", "values"], rows)
        for key_id in missing:
            render.error_line(f"values under key {key_id!r}, which the key ring lacks")
    if missing:
        raise typer.Exit(1)


@app.command("retire")
def retire(key_id: Annotated[str, typer.Argument(help="Id of the key to remove.")]) -> None:
    """Remove a key from the key file once no stored value is under it (after a rotation) and
    no audit entry is signed under it (the audit trail is verified with the key it names)."""
    import sqlalchemy as sa

    from medlm.errors import ConfigError, InputError
    from medlm.privacy.audit import audit_key_usage
    from medlm.privacy.encryption import ENCRYPTED_COLUMNS, KeyRing, key_usage
    from medlm.settings import load_settings
    from medlm.storage.engine import make_engine

    settings = load_settings()
    key_file = settings.security.encryption_key_file
    if key_file is None:
        raise ConfigError("keys retire needs security.encryption_key_file (a key ring file)")
    ring = KeyRing.load(key_file).without(key_id)
    engine = make_engine(settings)
    inspector = sa.inspect(engine)
    metadata = sa.MetaData()
    for name in ENCRYPTED_COLUMNS:
        table_name, _, column_name = name.partition(".")
        if not inspector.has_table(table_name):
            continue
        table = sa.Table(table_name, metadata, autoload_with=engine)
        in_use = key_usage(engine, table, column_name).by_key.get(key_id, 0)
        if in_use:
            raise InputError(
                f"keys retire: {in_use} values of {name} are still under key {key_id!r}; "
                "run medlm keys rotate (or --resume) first"
            )
    signed = audit_key_usage(engine).get(key_id, 0)
    if signed:
        raise InputError(
            f"keys retire: {signed} audit entries and checkpoints are signed under key "
            f"{key_id!r}; the audit trail could not be verified without it"
        )
    ring.save(key_file)
    typer.echo(f"retired key {key_id}; the ring keeps {len(ring.keys)} keys")
