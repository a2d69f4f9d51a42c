"""``pouch version``: the daemon's version facts (pouch's cli/version.go)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import client_options, show
from pouch_cli.formatting import key_value_table
from pouch_client.api.system import system_version

if TYPE_CHECKING:
    import argparse

# (label printed, wire field); pouch prints a Go map in random order, we keep one order.
FIELDS = (
    ("GoVersion", "GoVersion"),
    ("KernelVersion", "KernelVersion"),
    ("Os", "Os"),
    ("Version", "Version"),
    ("APIVersion", "ApiVersion"),
    ("Arch", "Arch"),
    ("BuildTime", "BuildTime"),
    ("GitCommit", "GitCommit"),
)

# Go field names of pouch's types.SystemVersion where they differ from the wire names.
ALIASES = {"APIVersion": "ApiVersion"}


def format_version(data: dict[str, object]) -> str:
    return key_value_table([(label, str(data.get(wire, "") or "")) for label, wire in FIELDS])


HELP = "Print the version of pouchd."
EXAMPLE = "Example:\n  $ pouch version\n  GoVersion:       cpython3.11.7\n  KernelVersion:   6.1.0-18-amd64\n  ..."
PARAMS = (
    Param(
        ("-f", "--format"),
        "Print with a Go template (e.g. '{{.Version}}'), or 'json' for the whole object.",
        metavar="TEMPLATE",
        dest="fmt",
    ),
)


def run(args: argparse.Namespace) -> None:
    show(
        client_options(args),
        "failed to get system version",
        system_version.sync_detailed,
        args.fmt,
        format_version,
        aliases=ALIASES,
    )
