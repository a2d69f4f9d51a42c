"""``pouch tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]``: add a name to an image (pouch's cli/tag.go,
client/image_tag.go).

Both names are checked as pouch's client checks them (a target with a digest is refused); the
request is ``POST /images/<source>/tag?repo=<target name>&tag=<target tag>``. Silent on success.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import call, client_options
from pouch_cli.errors import CLIError
from pouch_cli.progress import parse_reference

if TYPE_CHECKING:
    import argparse


def tag_params(source: str, target: str) -> dict[str, str]:
    """``repo`` and ``tag`` (when the target has one) for tagging ``source`` as ``target``."""
    try:
        parse_reference(source)
    except ValueError:
        raise CLIError(f"the image reference ({source}) is not valid reference") from None
    try:
        ref = parse_reference(target)
    except ValueError:
        raise CLIError(f"the tag reference ({target}) is not valid reference") from None
    if ref.digest:
        raise CLIError("refusing to create a tag with a digest reference")
    params = {"repo": ref.name}
    if ref.tag:
        params["tag"] = ref.tag
    return params


HELP = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE: add a tag reference for an existing image."
EXAMPLE = "Example:\n  $ pouch tag registry.hub.docker.com/library/busybox:1.28 busybox:latest"
PARAMS = (
    Param(("source",), "The image to tag: name[:tag], name@digest or ID.", metavar="SOURCE_IMAGE[:TAG]", required=True),
    Param(("target",), "The new name: name[:tag] (no digest).", metavar="TARGET_IMAGE[:TAG]", required=True),
)


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.image import image_tag
    from pouch_client.types import UNSET

    params = tag_params(args.source, args.target)
    call(
        client_options(args),
        "failed to tag image",
        image_tag.sync_detailed,
        imageid=args.source,
        repo=params["repo"],
        tag=params.get("tag", UNSET),
    )
