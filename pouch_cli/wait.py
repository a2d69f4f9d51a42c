"""``pouch wait CONTAINER...``: block until containers stop, then print their exit codes (pouch's
cli/wait.go).

``POST /containers/<c>/wait`` for each, in turn (no time limit: it answers when the container
stops); its ``StatusCode`` is printed, one a line; the failures are reported together after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, for_each, with_timeout
from pouch_cli.errors import CLIError

if TYPE_CHECKING:
    import argparse

HELP = (
    "Block until one or more containers stop, then print their exit codes. If container state is "
    "already stopped, the command will return exit code immediately."
)
EXAMPLE = """Example:
  $ pouch stop foo
  foo
  $ pouch wait foo
  0"""
PARAMS = ()


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_wait

    opts = with_timeout(client_options(args), None)

    def wait(name: str) -> str:
        answer = call_op(opts, "", container_wait.sync_detailed, id=name)
        if answer is None:
            raise CLIError("the daemon's answer had no body")
        return str(answer.status_code)

    for_each(args.containers, wait)
