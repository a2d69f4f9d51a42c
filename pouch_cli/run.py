"""``pouch run [OPTIONS] IMAGE [ARG...]``: create a container and start it (pouch's cli/run.go).

As pouch: the container is created (its image pulled first when the create says 404, as Docker's
CLI does; pouch's asks ``GET /images/<image>/json`` before); unless ``-d``, the CLI attaches to
it (``POST /containers/<id>/attach``, hijacked) before starting it, so that no output is lost,
copies its streams until they end, reads its exit code (``POST /containers/<id>/wait``; pouch's
reads an inspect), removes it with ``--rm`` (``DELETE ...?force=1``) and exits
with that code (a code of 0 prints nothing more). ``-d`` prints the full ID instead. Options that
contradict ``-d`` are refused after the create, as pouch does. SIGINT and SIGTERM received while a
container without a TTY runs in the foreground are passed on to it.
"""

from __future__ import annotations

import argparse
import sys

from pouch_cli import container_flags
from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, exit_with, with_timeout
from pouch_cli.errors import CLIError

HELP = (
    "Create a container object in Pouchd, and start the container. This is useful when you just "
    "want to use one command to start a container."
)
EXAMPLE = """Examples:
  $ pouch run --name test --net none registry.hub.docker.com/library/busybox:latest echo "hi"
  hi
  $ pouch run -d --name test registry.hub.docker.com/library/busybox:latest
  90719b5f9a455b3314a49e72e3ecb9962f215e0f90153aa8911882acf2ba2c84
  $ echo hi | pouch run -i --rm busybox cat
  hi"""
PARAMS = (
    *container_flags.PARAMS,
    Param(("-a", "--attach"), "Attach container's STDOUT and STDERR."),
    Param(("-d", "--detach"), "Run container in background and print container ID."),
    Param(("--detach-keys",), "Override the key sequence for detaching a container.", metavar="KEYS"),
    Param(("-i", "--interactive"), "Attach container's STDIN."),
    Param(("--rm",), "Automatically remove the container after it exits."),
)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", metavar="IMAGE", help="The image to run.")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="ARG", help="The command and its arguments.")


def run(args: argparse.Namespace) -> None:
    from pouch_cli.attach import attach_and_start, check_tty, parse_keys
    from pouch_client.api.container import container_remove, container_start, container_wait
    from pouch_client.types import UNSET

    opts = client_options(args)
    parse_keys(args.detach_keys)  # a bad sequence is refused before anything is made
    container_id, name = container_flags.create_container(opts, args, "failed to run container", args.interactive)
    if (args.attach or args.interactive) and args.detach:
        raise CLIError("Conflicting options: -a (or -i) and -d")
    if args.rm and args.detach:
        raise CLIError("Conflicting options: --rm and -d")
    check_tty(args.interactive, args.tty)

    def start() -> None:
        call_op(
            opts,
            f"failed to run container {name}",
            container_start.sync_detailed,
            id=container_id,
            detach_keys=args.detach_keys or UNSET,
        )

    if args.detach:
        start()
        print(container_id, flush=True)
        return
    if attach_and_start(opts, container_id, start, stdin=args.interactive, tty=args.tty, detach_keys=args.detach_keys):
        return  # detached: the container runs on (and --rm is left to its exit: nothing removes it)
    # The exit code: the stream ends once the exit is recorded, so the wait answers at once (pouch's
    # CLI reads it from an inspect, a much larger answer).
    waited = call_op(with_timeout(opts, None), "", container_wait.sync_detailed, id=container_id)
    code = int(waited.status_code) if waited is not None else 0
    if args.rm:
        call_op(opts, f"failed to remove container {name}", container_remove.sync_detailed, id=container_id, force=True)
    sys.stdout.flush()
    exit_with(code)
