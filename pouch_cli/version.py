"""``pouch version``: the daemon's version facts (pouch's cli/version.go)."""

from __future__ import annotations

import click

from pouch_cli.client import ClientOptions
from pouch_cli.formatting import key_value_table, show
from pouch_client.api.system import system_version

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
ALIASES = {"APIVersion": "ApiVersion", "MinAPIVersion": "MinAPIVersion"}


def format_version(data: dict[str, object]) -> str:
    return key_value_table([(label, str(data.get(wire, "") or "")) for label, wire in FIELDS])


EXAMPLE = "\b\nExample:\n  $ pouch version\n  GoVersion:       cpython3.11.7\n  KernelVersion:   6.1.0-18-amd64\n  ..."


@click.command(epilog=EXAMPLE)
@click.option("-f", "--format", "fmt", metavar="TEMPLATE",
              help="Print with a Go template (e.g. '{{.Version}}'), or 'json' for the whole object.")
@click.pass_obj
def version(opts: ClientOptions, fmt: str | None) -> None:
    """Print the version of pouchd."""
    show(opts, "failed to get system version", system_version.sync_detailed, fmt, format_version, aliases=ALIASES)
