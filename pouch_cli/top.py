"""``pouch top CONTAINER [ps OPTIONS]``: a container's processes (pouch's cli/top.go).

``GET /containers/<c>/top?ps_args=<options joined by spaces>``; the titles and processes laid out
by Go's tabwriter as pouch's (minimum width 1, padding 4).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pouch_cli.client import client_options
from pouch_cli.container_common import call_op
from pouch_cli.progress import tabwrite


def format_top(titles: Sequence[str], processes: Sequence[Sequence[str]]) -> str:
    lines = ["\t".join(titles)] + ["\t".join(p) for p in processes]
    return tabwrite("".join(line + "\n" for line in lines), 1, 4)


HELP = (
    "top command is to display the running processes of a container. "
    "You can add options just like using Linux ps command."
)
EXAMPLE = """Example:
  $ pouch top 44f675
  UID     PID      PPID     C    STIME    TTY    TIME        CMD
  root    28725    28714    0    3月14     ?      00:00:00    sh"""
PARAMS = ()


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("container", metavar="CONTAINER", help="The container: name or ID (prefix).")
    parser.add_argument("ps_args", nargs=argparse.REMAINDER, metavar="PS_OPTIONS", help="Options for ps (default -ef).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_top
    from pouch_client.types import UNSET

    answer = call_op(
        client_options(args),
        f"failed to execute top command in container {args.container}",
        container_top.sync_detailed,
        id=args.container,
        ps_args=" ".join(args.ps_args) if args.ps_args else UNSET,
    )
    titles = answer.titles if answer is not None and isinstance(answer.titles, list) else []
    processes = answer.processes if answer is not None and isinstance(answer.processes, list) else []
    sys.stdout.write(format_top(titles, processes))
