"""`medlm keys`: create the encryption key ring and rotate it (re-encrypting stored values)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
