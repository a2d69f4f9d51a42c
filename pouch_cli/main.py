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
    "completion": "pouch_cli.completion:completion",
    "version": "pouch_cli.version:version",
    "info": "pouch_cli.info:info",
    "updatedaemon": "pouch_cli.updatedaemon:updatedaemon",
    "events": "pouch_cli.events:events",
    "login": "pouch_cli.login:login",
    "logout": "pouch_cli.logout:logout",
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
@click.option("--tlscacert", metavar="FILE",
              help="Trust daemons whose certificate this CA signed [$POUCH_CERT_PATH/ca.pem].")
@click.option("--tlscert", metavar="FILE", help="Client certificate [$POUCH_CERT_PATH/cert.pem].")
@click.option("--tlskey", metavar="FILE", help="Client key [$POUCH_CERT_PATH/key.pem].")
@click.option("--tlsverify", is_flag=True, envvar="POUCH_TLS_VERIFY",
              help="Use TLS and verify the daemon's certificate [env POUCH_TLS_VERIFY].")
@click.version_option(__version__, "-v", "--version", prog_name="pouch", message="pouch version %(version)s")
@click.pass_context
def cli(ctx: click.Context, host: str | None, debug: bool, tlscacert: str | None, tlscert: str | None,
        tlskey: str | None, tlsverify: bool) -> None:
    """pouch talks to pouchd, the Pouch Engine daemon (API v1.24)."""
    from pouch_cli.client import ClientOptions, TLSOptions

    tls = None
    cert_path = os.environ.get("POUCH_CERT_PATH")
    if cert_path:
        tlscacert = tlscacert or os.path.join(cert_path, "ca.pem")
        tlscert = tlscert or os.path.join(cert_path, "cert.pem")
        tlskey = tlskey or os.path.join(cert_path, "key.pem")
    # TLS is on when asked for (--tlsverify / POUCH_TLS_VERIFY) or when certificates are given.
    if tlsverify or (not cert_path and (tlscacert or tlscert or tlskey)):
        tls = TLSOptions(cacert=tlscacert, cert=tlscert, key=tlskey, verify=tlsverify)
    ctx.obj = ClientOptions(host=host or _default_host(), debug=debug, tls=tls)


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
    except Exception as e:  # a bug of ours: still one line for the user, the traceback with -D
        if argv_has_debug(argv):
            import traceback

            traceback.print_exc()
        _fail(f"unexpected error: {type(e).__name__}: {e}")
    sys.exit(0)


def argv_has_debug(argv: list[str] | None) -> bool:
    args = sys.argv[1:] if argv is None else argv
    return "-D" in args or "--debug" in args


def _fail(message: str) -> None:
    print(f"Error: {message}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
