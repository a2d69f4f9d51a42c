"""``pouch kill [-s SIGNAL] CONTAINER...``: send a signal to containers' processes.

pouch v1.24 has no kill command nor endpoint; this one is Docker's (``POST /containers/<c>/kill
?signal=``, default ``KILL``), printed as pouch's stop: each name signalled, the failures after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, for_each

if TYPE_CHECKING:
    import argparse

HELP = "Kill one or more running containers: send them a signal (SIGKILL unless -s says another)."
EXAMPLE = """Example:
  $ pouch kill -s TERM foo
  foo"""
PARAMS = (Param(("-s", "--signal"), "Signal to send to the container: a name or a number [KILL].", metavar="SIGNAL"),)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_kill

    opts = client_options(args)
    sig = args.signal or "KILL"
    for_each(args.containers, lambda name: call_op(opts, "", container_kill.sync_detailed, id=name, signal=sig))
