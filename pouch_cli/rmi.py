"""``pouch rmi [-f] IMAGE...``: remove images by reference or ID (pouch's cli/rmi.go).

Each image removed is printed (as given); the others' failures are collected and reported
together after all were tried, one ``Error: failed to remove images: <cause>`` line each, exit 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import call, client_options
from pouch_cli.errors import CLIError

if TYPE_CHECKING:
    import argparse

ACTION = "failed to remove images"


def remove_all(names: Sequence[str], remove: Callable[[str], None]) -> None:
    """Call ``remove`` for each name, printing those it removed; the failures as one CLIError
    (``remove`` raises CLIError ``failed to remove images: <cause>``)."""
    errors: list[str] = []
    for name in names:
        try:
            remove(name)
        except CLIError as e:
            errors.append(str(e))
            continue
        print(name, flush=True)
    if errors:
        raise CLIError("\n".join(e if i == 0 else f"Error: {e}" for i, e in enumerate(errors)))


HELP = (
    "Remove one or more images by reference. When the image is being used by a container, you must "
    "specify -f to delete it; that is strongly discouraged, the container will be in abnormal status."
)
EXAMPLE = """Example:
  $ pouch rmi registry.hub.docker.com/library/busybox:latest busybox:1.28
  registry.hub.docker.com/library/busybox:latest
  busybox:1.28"""
PARAMS = (Param(("-f", "--force"), "If image is being used, remove image and all associated resources."),)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="Images: name[:tag], name@digest or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.image import image_remove
    from pouch_client.types import UNSET

    opts = client_options(args)

    def remove(name: str) -> None:
        call(opts, ACTION, image_remove.sync_detailed, imageid=name, force=True if args.force else UNSET)

    remove_all(args.images, remove)
    sys.stdout.flush()
