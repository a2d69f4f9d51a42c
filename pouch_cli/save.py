"""``pouch save [-o FILE] IMAGE``: write an image as a tar archive (OCI image layout) to FILE or
stdout (pouch's cli/save.go).

``GET /images/save?name=IMAGE``; the archive is copied as it arrives. A regular FILE is written
under a temporary name beside it and renamed when complete, so a failed save leaves no partial
archive (and an existing FILE untouched); other files (``/dev/stdout``, a FIFO) are written in
place. An archive is not written to a terminal.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import ClientOptions, client_options
from pouch_cli.errors import CLIError
from pouch_cli.progress import open_stream

if TYPE_CHECKING:
    import argparse

ACTION = "failed to save image"


def copy(chunks: Iterable[bytes], out: IO[bytes]) -> None:
    for chunk in chunks:
        out.write(chunk)
    out.flush()


def _regular_or_missing(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def save_to_file(chunks: Iterable[bytes], path: str) -> None:
    """Write ``chunks`` to ``path``: through a temporary file and a rename when ``path`` is a
    regular file or does not exist yet; in place otherwise."""
    if not _regular_or_missing(path):
        with open(path, "wb") as out:
            copy(chunks, out)
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            copy(chunks, out)
            os.fsync(out.fileno())
        # mkstemp's file is 0600; give the archive the mode a new file gets (umask applied).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def save(opts: ClientOptions, image: str, output: str | None) -> None:
    """Save ``image`` to ``output`` (None: stdout)."""
    if output is None and sys.stdout.isatty():
        raise CLIError("cowardly refusing to save to a terminal: use the -o flag or redirect")
    with open_stream(opts, ACTION, "GET", "/images/save", params={"name": image}) as r:
        try:
            if output is None:
                copy(r.iter_bytes(), sys.stdout.buffer)
            else:
                save_to_file(r.iter_bytes(), output)
        except OSError as e:
            if isinstance(e, BrokenPipeError):
                raise
            where = output or "stdout"
            raise CLIError(f"{ACTION}: cannot write {where}: {e.strerror or e}") from None


HELP = "Save an image to a tar archive (OCI image layout) or STDOUT."
EXAMPLE = """Examples:
  $ pouch save -o busybox.tar busybox:latest
  $ pouch load -i busybox.tar foo
  $ pouch images
  IMAGE ID       IMAGE NAME                                       SIZE
  8c811b4aec35   registry.hub.docker.com/library/busybox:latest   710.81 KB
  8c811b4aec35   foo:latest                                       710.81 KB"""
PARAMS = (
    Param(("-o", "--output"), "Save to a tar archive file, instead of STDOUT.", metavar="FILE"),
    Param(("image",), "The image: name[:tag], name@digest or ID.", metavar="IMAGE", required=True),
)


def run(args: argparse.Namespace) -> None:
    save(client_options(args), args.image, args.output)
