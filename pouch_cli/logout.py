"""``pouch logout``: forget the credentials kept for a registry (pouch's cli/logout.go)."""

from __future__ import annotations

import click

from pouch_cli.client import ClientOptions
from pouch_cli.credentials import CredentialStore, server_key
from pouch_cli.errors import CLIError

FALLBACK_REGISTRY = "registry.hub.docker.com"


@click.command(epilog="\b\nExample:\n  $ pouch logout registry.example.com:5000\n"
                      "  Removing login credentials for registry.example.com:5000")
@click.argument("server", required=False)
@click.pass_obj
def logout(opts: ClientOptions, server: str | None) -> None:
    """Log out from a registry (SERVER, default: the daemon's default registry)."""
    if not server:
        from pouch_cli.login import default_registry

        try:
            server = default_registry(opts)
        except CLIError as e:
            # Logging out needs no daemon; without one, fall back as docker does.
            click.echo(f"WARNING: {e}; using {FALLBACK_REGISTRY}", err=True)
            server = FALLBACK_REGISTRY
    shown = server_key(server)
    if CredentialStore().erase(server):
        click.echo(f"Removing login credentials for {shown}")
    else:
        click.echo(f"Not logged in to {shown}")
