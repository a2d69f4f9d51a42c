"""``pouch stop [-t SECONDS] CONTAINER...``: stop running containers (pouch's cli/stop.go).

``POST /containers/<c>/stop?t=<seconds>`` for each (pouch's client always sends ``t``, default
10); each name stopped is printed, the failures reported together after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, for_each, parse_int, with_timeout

if TYPE_CHECKING:
    import argparse

HELP = (
    "Stop one or more running containers in Pouchd, waiting the given number of seconds before "
    "forcefully killing the container."
)
EXAMPLE = """Example:
  $ pouch stop foo
  foo"""
PARAMS = (Param(("-t", "--time"), "Seconds to wait for stop before killing it [10].", metavar="SECONDS"),)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_stop

    timeout = parse_int(args.time, "--time", 10)
    # the daemon answers once the container stopped: up to `t` seconds, more than a request's usual wait
    opts = with_timeout(client_options(args), max(timeout, 10) + 30)
    for_each(args.containers, lambda name: call_op(opts, "", container_stop.sync_detailed, id=name, t=timeout))
