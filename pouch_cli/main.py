"""The ``pouch`` command: global flags and a lazily loaded set of subcommands.

Subcommands live one per module (as pouch's cli/version.go, cli/info.go); a module is imported
only when its command runs, so ``pouch version`` does not pay for ``pouch login``.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from pouch_cli import __version__
from pouch_cli.errors import CLIError

# command name -> "module:attribute"
COMMANDS = {
    "version": "pouch_cli.version:version",
    "info": "pouch_cli.info:info",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, cmd_name)


def _default_host() -> str:
    from pouch_server.paths import default_host

    return default_host()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-H", "--host", envvar="POUCH_HOST", metavar="ADDR",
              help="pouchd address, unix:///path or tcp://host:port [env POUCH_HOST; "
                   "default: the socket pouchd listens on by default]")
@click.option("-D", "--debug", is_flag=True, help="Print each request and response status to stderr.")
@click.version_option(__version__, "-v", "--version", prog_name="pouch", message="pouch version %(version)s")
@click.pass_context
def cli(ctx: click.Context, host: str | None, debug: bool) -> None:
    """pouch talks to pouchd, the Pouch Engine daemon (API v1.24)."""
    from pouch_cli.client import ClientOptions

    ctx.obj = ClientOptions(host=host or _default_host(), debug=debug)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="pouch", standalone_mode=False)
    except CLIError as e:
        _fail(str(e))
    except click.exceptions.Abort:
        sys.exit(130)
    except click.UsageError as e:
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx else ""
        _fail(f"{e.format_message()}{hint}")
    except click.ClickException as e:
        _fail(e.format_message())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # Output piped into something that went away (e.g. `| head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    sys.exit(0)


def _fail(message: str) -> None:
    print(f"Error: {message}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
