"""``pouch pull IMAGE``: pull an image through pouchd, showing its progress (pouch's cli/pull.go).

The request is pouch's: ``POST /images/create?fromImage=<name>&tag=<tag>`` (a digest reference
goes whole in ``fromImage`` with an empty tag), with ``X-Registry-Auth`` only when ``pouch login``
kept credentials for the registry. The answer is pouch's progress stream, shown as it arrives
(:func:`pouch_cli.progress.show_progress`): ``<id>: <status>`` lines when stdout is not a
terminal, a table redrawn in place when it is. An error in the stream ends the command with
``Error: <message>`` and status 1.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from pouch_cli.args import Param
from pouch_cli.client import ClientOptions, client_options
from pouch_cli.progress import open_stream, reference_or_error, registry_auth, registry_of, show_progress

if TYPE_CHECKING:
    import argparse


def pull_params(image: str) -> dict[str, str]:
    """The query pouch's CLI sends for ``image``: ``busybox`` → fromImage=busybox, tag=latest."""
    ref = reference_or_error(image).normalized()
    if ref.tag:
        return {"fromImage": ref.name, "tag": ref.tag}
    return {"fromImage": str(ref), "tag": ""}


def pull(opts: ClientOptions, image: str, out: TextIO, terminal: bool | None = None) -> None:
    """Pull ``image``, writing its progress to ``out`` (as a terminal table if ``terminal``,
    default: whether ``out`` is one)."""
    params = pull_params(image)
    auth = registry_auth(opts, registry_of(reference_or_error(image).name))
    headers = {"X-Registry-Auth": auth} if auth else None
    with open_stream(opts, "failed to pull image", "POST", "/images/create", params=params, headers=headers) as r:
        show_progress(r.iter_bytes(), out, out.isatty() if terminal is None else terminal)


HELP = (
    "Pull an image from a registry. Most of your images will be created on top of a base image from "
    "the registry; pull one and try it without defining and configuring your own."
)
EXAMPLE = """Example:
  $ pouch pull 127.0.0.1:5000/test/busybox:v1 | cat
  127.0.0.1:5000/test/busybox:v1: resolving
  127.0.0.1:5000/test/busybox:v1: resolved
  manifest-sha256:2bd2...: downloading
  ...
  $ pouch images
  IMAGE ID       IMAGE NAME                       SIZE
  b7a9d4e1c0f3   127.0.0.1:5000/test/busybox:v1   1.00 MB"""
PARAMS = (
    Param(("image",), "The image: NAME[:TAG] or NAME@DIGEST (default tag latest).", metavar="IMAGE", required=True),
)


def run(args: argparse.Namespace) -> None:
    pull(client_options(args), args.image, sys.stdout)
