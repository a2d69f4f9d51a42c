"""``pouch exec [-d] [-i] [-t] [-u USER] [-e K=V] [-w DIR] [--privileged] CONTAINER COMMAND [ARG...]``:
run a command in a running container (pouch's cli/exec.go).

As pouch: ``POST /containers/<c>/exec`` (stdout and stderr attached unless ``-d``, stdin with
``-i``), then ``POST /exec/<id>/start`` with ``{"Detach":..,"Tty":..}``: with ``-d`` nothing more
(nothing printed); otherwise the connection is hijacked and its streams copied (stdcopy frames
demultiplexed without ``-t``; the terminal raw and sized with ``-t -i``) until the command's
output ends; then ``GET /exec/<id>/json`` gives the exit code, which becomes ours.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, exit_with
from pouch_cli.errors import CLIError


def exec_body(args: argparse.Namespace) -> dict[str, Any]:
    """ExecCreateConfig for the parsed flags, as pouch's exec fills it (plus ``WorkingDir``)."""
    body: dict[str, Any] = {
        "Cmd": list(args.command),
        "Tty": args.tty,
        "Detach": args.detach,
        "AttachStderr": not args.detach,
        "AttachStdout": not args.detach,
        "AttachStdin": not args.detach and args.interactive,
        "Privileged": args.privileged,
        "User": args.user or "",
        "Env": list(args.env),
    }
    if args.workdir:
        body["WorkingDir"] = args.workdir
    if args.tty and not args.detach:
        from pouch_cli.attach import terminal_size

        size = terminal_size()  # from the start, as run's (Docker's ConsoleSize)
        if size is not None and size != (0, 0):
            body["ConsoleSize"] = list(size)
    return body


HELP = "Run a command in a running container."
EXAMPLE = """Examples:
  $ pouch exec -it 25bf50 ps
  PID   USER     TIME  COMMAND
      1 root      0:00 /bin/sh
     38 root      0:00 ps
  $ pouch exec -e A=1 -w /tmp web sh -c 'echo $A; pwd'"""
PARAMS = (
    Param(("-d", "--detach"), "Run the process in the background."),
    Param(("-t", "--tty"), "Allocate a tty device."),
    Param(("-i", "--interactive"), "Open container's STDIN."),
    Param(("-u", "--user"), "Username or UID (format: <name|uid>[:<group|gid>]).", metavar="USER"),
    Param(("-e", "--env"), "Set environment variables (repeatable).", metavar="KEY=VALUE", repeat=True),
    Param(("-w", "--workdir"), "Working directory inside the container.", metavar="DIR"),
    Param(("--privileged",), "Give extended privileges to the exec process."),
)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("container", metavar="CONTAINER", help="The container: name or ID (prefix).")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND", help="The command and its arguments.")


def run(args: argparse.Namespace) -> None:
    from pouch_cli.attach import check_tty, copy_streams, follow_size, hijack, raw_terminal
    from pouch_client.api.exec_ import container_exec, exec_inspect, exec_resize, exec_start
    from pouch_client.models.exec_create_config import ExecCreateConfig
    from pouch_client.models.exec_start_config import ExecStartConfig

    if not args.command:
        raise CLIError("requires at least 2 arguments: CONTAINER COMMAND [ARG...] (see 'pouch exec --help')")
    opts = client_options(args)
    body = exec_body(args)
    check_tty(body["AttachStdin"], body["Tty"])
    created = call_op(
        opts, "failed to create exec", container_exec.sync_detailed, id=args.container,
        body=ExecCreateConfig.from_dict(body),
    )  # fmt: skip
    exec_id = created.id if created is not None else None
    if not isinstance(exec_id, str) or not exec_id:
        raise CLIError("failed to create exec: the daemon's answer had no ID")
    start = {"Detach": bool(args.detach), "Tty": bool(args.tty)}
    if args.detach:
        call_op(
            opts, "failed to start exec", exec_start.sync_detailed, id=exec_id, body=ExecStartConfig.from_dict(start)
        )
        return
    stdin = bool(body["AttachStdin"])
    with raw_terminal(stdin and args.tty):
        conn = hijack(opts, "failed to start exec", f"/exec/{exec_id}/start", body=json.dumps(start).encode())
        try:
            if args.tty:

                def resize(height: int, width: int) -> None:
                    call_op(
                        opts,
                        "failed to resize exec",
                        exec_resize.sync_detailed,
                        id=exec_id,
                        h=str(height),
                        w=str(width),
                    )

                follow_size(resize)
            detached = copy_streams(conn, stdin=stdin, tty=bool(args.tty))
        finally:
            conn.close()
    if detached:
        return  # the process runs on
    info = call_op(opts, "", exec_inspect.sync_detailed, id=exec_id)
    exit_with(int(info.exit_code) if info is not None else 0)
