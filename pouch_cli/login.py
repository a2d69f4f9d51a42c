"""``pouch login``: check registry credentials through pouchd and keep them (pouch's cli/login.go).

The rules for where the password comes from are docker's: ``-p`` (with a warning), or
``--password-stdin`` (which needs ``-u``), or a no-echo prompt on the terminal.
"""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import ClientOptions, call, client_options
from pouch_cli.credentials import CredentialStore
from pouch_cli.errors import Abort, CLIError
from pouch_client.api.registry import registry_login
from pouch_client.api.system import system_info
from pouch_client.models.auth_config import AuthConfig
from pouch_client.types import UNSET, Unset

if TYPE_CHECKING:
    import argparse

PASSWORD_FLAG_WARNING = "WARNING! Using --password via the CLI is insecure. Use --password-stdin."


def default_registry(opts: ClientOptions) -> str:
    """The daemon's DefaultRegistry (GET /info), as pouch's CLI asks for it."""
    info = call(opts, "failed to get the default registry", system_info.sync_detailed)
    registry = UNSET if info is None else info.default_registry
    if isinstance(registry, Unset) or not registry:
        raise CLIError("failed to get the default registry: pouchd did not report one; give a SERVER")
    return registry


def read_password_stdin() -> str:
    """All of stdin, less one trailing newline (docker trims ``\\n`` then ``\\r``)."""
    password = sys.stdin.read()
    return password.removesuffix("\n").removesuffix("\r")


def _require_terminal() -> None:
    if not sys.stdin.isatty():
        raise CLIError("cannot perform an interactive login from a non TTY device")


def prompt_username(default: str) -> str:
    _require_terminal()
    print(f"Username ({default}): " if default else "Username: ", end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        raise Abort()  # end of input: treat as ^D
    username = line.strip() or default
    if not username:
        raise CLIError("username required")
    return username


def prompt_password() -> str:
    _require_terminal()
    try:
        password = getpass.getpass("Password: ")
    except EOFError:
        raise Abort() from None
    if not password:
        raise CLIError("password required")
    return password


HELP = (
    "Log in to a registry (SERVER, default: the daemon's default registry) and keep the credentials in "
    "~/.pouch/config.json."
)
EXAMPLE = (
    "Examples:\n  $ pouch login -u alice registry.example.com:5000\n  Password:\n  Login Succeeded\n"
    "  $ cat token.txt | pouch login -u alice --password-stdin registry.example.com"
)
PARAMS = (
    Param(("server",), "Registry address (host[:port]).", metavar="SERVER"),
    Param(("-u", "--username"), "Username (prompted for when missing).", metavar="TEXT"),
    Param(("-p", "--password"), "Password (insecure: it shows in the process list and shell history).", metavar="TEXT"),
    Param(("--password-stdin",), "Take the password from stdin."),
)


def run(args: argparse.Namespace) -> None:
    opts = client_options(args)
    server, username, password = args.server, args.username, args.password
    if password is not None and args.password_stdin:
        raise CLIError("--password and --password-stdin are mutually exclusive")
    if args.password_stdin:
        if not username:
            raise CLIError("must provide --username with --password-stdin")
        password = read_password_stdin()
        if not password:
            raise CLIError("password required: --password-stdin read an empty password")
    elif password:
        print(PASSWORD_FLAG_WARNING, file=sys.stderr)

    server = server or default_registry(opts)
    store = CredentialStore()
    stored = store.get(server)  # also fails early, before any prompt, on a corrupt file
    username = (username or "").strip() or prompt_username(stored.username if stored else "")
    password = password or prompt_password()

    result = call(
        opts,
        "failed to login",
        registry_login.sync_detailed,
        body=AuthConfig(username=username, password=password, server_address=server),
    )
    if result is None:  # the generated client parses a 200 into AuthResponse, or fails
        raise CLIError("failed to login: the daemon's answer had no body")
    token = result.identity_token if isinstance(result.identity_token, str) else ""
    try:
        store.store(server, username, password, token)
    except OSError as e:
        raise CLIError(f"login succeeded but the credentials could not be saved in {store.path}: {e}") from None
    if not token:
        print(f"WARNING! Your password will be stored unencrypted in {store.path}.", file=sys.stderr)
    print(result.status)
