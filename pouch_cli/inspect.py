"""``pouch inspect [-f TEMPLATE] CONTAINER...``: containers' details (pouch's cli/inspect.go,
cli/inspect/inspector.go).

As ``pouch image inspect`` (:mod:`pouch_cli.image`): without ``-f`` one JSON array indented by 4
spaces, each container's keys in the order Go writes its structs (alphabetical, maps sorted);
with ``-f`` one line of the template per container (``{{.State.Status}}``, ``{{.Name}}``;
``{{.ID}}`` and ``{{.Id}}`` both name the ID). A container that cannot be fetched is an
``Error: Fetch object error: <cause>`` line after the others are printed, and status 1.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op
from pouch_cli.errors import CLIError
from pouch_cli.image import FETCH_ERROR, combine_errors, render

if TYPE_CHECKING:
    import argparse

ALIASES = {"ID": "Id"}
# ContainerJSON's fields the daemon may leave out; a template naming one prints <nil>.
OPTIONAL = frozenset(
    {
        "AppArmorProfile",
        "Args",
        "Config",
        "Driver",
        "ExecIDs",
        "GraphDriver",
        "HostConfig",
        "HostRootPath",
        "HostnamePath",
        "HostsPath",
        "LogPath",
        "MountLabel",
        "Mounts",
        "NetworkSettings",
        "Path",
        "ProcessLabel",
        "ResolvConfPath",
        "RestartCount",
        "SizeRootFs",
        "SizeRw",
        "Snapshotter",
    }
)


def go_sorted(value: Any) -> Any:
    """Objects with their keys in Go's order for structs and maps alike: sorted, all the way down."""
    if isinstance(value, dict):
        return {k: go_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [go_sorted(v) for v in value]
    return value


HELP = "Return detailed information on Pouch container."
EXAMPLE = """Examples:
  $ pouch inspect -f '{{.State.Status}} {{.Name}}' foo
  running foo
  $ pouch inspect foo
  [
      {
          "AppArmorProfile": "",
  ..."""
PARAMS = (Param(("-f", "--format"), "Format the output using the given go template.", metavar="TEMPLATE", dest="fmt"),)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_inspect

    render_one = None
    if args.fmt:
        from pouch_cli.template import checked_format

        render_one = checked_format(args.fmt, ALIASES, OPTIONAL)
    opts = client_options(args)
    objects: list[dict[str, Any]] = []
    errors: list[str] = []
    for name in args.containers:
        try:
            model = call_op(opts, FETCH_ERROR, container_inspect.sync_detailed, id=name)
        except CLIError as e:
            errors.append(str(e))
            continue
        if model is None:
            errors.append(f"{FETCH_ERROR}: the daemon's answer had no body")
            continue
        objects.append(go_sorted(model.to_dict()))
    sys.stdout.write(render(objects, args.fmt, render_one))
    sys.stdout.flush()
    if errors:
        raise CLIError(combine_errors(errors))
