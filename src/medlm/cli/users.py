"""`medlm users`: create, list and disable the users who may call the service, and set the
password they sign in to the web app with."""

from __future__ import annotations

import sys
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


def read_password(name: str, from_stdin: bool) -> str:
    """A new password: the first line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    answer: str = typer.prompt(
        f"web password for {name}", hide_input=True, confirmation_prompt=True
    )
    return answer


def store_password(name: str, password: str) -> None:
    """Hash and store the web sign-in password of `name`."""
    from medlm.web.accounts import AccountStore

    AccountStore(credential_store().engine).set_password(name, password)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option("--role", help="clinician, researcher or admin.")],
    password: Annotated[
        bool,
        typer.Option("--password", help="Set a web sign-in password (asked for twice, hidden)."),
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the web sign-in password from stdin."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a user with one role (and, with --password or --password-stdin, a web password)."""
    from medlm.errors import InputError
    from medlm.privacy.auth import Role

    if role not in {r.value for r in Role}:
        raise InputError(f"users create: --role {role!r} is not clinician, researcher or admin")
    secret = read_password(name, password_stdin) if (password or password_stdin) else None
    if secret is not None:
        from medlm.web.accounts import check_password_policy

        check_password_policy(secret)
    store = credential_store()
    user = store.create_user(name, Role(role))
    if secret is not None:
        store_password(name, secret)
    if as_json:
        render.print_json(user)
    else:
        suffix = " with a web password" if secret is not None else ""
        typer.echo(f"created user {user.name} ({user.role.value}){suffix}")


@app.command("password")
def set_password(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Set or replace a user's web sign-in password (their open web sessions end)."""
    store_password(name, read_password(name, password_stdin))
    typer.echo(f"web password set for {name}")


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
