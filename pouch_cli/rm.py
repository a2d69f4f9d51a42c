"""``pouch rm [-f] [-v] CONTAINER...``: remove containers (pouch's cli/rm.go).

``DELETE /containers/<c>?force=&v=`` for each; a running container needs ``-f`` (the daemon then
stops it first). Each name removed is printed, the failures reported together after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, for_each, with_timeout

if TYPE_CHECKING:
    import argparse

HELP = (
    "Remove one or more containers in Pouchd. A stopped or created container can be removed; a "
    "running one with -f. All the resources of a removed container are released."
)
EXAMPLE = """Example:
  $ pouch rm foo
  foo
  $ pouch rm -f foo1 foo2
  foo1
  foo2"""
PARAMS = (
    Param(("-f", "--force"), "If the container is running, force to remove it."),
    Param(("-v", "--volumes"), "Remove container's volumes that create by the container."),
)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_remove
    from pouch_client.types import UNSET

    # a forced removal stops the container first, which may take its stop timeout
    opts = with_timeout(client_options(args), 60)
    force = True if args.force else UNSET
    volumes = True if args.volumes else UNSET
    for_each(
        args.containers,
        lambda name: call_op(opts, "", container_remove.sync_detailed, id=name, force=force, v=volumes),
    )
