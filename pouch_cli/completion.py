"""``pouch completion bash|zsh|fish``: print a shell completion script.

The scripts are static, written from the same declarations argparse parses (``COMMANDS``,
``GLOBAL_PARAMS`` and each command's ``PARAMS``), so a TAB never starts Python. They complete
command names, the options of the command being typed (the global ones before it, and all of
them but ``-v`` after it too), the values of options with a fixed set of choices, and file names
for FILE options.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pouch_cli.args import Param

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

HELP = "Print the shell completion script for SHELL."
EXAMPLE = """Examples:
  $ source <(pouch completion bash)                  # bash, this shell
  $ pouch completion zsh > "${fpath[1]}/_pouch"      # zsh
  $ pouch completion fish > ~/.config/fish/completions/pouch.fish"""
SHELLS = ("bash", "zsh", "fish")
PARAMS = (Param(("shell",), "bash, zsh or fish.", metavar="SHELL", choices=SHELLS, required=True),)


def _commands() -> list[tuple[str, str, tuple[Param, ...]]]:
    """(name, summary, params) of every command, and ("", "", global params) first."""
    from pouch_cli.main import COMMANDS, GLOBAL_PARAMS, load_command

    out: list[tuple[str, str, tuple[Param, ...]]] = [
        ("", "", (*GLOBAL_PARAMS, Param(("-h", "--help"), "Show the help and exit.")))
    ]
    for name, (_, summary) in COMMANDS.items():
        params = (
            *load_command(name).PARAMS,
            Param(("-h", "--help"), "Show the help and exit."),
            *GLOBAL_PARAMS[:-1],
        )  # the global options but -v are accepted after a command too
        out.append((name, summary, params))
    return out


def _value_options(params: Sequence[Param]) -> list[str]:
    return [f for p in params if p.takes_value for f in p.flags]


def _quote(text: str) -> str:
    """Single-quoted for bash and zsh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def bash() -> str:
    commands = _commands()
    global_params = commands[0][2]
    cases = []
    for name, _, params in commands:
        options = " ".join(f for p in params if not p.positional for f in p.flags)
        words = (
            " ".join(n for n, _, _ in commands[1:])
            if not name
            else " ".join(c for p in params if p.positional for c in (p.choices or ()))
        )
        files = "|".join(f for p in params if p.metavar == "FILE" for f in p.flags)
        choices = "".join(
            f"            {'|'.join(p.flags)}) words={_quote(' '.join(p.choices))} ;;\n"
            for p in params
            if p.takes_value and p.choices
        )
        cases.append(
            f"        {_quote(name)})\n"
            f"            case $prev in\n"
            + (f'            {files}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;\n' if files else "")
            + choices
            + (f"            {'|'.join(_value_options(params))}) return 0 ;;\n" if _value_options(params) else "")
            + f"            *) if [[ $cur == -* ]]; then words={_quote(options)}; else words={_quote(words)}; fi ;;\n"
            f"            esac ;;\n"
        )
    skip = "|".join(_value_options(global_params))
    return f"""# bash completion for pouch: source <(pouch completion bash)
_pouch_completion() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} cmd="" words="" i
    # The command is the first word that is neither a global option nor the value of one.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${{COMP_WORDS[i]}} in
            {skip}) ((i++)) ;;
            -*) ;;
            *) cmd=${{COMP_WORDS[i]}}; break ;;
        esac
    done
    case $cmd in
{"".join(cases)}        *) return 0 ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o nosort -F _pouch_completion pouch
"""


def _zsh_escape(text: str) -> str:
    return text.replace(":", "\\:")


def zsh() -> str:
    commands = _commands()
    global_params = commands[0][2]
    cases = []
    for name, _, params in commands:
        options = " ".join(_quote(f"{f}:{_zsh_escape(p.help)}") for p in params if not p.positional for f in p.flags)
        if name:
            words = " ".join(_quote(c) for p in params if p.positional for c in (p.choices or ()))
        else:
            words = " ".join(_quote(f"{n}:{_zsh_escape(s)}") for n, s, _ in commands[1:])
        files = "|".join(f for p in params if p.metavar == "FILE" for f in p.flags)
        values = "|".join(_value_options(params))
        cases.append(
            f"        {_quote(name)})\n"
            + (f"            if [[ $prev == ({files}) ]]; then _files; return; fi\n" if files else "")
            + (f"            if [[ $prev == ({values}) ]]; then return; fi\n" if values else "")
            + f"            options=({options}); words_=({words}) ;;\n"
        )
    skip = "|".join(_value_options(global_params))
    return f"""#compdef pouch
# zsh completion for pouch: pouch completion zsh > "${{fpath[1]}}/_pouch"
_pouch_completion() {{
    local cmd="" prev=${{words[CURRENT-1]}} i
    local -a options words_
    for ((i = 2; i < CURRENT; i++)); do
        case ${{words[i]}} in
            {skip}) ((i++)) ;;
            -*) ;;
            *) cmd=${{words[i]}}; break ;;
        esac
    done
    case $cmd in
{"".join(cases)}        *) return ;;
    esac
    if [[ $PREFIX == -* ]]; then
        _describe -t options option options
    else
        _describe -t commands command words_
    fi
}}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _pouch_completion "$@"   # autoloaded from fpath
else
    compdef _pouch_completion pouch   # sourced
fi
"""


def fish() -> str:
    commands = _commands()
    lines = [
        "# fish completion for pouch: pouch completion fish > ~/.config/fish/completions/pouch.fish",
        "complete --no-files --command pouch",
    ]
    for name, _, params in commands:
        cond = "__fish_use_subcommand" if not name else f"__fish_seen_subcommand_from {name}"
        if not name:
            lines += [
                f"complete --no-files --command pouch -n {_fish_quote(cond)} -a {n} -d {_fish_quote(s)}"
                for n, s, _ in commands[1:]
            ]
        for p in params:
            if p.positional:
                if p.choices:
                    lines.append(
                        f"complete --no-files --command pouch -n {_fish_quote(cond)} "
                        f"-a {_fish_quote(' '.join(p.choices))}"
                    )
                continue
            flags = " ".join(f"-s {f[1:]}" if len(f) == 2 else f"-l {f[2:]}" for f in p.flags)
            value = ""
            if p.takes_value:
                value = (
                    " -r -F"
                    if p.metavar == "FILE"
                    else (f" -x -a {_fish_quote(' '.join(p.choices))}" if p.choices else " -x")
                )
            lines.append(f"complete --command pouch -n {_fish_quote(cond)} {flags}{value} -d {_fish_quote(p.help)}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> None:
    sys.stdout.write({"bash": bash, "zsh": zsh, "fish": fish}[args.shell]())
