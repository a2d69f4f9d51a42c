"""``pouch create [OPTIONS] IMAGE [ARG...]``: create a container without starting it (pouch's
cli/create.go).

The image is pulled first when missing (as ``run``); the full ID is printed, after a ``WARNING:``
line when the daemon had warnings.
"""

from __future__ import annotations

import argparse

from pouch_cli import container_flags
from pouch_cli.args import Param
from pouch_cli.client import client_options

HELP = (
    "Create a static container object in Pouchd. When creating, all configuration user input will be "
    "stored in memory store of Pouchd. The container you created is ready to start when you need it."
)
EXAMPLE = """Example:
  $ pouch create --name foo busybox:latest
  e1d541722d68dc5d133cca9e7bd8fd9338603e1763096c8e853522b60d11f7b9"""
PARAMS = (
    *container_flags.PARAMS,
    Param(("-i", "--interactive"), "Open STDIN even if not attached."),
)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", metavar="IMAGE", help="The image of the container.")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="ARG", help="The command and its arguments.")


def run(args: argparse.Namespace) -> None:
    container_id, _ = container_flags.create_container(
        client_options(args), args, "failed to create container", args.interactive
    )
    print(container_id, flush=True)
