"""``pouch history [--human[=false]] [-q] [--no-trunc] IMAGE``: an image's layers, newest first
(pouch's cli/history.go).

Columns ``IMAGE  CREATED  CREATED BY  SIZE  COMMENT`` (tabwriter, padding 3): the ID shortened to
12 characters (``<missing>`` stays), ``CREATED`` as pouch's ``FormatTimeInterval`` (``3 weeks
ago``), ``CREATED BY`` with tabs as spaces and cut to 45 characters with ``...``, ``SIZE`` as
``FormatSize``. ``--human=false``: RFC 3339 local times and sizes in bytes. The daemon sends
``Created`` in Unix nanoseconds, as pouch's does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import call, client_options
from pouch_cli.progress import format_size, table
from pouch_common.timeutils import format_interval

if TYPE_CHECKING:
    import argparse

NS = 1_000_000_000


def format_time_interval(created_ns: int, now_ns: int | None = None) -> str:
    """pouch's ``FormatTimeInterval``: ``<n> <unit>[s]`` in the largest unit that fits, ``0 second``
    under a second. (pouch fails on a time in the future; that is shown as ``0 second`` here, so a
    clock set behind the image's creation does not make ``history`` unusable.)"""
    now = time.time_ns() if now_ns is None else now_ns
    return format_interval(max(now - created_ns, 0) // NS)


def rfc3339(created_ns: int) -> str:
    """Go's ``time.Unix(0, ns).Format(time.RFC3339)``: local time, ``Z`` or ``±hh:mm``, no fraction."""
    local = datetime.fromtimestamp(created_ns // NS, tz=UTC).astimezone()
    offset = local.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    if minutes == 0:
        zone = "Z"
    else:
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{local:%Y-%m-%dT%H:%M:%S}{zone}"


def ellipsis(text: str, maxlen: int) -> str:
    """pouch's ``ellipsis``: at most ``maxlen`` characters, the last three ``...`` when cut."""
    if len(text) <= maxlen:
        return text
    if maxlen <= 3:
        return text[:maxlen]
    return text[: maxlen - 3] + "..."


def short_id(image_id: str) -> str:
    """docker's ``stringid.TruncateID``: after the ``algo:`` prefix, 12 characters."""
    if ":" in image_id:
        image_id = image_id.split(":", 1)[1]
    return image_id[:12]


def format_history(
    entries: Sequence[dict[str, Any]],
    *,
    human: bool = True,
    quiet: bool = False,
    no_trunc: bool = False,
    now_ns: int | None = None,
) -> str:
    """What ``pouch history`` prints for the daemon's entries."""
    if quiet:
        return table([str(e.get("ID", "")) if no_trunc else short_id(str(e.get("ID", "")))] for e in entries)
    rows: list[list[str]] = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]]
    for e in entries:
        image_id = str(e.get("ID", ""))
        created_by = str(e.get("CreatedBy", "")).replace("\t", " ")
        if not no_trunc:
            created_by = ellipsis(created_by, 45)
            image_id = short_id(image_id)
        created_ns = int(e.get("Created") or 0)
        size_bytes = int(e.get("Size") or 0)
        if human:
            created = format_time_interval(created_ns, now_ns) + " ago"
            size = format_size(size_bytes)
        else:
            created = rfc3339(created_ns)
            size = str(size_bytes)
        rows.append([image_id, created, created_by, size, str(e.get("Comment", ""))])
    return table(rows)


# Go's strconv.ParseBool, as cobra reads --human=VALUE.
_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


HELP = "Display history information on image: each layer, newest first."
EXAMPLE = """Example:
  $ pouch history busybox:latest
  IMAGE          CREATED      CREATED BY                                      SIZE        COMMENT
  e1ddd7948a1c   1 week ago   /bin/sh -c #(nop)  CMD ["sh"]                   0.00 B
  <missing>      1 week ago   /bin/sh -c #(nop) ADD file:96fda64a6b725d4...   716.06 KB"""
PARAMS = (
    Param(("-q", "--quiet"), "Only show image numeric ID."),
    Param(("--no-trunc",), "Do not truncate output."),
    Param(("image",), "The image: name[:tag], name@digest or ID.", metavar="IMAGE", required=True),
)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    """cobra's bool flag: ``--human``, ``--human=true``, ``--human=false`` (the default is true).

    Each ``--human=VALUE`` is an option string of its own (argparse matches whole option strings
    before splitting at ``=``), so that ``--human IMAGE`` does not take the image as a value.
    """
    import argparse as _argparse

    parser.add_argument(
        "--human",
        action="store_const",
        const=True,
        default=True,
        help="Print information in human readable format (default; --human=false: RFC 3339 times, sizes in bytes).",
    )
    for const, values in ((True, _GO_TRUE), (False, _GO_FALSE)):
        parser.add_argument(
            *(f"--human={v}" for v in values), action="store_const", const=const, dest="human", help=_argparse.SUPPRESS
        )


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.image import image_history

    entries = call(client_options(args), "failed to get image history", image_history.sync_detailed, imageid=args.image)
    data = [e.to_dict() for e in entries or []]
    sys.stdout.write(format_history(data, human=args.human, quiet=args.quiet, no_trunc=args.no_trunc))
