"""``pouch push IMAGE[:TAG]``: push a local image to its registry (pouch's cli/push.go).

``POST /images/<name>/push?tag=<tag>`` (tag default ``latest``) with ``X-Registry-Auth`` when
``pouch login`` kept credentials for the registry; the progress shows as ``pouch pull``'s does.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from pouch_cli.args import Param
from pouch_cli.client import ClientOptions, client_options
from pouch_cli.errors import CLIError
from pouch_cli.progress import (
    image_path,
    open_stream,
    reference_or_error,
    registry_auth,
    registry_of,
    show_progress,
)

if TYPE_CHECKING:
    import argparse


def push(opts: ClientOptions, image: str, out: TextIO, terminal: bool | None = None) -> None:
    """Push ``image``, writing its progress to ``out`` (see :func:`pouch_cli.pull.pull`)."""
    ref = reference_or_error(image).normalized()
    if not ref.tag:
        raise CLIError("cannot push a digest reference format image")
    auth = registry_auth(opts, registry_of(ref.name))
    headers = {"X-Registry-Auth": auth} if auth else None
    path = image_path(ref.name, "/push")
    with open_stream(opts, "failed to push image", "POST", path, params={"tag": ref.tag}, headers=headers) as r:
        show_progress(r.iter_bytes(), out, out.isatty() if terminal is None else terminal)


HELP = "Push a local image to remote registry."
EXAMPLE = """Example:
  $ pouch tag busybox:latest 127.0.0.1:5000/test/busybox:v2
  $ pouch push 127.0.0.1:5000/test/busybox:v2 | cat
  layer-sha256:56bec22e3559...: uploading
  layer-sha256:56bec22e3559...: done
  ..."""
PARAMS = (Param(("image",), "The image to push: NAME[:TAG] (default tag latest).", metavar="IMAGE", required=True),)


def run(args: argparse.Namespace) -> None:
    push(client_options(args), args.image, sys.stdout)
