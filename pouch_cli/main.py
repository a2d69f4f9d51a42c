"""The ``pouch`` command: global flags and a lazily loaded set of subcommands.

Subcommands live one per module (as pouch's cli/version.go, cli/info.go); a module is imported
only when its command runs, so ``pouch version`` does not pay for ``pouch login``. Each command
module declares ``HELP`` (its description), ``EXAMPLE``, ``PARAMS`` (:class:`pouch_cli.args.Param`)
and ``run(args)``; a module may also declare ``extend_parser(parser)`` to add what a Param cannot
say (``IMAGE...``, an option whose value is optional, as ``--human[=false]``). Global options come
before the command and, as with pouch's Go CLI (cobra's persistent flags), may also follow it;
the command's own come after it.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Protocol, cast

from pouch_cli import __version__
from pouch_cli.args import Param, make_parser
from pouch_cli.errors import Abort, CLIError
from pouch_common.speedups import skip_httpx_cli
from pouch_common.version import API_VERSION

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

# command name -> (module, one-line summary for `pouch --help`, kept here so that listing the
# commands imports none of them)
COMMANDS: dict[str, tuple[str, str]] = {
    "completion": ("pouch_cli.completion", "Print the shell completion script for SHELL."),
    "create": ("pouch_cli.create", "Create a new container with specified image."),
    "events": ("pouch_cli.events", "Get real time events from the daemon."),
    "exec": ("pouch_cli.exec", "Run a command in a running container."),
    "history": ("pouch_cli.history", "Display history information on image."),
    "image": ("pouch_cli.image", "Manage image: pouch image inspect."),
    "images": ("pouch_cli.images", "List all images."),
    "info": ("pouch_cli.info", "Display system-wide information: host facts and the daemon's configuration."),
    "inspect": ("pouch_cli.inspect", "Get the detailed information of container."),
    "kill": ("pouch_cli.kill", "Kill one or more running containers."),
    "load": ("pouch_cli.load", "Load a set of images from a tar archive or STDIN."),
    "login": ("pouch_cli.login", "Log in to a registry and keep the credentials."),
    "logout": ("pouch_cli.logout", "Log out from a registry."),
    "logs": ("pouch_cli.logs", "Print a container's logs."),
    "pause": ("pouch_cli.pause", "Pause one or more running containers."),
    "ps": ("pouch_cli.ps", "List containers."),
    "pull": ("pouch_cli.pull", "Pull an image from registry."),
    "push": ("pouch_cli.push", "Push an image to registry."),
    "rename": ("pouch_cli.rename", "Rename a container with newName."),
    "restart": ("pouch_cli.restart", "Restart one or more containers."),
    "rm": ("pouch_cli.rm", "Remove one or more containers."),
    "rmi": ("pouch_cli.rmi", "Remove one or more images by reference."),
    "run": ("pouch_cli.run", "Create a new container and start it."),
    "save": ("pouch_cli.save", "Save an image to a tar archive or STDOUT."),
    "search": ("pouch_cli.search", "Search the images from specific registry."),
    "start": ("pouch_cli.start", "Start one or more created or stopped containers."),
    "stats": ("pouch_cli.stats", "Display a live stream of container(s) resource usage statistics."),
    "stop": ("pouch_cli.stop", "Stop one or more running containers."),
    "tag": ("pouch_cli.tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE."),
    "top": ("pouch_cli.top", "Display the running processes of a container."),
    "unpause": ("pouch_cli.unpause", "Unpause one or more paused containers."),
    "update": ("pouch_cli.update", "Update the configurations of a container."),
    "updatedaemon": ("pouch_cli.updatedaemon", "Update the daemon's labels and image proxy."),
    "version": ("pouch_cli.version", "Print the version of pouchd."),
    "wait": ("pouch_cli.wait", "Block until one or more containers stop, then print their exit codes."),
}

DESCRIPTION = f"pouch talks to pouchd, the Pouch Engine daemon (API v{API_VERSION})."


GLOBAL_PARAMS = (
    Param(
        ("-H", "--host"),
        "pouchd address, unix:///path or tcp://host:port [env POUCH_HOST; default: "
        "the socket pouchd listens on by default]",
        metavar="ADDR",
    ),
    Param(("-D", "--debug"), "Print each request and response status to stderr."),
    Param(
        ("--tlscacert",), "Trust daemons whose certificate this CA signed [$POUCH_CERT_PATH/ca.pem].", metavar="FILE"
    ),
    Param(("--tlscert",), "Client certificate [$POUCH_CERT_PATH/cert.pem].", metavar="FILE"),
    Param(("--tlskey",), "Client key [$POUCH_CERT_PATH/key.pem].", metavar="FILE"),
    Param(("--tlsverify",), "Use TLS and verify the daemon's certificate [env POUCH_TLS_VERIFY]."),
    Param(("-v", "--version"), "Print the client's version and exit."),  # last: only before a command
)


class Command(Protocol):
    """What a command module declares."""

    HELP: str
    EXAMPLE: str

    @property
    def PARAMS(self) -> Sequence[Param]: ...

    def run(self, args: argparse.Namespace) -> None: ...


if TYPE_CHECKING:  # mypy checks that every command module is a Command (none is imported here at run time)
    from pouch_cli import (
        completion,
        create,
        events,
        exec,
        history,
        image,
        images,
        info,
        inspect,
        kill,
        load,
        login,
        logout,
        logs,
        pause,
        ps,
        pull,
        push,
        rename,
        restart,
        rm,
        rmi,
        save,
        search,
        start,
        stats,
        stop,
        tag,
        top,
        unpause,
        update,
        updatedaemon,
        version,
        wait,
    )
    from pouch_cli import run as run_command

    _MODULES: tuple[Command, ...] = (
        completion,
        create,
        events,
        exec,
        history,
        image,
        images,
        info,
        inspect,
        kill,
        load,
        login,
        logout,
        logs,
        pause,
        ps,
        pull,
        push,
        rename,
        restart,
        rm,
        rmi,
        run_command,
        save,
        search,
        start,
        stats,
        stop,
        tag,
        top,
        unpause,
        update,
        updatedaemon,
        version,
        wait,
    )


def load_command(name: str) -> Command:
    """The module of command ``name`` (imported on first use)."""
    return cast("Command", importlib.import_module(COMMANDS[name][0]))


def run(argv: list[str]) -> None:
    """Parse ``argv`` (without the program name) and run the command it names."""
    import argparse

    width = max(map(len, COMMANDS)) + 2
    commands = "Commands:\n" + "".join(f"  {n.ljust(width)}{summary}\n" for n, (_, summary) in COMMANDS.items())
    top = make_parser(
        "pouch",
        DESCRIPTION,
        GLOBAL_PARAMS,
        epilog=commands + "\nRun 'pouch COMMAND --help' for more.",
        usage="pouch [OPTIONS] COMMAND [ARGS]...",
    )
    top.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    top.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = top.parse_args(argv)
    if args.version:
        print(f"pouch version {__version__}")
        return
    if args.command is None:
        top.print_help()
        return
    if args.command not in COMMANDS:
        top.error(f"no such command {args.command!r}")
    module = load_command(args.command)
    prog = f"pouch {args.command}"
    parser = make_parser(prog, module.HELP, module.PARAMS, module.EXAMPLE, inherited=GLOBAL_PARAMS[:-1])
    extend = getattr(module, "extend_parser", None)
    if extend is not None:
        extend(parser)
    parser.parse_args(args.args, namespace=args)
    module.run(args)


def main(argv: list[str] | None = None) -> None:
    skip_httpx_cli()  # before any command imports httpx (pouch_common/speedups.py)
    try:
        run(sys.argv[1:] if argv is None else argv)
    except CLIError as e:
        _fail(str(e))
    except (KeyboardInterrupt, Abort):
        sys.exit(130)
    except BrokenPipeError:
        # Output piped into something that went away (e.g. `| head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except Exception as e:  # a bug of ours: still one line for the user, the traceback with -D
        if argv_has_debug(argv):
            import traceback

            traceback.print_exc()
        _fail(f"unexpected error: {type(e).__name__}: {e}")
    sys.exit(0)


def entry() -> None:
    """The ``pouch`` command: :func:`main`, then out of the process once the output is flushed,
    without tearing the interpreter down. That teardown (finalising the few hundred modules a
    container command imports: the generated client's models, httpx, ssl) took 25-40 ms of every
    ``pouch run`` here, after its work was done (bench/README.md, ``containers``); the CLI holds
    nothing that needs it (files it writes are complete and renamed before it returns)."""
    try:
        main()
        code: object = 0
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):  # sys.exit("message"): printed, status 1, as the interpreter does
        print(code, file=sys.stderr)
        code = 1
    status = code if isinstance(code, int) else 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader gone away (`| head`), a closed stream
            pass
    os._exit(status & 0xFF)


def argv_has_debug(argv: list[str] | None) -> bool:
    args = sys.argv[1:] if argv is None else argv
    return "-D" in args or "--debug" in args


def _fail(message: str) -> None:
    print(f"Error: {message}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    entry()
