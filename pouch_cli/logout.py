"""``pouch logout``: forget the credentials kept for a registry (pouch's cli/logout.go)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.credentials import CredentialStore, server_key
from pouch_cli.errors import CLIError
from pouch_common.registry import DEFAULT_REGISTRY

if TYPE_CHECKING:
    import argparse


HELP = "Log out from a registry (SERVER, default: the daemon's default registry)."
EXAMPLE = (
    "Example:\n  $ pouch logout registry.example.com:5000\n  Removing login credentials for registry.example.com:5000"
)
PARAMS = (Param(("server",), "Registry address (host[:port]).", metavar="SERVER"),)


def run(args: argparse.Namespace) -> None:
    server = args.server
    if not server:
        from pouch_cli.login import default_registry

        try:
            server = default_registry(client_options(args))
        except CLIError as e:
            # Logging out needs no daemon; without one, fall back as docker does.
            print(f"WARNING: {e}; using {DEFAULT_REGISTRY}", file=sys.stderr)
            server = DEFAULT_REGISTRY
    shown = server_key(server)
    if CredentialStore().erase(server):
        print(f"Removing login credentials for {shown}")
    else:
        print(f"Not logged in to {shown}")
