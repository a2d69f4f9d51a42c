"""``pouch load [-i FILE] [NAME]``: load images from a tar archive (OCI image layout or a Docker
archive) read from FILE or stdin (pouch's cli/load.go, client/image_load.go).

``POST /images/load?name=NAME`` with ``Content-Type: application/x-tar`` and the archive as the
body, sent as it is read. Silent on success, as pouch. Without NAME pouchd names tag-only
images ``import-<date>:<tag>``; with it, ``NAME:<tag>``.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import ClientOptions, client_options
from pouch_cli.errors import CLIError
from pouch_cli.progress import open_stream

if TYPE_CHECKING:
    import argparse

ACTION = "failed to load images"


def load(opts: ClientOptions, archive: IO[bytes], name: str | None) -> None:
    """Send ``archive`` to pouchd; CLIError ``failed to load images: <cause>``."""
    params = {"name": name} if name else None
    headers = {"Content-Type": "application/x-tar"}
    # A regular file goes with its length; anything else (a pipe, whose size httpx would take to
    # be 0) as chunks of unknown length, read and sent one at a time.
    content: IO[bytes] | Iterator[bytes] = archive if _regular(archive) else iter(lambda: archive.read(CHUNK), b"")
    with open_stream(opts, ACTION, "POST", "/images/load", params=params, headers=headers, content=content) as r:
        r.read()


#: How much of an archive from a pipe is read and sent at a time.
CHUNK = 1 << 20


def _regular(f: IO[bytes]) -> bool:
    try:
        return stat.S_ISREG(os.fstat(f.fileno()).st_mode)
    except (OSError, ValueError):
        return False


HELP = (
    "Load a set of images from a tar archive or STDIN. For a Docker archive there is no need to give "
    "the image name: pouchd reads the names from the archive."
)
EXAMPLE = """Examples:
  $ pouch load -i busybox.tar busybox
  $ pouch save busybox:latest | pouch -H unix:///other/pouchd.sock load"""
PARAMS = (
    Param(("-i", "--input"), "Read from tar archive file, instead of STDIN.", metavar="FILE"),
    Param(("name",), "Name the archive's tag-only images NAME:<tag> (no tag or digest in NAME).", metavar="IMAGE_NAME"),
)


def run(args: argparse.Namespace) -> None:
    opts = client_options(args)
    if args.input:
        try:
            archive = open(args.input, "rb")  # closed below, after the upload
        except OSError as e:
            raise CLIError(f"{ACTION}: cannot open {args.input}: {e.strerror or e}") from None
        with archive:
            load(opts, archive, args.name)
        return
    if sys.stdin.isatty():
        raise CLIError("requested load from stdin, but stdin is a terminal: give -i FILE or pipe an archive in")
    load(opts, sys.stdin.buffer, args.name)
