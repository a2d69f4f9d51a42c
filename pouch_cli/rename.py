"""``pouch rename CONTAINER NEWNAME``: rename a container (pouch's cli/rename.go). Silent on success."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op

if TYPE_CHECKING:
    import argparse

HELP = (
    "Rename a container object in Pouchd. You can change the name of one container identified by "
    "its name or ID. The container you renamed is ready to be used by its new name."
)
EXAMPLE = """Example:
  $ pouch rename foo newName"""
PARAMS = (
    Param(("container",), "The container: name or ID (prefix).", metavar="CONTAINER", required=True),
    Param(("new_name",), "Its new name.", metavar="NEWNAME", required=True),
)


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_rename

    call_op(client_options(args), "", container_rename.sync_detailed, id=args.container, name=args.new_name)
