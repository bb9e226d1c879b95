"""`medlm users`: create, list and disable the users who may call the service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from medlm.cli import render

if TYPE_CHECKING:
    from medlm.privacy.credentials import CredentialStore

app = typer.Typer(help="Service users and their roles.", no_args_is_help=True)


def credential_store() -> CredentialStore:
    """The credential store on the configured database (migrated on first use)."""
    from medlm.privacy.credentials import CredentialStore
    from medlm.settings import load_settings
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    engine = make_engine(load_settings())
    upgrade(engine)
    return CredentialStore(engine)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option("--role", help="clinician, researcher or admin.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a user with one role."""
    from medlm.errors import InputError
    from medlm.privacy.auth import Role

    if role not in {r.value for r in Role}:
        raise InputError(f"users create: --role {role!r} is not clinician, researcher or admin")
    store = credential_store()
    user = store.create_user(name, Role(role))
    if as_json:
        render.print_json(user)
    else:
        typer.echo(f"created user {user.name} ({user.role.value})")


@app.command("list")
def list_users(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users."""
    store = credential_store()
    users = store.list_users()
    if as_json:
        render.print_json(users)
        return
    rows = [[u.name, u.role.value, u.created_at, "disabled" if u.disabled else ""] for u in users]
    render.print_table("users", ["name", "role", "created", "status"], rows)


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable a user and revoke all of their API keys."""
    store = credential_store()
    store.disable_user(name)
    typer.echo(f"disabled user {name}; their API keys are revoked")
