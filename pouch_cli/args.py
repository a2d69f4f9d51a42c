"""Command-line parameters, declared once: :mod:`argparse` parses them, :mod:`pouch_cli.completion`
writes shell completion from them.

The standard library's argparse costs a few milliseconds to import, a third of click's, and
``pouch version`` is timed against bare httpx (bench/); nothing here imports more than argparse.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn, Protocol

from pouch_cli.errors import CLIError


class Param:
    """An option (``flags`` start with ``-``) or a positional argument (one name, no dash).

    ``metavar`` names the value in help (``TEMPLATE``, ``FILE``; FILE values complete as file
    names); None makes an option an on/off flag. ``repeat``: the option may be given more than
    once, its values collect in a list. ``required``: for positional arguments.
    (A plain class: a NamedTuple or dataclass costs a millisecond of start-up to define.)
    """

    __slots__ = ("choices", "dest", "flags", "help", "metavar", "repeat", "required")

    def __init__(
        self,
        flags: tuple[str, ...],
        help: str,
        metavar: str | None = None,
        *,
        dest: str | None = None,
        repeat: bool = False,
        choices: tuple[str, ...] | None = None,
        required: bool = False,
    ) -> None:
        self.flags, self.help, self.metavar, self.dest = flags, help, metavar, dest
        self.repeat, self.choices, self.required = repeat, choices, required

    @property
    def positional(self) -> bool:
        return not self.flags[0].startswith("-")

    @property
    def takes_value(self) -> bool:
        return self.metavar is not None and not self.positional


class Parser(argparse.ArgumentParser):
    """argparse with pouch's error convention: one line, ``Error: ...``, exit status 1 (main.py)."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')")


def make_parser(
    prog: str,
    description: str,
    params: Sequence[Param],
    epilog: str | None = None,
    usage: str | None = None,
    inherited: Sequence[Param] = (),
) -> Parser:
    """A parser for ``params``; ``inherited`` are options that were parsed already (pouch's global
    ones, which pouch's Go CLI accepts after the command too, as cobra's persistent flags): given
    again here they replace the earlier value, left out they keep it."""
    parser = Parser(
        prog=prog,
        description=description,
        epilog=epilog,
        usage=usage,
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for p in params:
        _add(parser, p)
    if inherited:
        group = parser.add_argument_group("global options (also before the command)")
        for p in inherited:
            _add(group, p, default=argparse.SUPPRESS)
    return parser


class _Container(Protocol):
    """An argparse parser or argument group: what takes ``add_argument``."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action: ...


def _add(parser: _Container, p: Param, default: object = None) -> None:
    if p.positional:
        parser.add_argument(
            p.flags[0], help=p.help, choices=p.choices, metavar=p.metavar, nargs=None if p.required else "?"
        )
    elif p.metavar is None:
        parser.add_argument(
            *p.flags, dest=p.dest, help=p.help, action="store_true", default=False if default is None else default
        )
    else:
        parser.add_argument(
            *p.flags,
            dest=p.dest,
            help=p.help,
            metavar=p.metavar,
            choices=p.choices,
            action="append" if p.repeat else "store",
            default=([] if p.repeat else None) if default is None else default,
        )
