"""``pouch completion bash|zsh|fish``: print a completion script (click's own mechanism)."""

from __future__ import annotations

import click

EXAMPLE = """\b
Examples:
  $ source <(pouch completion bash)                  # bash, this shell
  $ pouch completion zsh > "${fpath[1]}/_pouch"      # zsh
  $ pouch completion fish > ~/.config/fish/completions/pouch.fish"""


@click.command(epilog=EXAMPLE)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL."""
    from click.shell_completion import get_completion_class

    from pouch_cli.main import cli

    comp_cls = get_completion_class(shell)
    assert comp_cls is not None  # the Choice above only admits shells click supports
    click.echo(comp_cls(cli, {}, "pouch", "_POUCH_COMPLETE").source())
