"""``pouch ps [-a] [-q] [--no-trunc] [-f key=value]``: list containers (pouch's cli/ps.go).

``GET /containers/json[?all=true][&filters=...]``, newest first; a table ``Name  ID  Status
Created  Image  Runtime`` laid out by Go's tabwriter (padding 3): the ID's first 6 characters
(all with ``--no-trunc``), the daemon's Status text, Created as ``<n> <unit>s ago``, the image
as given to create, the runtime. ``-q`` prints the IDs only. ``-f`` takes pouch's keys (``id``,
``label``, ``name``, ``status``) and is sent as pouch's filters, ``{"name":["web"]}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, time_ago
from pouch_cli.errors import CLIError
from pouch_cli.progress import table

if TYPE_CHECKING:
    import argparse

FILTER_KEYS = ("id", "label", "name", "status")
HEADER = ("Name", "ID", "Status", "Created", "Image", "Runtime")


def parse_filters(values: Sequence[str]) -> dict[str, list[str]]:
    """pouch's filters.Parse: ``key=value`` items (cobra's string slice: comma separated too) as
    ``{key: [values]}``; only pouch's keys."""
    parsed: dict[str, list[str]] = {}
    for value in values:
        for item in value.split(","):
            if not item:
                continue
            if "=" not in item:
                raise CLIError("Bad format of filter, expected name=value")
            name, _, val = item.partition("=")
            if name not in FILTER_KEYS:
                raise CLIError(f"Invalid filter {name}, accepted filter key: [{' '.join(FILTER_KEYS)}]")
            parsed.setdefault(name, []).append(val.strip())
    return parsed


def short_id(container_id: str, no_trunc: bool = False) -> str:
    return container_id if no_trunc else container_id[:6]


def newest_first(containers: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(containers, key=lambda c: int(c.get("Created") or 0), reverse=True)


def format_ps(
    containers: Sequence[dict[str, Any]], *, quiet: bool = False, no_trunc: bool = False, now: float | None = None
) -> str:
    """What ``pouch ps`` prints for the daemon's list."""
    ordered = newest_first(containers)
    if quiet:
        return "".join(short_id(str(c.get("Id") or ""), no_trunc) + "\n" for c in ordered)
    rows: list[tuple[str, ...]] = [HEADER]
    for c in ordered:
        names = c.get("Names") or [""]
        host_config = c.get("HostConfig") or {}
        rows.append(
            (
                # pouchd gives Docker's "/web" (the Docker CLI drops the first character); pouch prints "web".
                str(names[0]).removeprefix("/"),
                short_id(str(c.get("Id") or ""), no_trunc),
                str(c.get("Status") or ""),
                time_ago(int(c.get("Created") or 0), now),
                str(c.get("Image") or ""),
                str(host_config.get("Runtime") or ""),
            )
        )
    return table(rows)


HELP = "List Containers with container name, ID, status, creation time, image reference and runtime."
EXAMPLE = """Examples:
  $ pouch ps
  Name   ID       Status          Created          Image                              Runtime
  2      e42c68   Up 15 minutes   16 minutes ago   docker.io/library/busybox:latest   runc
  1      a8c2ea   Up 16 minutes   17 minutes ago   docker.io/library/busybox:latest   runc
  $ pouch ps -a -q
  faf132
  e42c68
  a8c2ea
  $ pouch ps -a -f status=exited -f name=web"""
PARAMS = (
    Param(("-a", "--all"), "Show all containers (default shows just running)."),
    Param(("-q", "--quiet"), "Only show numeric IDs."),
    Param(("--no-trunc",), "Do not truncate output."),
    Param(
        ("-f", "--filter"),
        "Filter output based on given conditions, keys id, label, name, status (repeatable).",
        metavar="KEY=VALUE",
        dest="filters",
        repeat=True,
    ),
)


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_list
    from pouch_client.types import UNSET

    filters = parse_filters(args.filters)
    answer = call_op(
        client_options(args),
        "failed to get container list",
        container_list.sync_detailed,
        all_=True if args.all else UNSET,
        filters=json.dumps(filters, separators=(",", ":")) if filters else UNSET,
    )
    data = [c.to_dict() for c in answer or []]
    sys.stdout.write(format_ps(data, quiet=args.quiet, no_trunc=args.no_trunc))
