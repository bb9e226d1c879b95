"""`medlm tokens`: issue and revoke API keys and signed JWTs."""

from __future__ import annotations

from typing import Annotated

import typer

from medlm.cli import render
from medlm.cli.users import credential_store

app = typer.Typer(help="API keys and bearer tokens.", no_args_is_help=True)


@app.command("create")
def create(
    user: Annotated[str, typer.Argument(help="User the credential belongs to.")],
    kind: Annotated[str, typer.Option("--kind", help="api-key or jwt.")] = "api-key",
    ttl_minutes: Annotated[int | None, typer.Option("--ttl-minutes", min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Issue a credential; it is shown once and never stored in clear."""
    from medlm.errors import InputError
    from medlm.privacy.auth import issue_token
    from medlm.settings import load_settings

    store = credential_store()
    if kind == "api-key":
        token, credential_id = store.create_api_key(user)
    elif kind == "jwt":
        known = {u.name: u for u in store.list_users()}
        if user not in known or known[user].disabled:
            raise InputError(f"tokens create: user {user!r} does not exist or is disabled")
        token, credential_id = issue_token(
            load_settings().security, user, known[user].role, ttl_minutes
        )
    else:
        raise InputError(f"tokens create: --kind {kind!r} is not api-key or jwt")
    if as_json:
        render.print_json({"user": user, "kind": kind, "id": credential_id, "token": token})
    else:
        typer.echo(token)
        render.stderr().print(f"{kind} id {credential_id} for {user}; store it now", markup=False)


@app.command("revoke")
def revoke(
    credential_id: Annotated[str, typer.Argument(help="API key id, or a JWT's jti.")],
    kind: Annotated[str, typer.Option("--kind", help="api-key or jwt.")] = "api-key",
) -> None:
    """Revoke an API key (by key id) or a JWT (by jti) before it expires."""
    from medlm.errors import InputError

    store = credential_store()
    if kind == "api-key":
        store.revoke_api_key(credential_id)
    elif kind == "jwt":
        store.revoke_token(credential_id)
    else:
        raise InputError(f"tokens revoke: --kind {kind!r} is not api-key or jwt")
    typer.echo(f"revoked {kind} {credential_id}")
