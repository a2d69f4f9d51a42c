"""``pouch images``: list the images pouchd has (pouch's cli/image_list.go).

One row per ``name:tag`` (an image without tags: one per ``name@digest``, else ``<none>``),
``IMAGE ID`` the ID's first 12 hex digits, ``SIZE`` as pouch's ``FormatSize`` (``1.89 MB``), laid
out by Go's tabwriter as pouch's table display does (padding 3). pouch walks a Go map, so the order
of one image's names changes from run to run; here they are sorted. ``-f`` is sent as pouch's
filters (``{"reference":{"busy*":true}}``); the daemon knows ``reference``, ``since`` and ``before``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import call, client_options
from pouch_cli.errors import CLIError
from pouch_cli.progress import Reference, format_size, parse_reference, table, truncate_id

if TYPE_CHECKING:
    import argparse


def _parse(text: str) -> Reference | None:
    try:
        return parse_reference(text)
    except ValueError:
        return None  # pouch skips what it cannot parse ("ideally, it should be nil")


def display_rows(image: dict[str, Any], no_trunc: bool = False) -> list[tuple[str, str, str, str]]:
    """``(id, name, digest, size)`` rows of one image, as pouch's ``imageInfoToDisplayImages``."""
    name_tags: dict[str, list[str]] = {}
    for repo_tag in image.get("RepoTags") or []:
        ref = _parse(repo_tag)
        if ref is not None and ref.tag and not ref.digest:
            name_tags.setdefault(ref.name, []).append(ref.tag)
    digests: dict[str, str] = {}
    for repo_digest in image.get("RepoDigests") or []:
        ref = _parse(repo_digest)
        if ref is not None and ref.digest:
            digests[ref.name] = ref.digest  # TrimTagForDigest: a tag beside the digest is dropped
    image_id = str(image.get("Id") or "")
    shown_id = image_id if no_trunc else truncate_id(image_id)
    size = format_size(int(image.get("Size") or 0))
    rows = [
        (shown_id, f"{name}:{tag}", digests.get(name, "<none>"), size)
        for name in sorted(name_tags)
        for tag in name_tags[name]
    ]
    if not rows:
        rows = [(shown_id, f"{name}@{digest}", digest, size) for name, digest in sorted(digests.items())]
    if not rows:
        rows = [(shown_id, "<none>", "<none>", size)]
    return rows


def format_images(
    images: Sequence[dict[str, Any]], *, quiet: bool = False, digest: bool = False, no_trunc: bool = False
) -> str:
    """What ``pouch images`` prints for the daemon's list."""
    if quiet:
        return "".join(
            (str(i.get("Id") or "") if no_trunc else truncate_id(str(i.get("Id") or ""))) + "\n" for i in images
        )
    header = ("IMAGE ID", "IMAGE NAME", "DIGEST", "SIZE") if digest else ("IMAGE ID", "IMAGE NAME", "SIZE")
    rows: list[tuple[str, ...]] = [header]
    for image in images:
        for image_id, name, dig, size in display_rows(image, no_trunc):
            rows.append((image_id, name, dig, size) if digest else (image_id, name, size))
    return table(rows)


def filters_param(values: Sequence[str]) -> str | None:
    """``-f`` values (each may hold several, comma separated, as cobra's string slices) as pouch's
    filters JSON, ``{"key":{"value":true}}``; None when there are none."""
    fields: dict[str, dict[str, bool]] = {}
    for value in values:
        for arg in value.split(","):
            if not arg:
                continue
            if "=" not in arg:
                raise CLIError(f"bad format of filter {arg!r} (expected name=value)")
            name, val = arg.split("=", 1)
            fields.setdefault(name.strip().lower(), {})[val.strip()] = True
    if not fields:
        return None
    return json.dumps(fields, separators=(",", ":"), sort_keys=True)


HELP = "List all images in pouchd: a look at the local images with their name and size, in a table."
EXAMPLE = """Examples:
  $ pouch images
  IMAGE ID       IMAGE NAME                                       SIZE
  bbc3a0323522   registry.hub.docker.com/library/busybox:latest   703.14 KB
  $ pouch images --digest -f reference='*busybox*'
  $ pouch images -q --no-trunc"""
PARAMS = (
    Param(("-q", "--quiet"), "Only show image numeric ID."),
    Param(("--digest",), "Show images with digest."),
    Param(("--no-trunc",), "Do not truncate output."),
    Param(
        ("-f", "--filter"),
        "Filter output based on conditions provided: reference=PATTERN, since=IMAGE, before=IMAGE (repeatable).",
        metavar="KEY=VALUE",
        dest="filters",
        repeat=True,
    ),
)


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.image import image_list
    from pouch_client.types import UNSET

    filters = filters_param(args.filters)
    images = call(
        client_options(args),
        "failed to get image list",
        image_list.sync_detailed,
        filters=UNSET if filters is None else filters,
    )
    data = [i.to_dict() for i in images or []]
    sys.stdout.write(format_images(data, quiet=args.quiet, digest=args.digest, no_trunc=args.no_trunc))
