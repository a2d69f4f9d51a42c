"""``pouch start [-a] [-i] CONTAINER...``: start created or stopped containers (pouch's cli/start.go).

Without ``-a``/``-i`` each container is started in turn and its name printed; the failures are
reported together after, ``failed to start containers: ...``. With them, one container only: the
CLI attaches (raw terminal when it has a TTY and ``-i``), starts it, copies its streams until they
end and exits with its exit code, as ``run``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, exit_with, for_each
from pouch_cli.errors import CLIError

if TYPE_CHECKING:
    import argparse

HELP = (
    "Start one or more created container objects in Pouchd. When starting, the relevant resource "
    "preserved during creating period comes into use."
)
EXAMPLE = """Example:
  $ pouch start foo1 foo2
  foo1
  foo2
  $ pouch start -a -i foo3"""
PARAMS = (
    Param(("-a", "--attach"), "Attach container's STDOUT and STDERR."),
    Param(("-i", "--interactive"), "Attach container's STDIN."),
    Param(("--detach-keys",), "Override the key sequence for detaching a container.", metavar="KEYS"),
    Param(("--checkpoint",), "Restore container state from the checkpoint.", metavar="ID"),
    Param(("--checkpoint-dir",), "Directory to store checkpoints images.", metavar="DIR"),
)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_inspect, container_start
    from pouch_client.types import UNSET

    opts = client_options(args)
    options = {
        "detach_keys": args.detach_keys or UNSET,
        "checkpoint": args.checkpoint or UNSET,
        "checkpoint_dir": args.checkpoint_dir or UNSET,
    }
    if not (args.attach or args.interactive):

        def start_one(name: str) -> None:
            call_op(opts, "", container_start.sync_detailed, id=name, **options)

        for_each(args.containers, start_one, prefix="failed to start containers: ")
        return

    from pouch_cli.attach import attach_and_start, check_tty

    if len(args.containers) > 1:
        raise CLIError("cannot start and attach multiple containers at once")
    name = args.containers[0]
    info = call_op(opts, "", container_inspect.sync_detailed, id=name)
    config = (info.to_dict().get("Config") if info is not None else None) or {}
    tty = bool(config.get("Tty"))
    check_tty(args.interactive, tty)

    def start() -> None:
        call_op(opts, f"failed to start container {name}", container_start.sync_detailed, id=name, **options)

    if attach_and_start(opts, name, start, stdin=args.interactive, tty=tty, detach_keys=args.detach_keys):
        return  # detached: the container runs on
    info = call_op(opts, "", container_inspect.sync_detailed, id=name)
    state = (info.to_dict().get("State") if info is not None else None) or {}
    exit_with(int(state.get("ExitCode") or 0))
