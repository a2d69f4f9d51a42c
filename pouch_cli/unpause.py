"""``pouch unpause CONTAINER...``: unpause containers (pouch's cli/unpause.go).

``POST /containers/<c>/unpause`` for each; each name is printed, the failures reported together after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, for_each

if TYPE_CHECKING:
    import argparse

HELP = "Unpause one or more paused containers in Pouchd: their processes go on."
EXAMPLE = """Example:
  $ pouch unpause foo1 foo2
  foo1
  foo2"""
PARAMS = ()


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_unpause

    opts = client_options(args)
    for_each(args.containers, lambda name: call_op(opts, "", container_unpause.sync_detailed, id=name))
