"""``pouch restart [-t SECONDS] CONTAINER...``: restart containers (pouch's cli/restart.go).

``POST /containers/<c>/restart?t=<seconds>`` for each (``t`` always sent, default 10); each name
restarted is printed, the failures reported together after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, for_each, parse_int, with_timeout

if TYPE_CHECKING:
    import argparse

HELP = "Restart one or more containers: stop each (waiting the given seconds before killing it), then start it."
EXAMPLE = """Example:
  $ pouch restart foo
  foo"""
PARAMS = (Param(("-t", "--time"), "Seconds to wait for stop before killing the container [10].", metavar="SECONDS"),)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_restart

    timeout = parse_int(args.time, "--time", 10)
    opts = with_timeout(client_options(args), max(timeout, 10) + 30)
    for_each(args.containers, lambda name: call_op(opts, "", container_restart.sync_detailed, id=name, t=timeout))
