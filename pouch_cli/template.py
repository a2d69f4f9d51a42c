"""A small, strict subset of Go's text/template, for ``--format`` as docker users type it.

Supported:
  literal text                 copied as is
  {{.Field}}  {{.A.B}}         a field (wire names, e.g. ``{{.ServerVersion}}``), nested with dots
  {{.}}                        the whole object
  {{json .Field}}  {{json .}}  the value as compact JSON
  {{upper X}} {{lower X}}      case of a string value
  {{join X "sep"}}             a list joined with a separator
  {{- ... -}}                  trims the whitespace before/after the action, as Go does
Values print as Go's ``%v`` would (``[a b]`` for lists, ``true``/``false``, ``<nil>``).
An unknown field or a malformed template is a :class:`TemplateError` naming it: never an empty line.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping
from typing import Any

from pouch_cli.errors import CLIError
from pouch_cli.formatting import go_value

_ACTION = re.compile(r"{{(-\s)?(.*?)(\s-)?}}", re.DOTALL)
_FIELD = re.compile(r"^\.([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?$")


class TemplateError(ValueError):
    """A template that cannot be parsed or executed."""


Node = Callable[[Mapping[str, Any]], str]


def compile_template(
    text: str, aliases: Mapping[str, str] | None = None, optional: frozenset[str] = frozenset()
) -> Node:
    """Parse ``text`` once; the result renders an object (a JSON-shaped dict).

    ``aliases`` maps Go field names to wire names where they differ (``APIVersion`` → ``ApiVersion``);
    ``optional`` names top-level fields that may be absent from the object (rendered ``<nil>``).
    """
    aliases = dict(aliases or {})
    parts: list[Node | str] = []
    pos = 0
    for m in _ACTION.finditer(text):
        literal = text[pos : m.start()]
        if m.group(1):
            literal = literal.rstrip()
        parts.append(literal)
        parts.append(_compile_action(m.group(2).strip(), m.group(0), aliases, optional))
        pos = m.end()
        if m.group(3):
            rest = text[pos:]
            pos += len(rest) - len(rest.lstrip())
    tail = text[pos:]
    if "{{" in tail or "}}" in tail:
        raise TemplateError(f"template: unclosed action in {text!r}")
    parts.append(tail)

    def render(obj: Mapping[str, Any]) -> str:
        return "".join(p if isinstance(p, str) else p(obj) for p in parts)

    return render


def _compile_action(action: str, source: str, aliases: Mapping[str, str], optional: frozenset[str]) -> Node:
    try:
        words = shlex.split(action)
    except ValueError as e:
        raise TemplateError(f"template: malformed action {source}: {e}") from None
    if not words:
        raise TemplateError(f"template: empty action {source}")
    func, args = (None, words) if words[0].startswith(".") else (words[0], words[1:])
    if func is None and len(args) != 1:
        raise TemplateError(f"template: malformed action {source}")
    if func not in (None, "json", "upper", "lower", "join"):
        raise TemplateError(f'template: function "{func}" not defined in {source}')
    if not args:
        raise TemplateError(f"template: missing argument for {func} in {source}")
    getter = _field_getter(args[0], source, aliases, optional)
    if func is None:
        return lambda obj: go_value(getter(obj))
    if func == "json":
        return lambda obj: json.dumps(getter(obj), separators=(",", ":"), ensure_ascii=False)
    if func in ("upper", "lower"):
        change = str.upper if func == "upper" else str.lower
        return lambda obj: change(go_value(getter(obj)))
    if len(args) != 2:
        raise TemplateError(f"template: join takes a list and a separator in {source}")
    sep = args[1]

    def join(obj: Mapping[str, Any]) -> str:
        value = getter(obj)
        if not isinstance(value, list):
            raise TemplateError(f"template: join of a non-list in {source}")
        return sep.join(go_value(v) for v in value)

    return join


def _field_getter(
    expr: str, source: str, aliases: Mapping[str, str], optional: frozenset[str]
) -> Callable[[Mapping[str, Any]], Any]:
    if not _FIELD.match(expr):
        raise TemplateError(f"template: bad field reference {expr!r} in {source}")
    path = [p for p in expr[1:].split(".") if p]

    def get(obj: Mapping[str, Any]) -> Any:
        value: Any = obj
        for depth, name in enumerate(path):
            if isinstance(value, Mapping):
                key = aliases.get(name, name) if depth == 0 else name
                if key in value:
                    value = value[key]
                    continue
                if depth == 0 and key in optional:
                    return None
            elif value is None:
                return None  # a field of an absent object, as Go prints a nil pointer's field
            raise TemplateError(f'template: unknown field "{name}" in {source}')
        return value

    return get


def render_format(
    fmt: str, obj: Mapping[str, Any], aliases: Mapping[str, str] | None = None, optional: frozenset[str] = frozenset()
) -> str:
    """``--format`` as docker: ``json`` is the whole object as JSON, anything else a template."""
    if fmt.strip() == "json":
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"
    return compile_template(fmt, aliases, optional)(obj) + "\n"


def checked_format(
    fmt: str, aliases: Mapping[str, str] | None = None, optional: frozenset[str] = frozenset()
) -> Callable[[Mapping[str, Any]], str]:
    """``--format`` compiled before any request, so that a malformed template fails fast (CLIError)."""
    try:
        if fmt.strip() != "json":
            compile_template(fmt, aliases, optional)
    except TemplateError as e:
        raise CLIError(str(e)) from None

    def render(obj: Mapping[str, Any]) -> str:
        try:
            return render_format(fmt, obj, aliases, optional)
        except TemplateError as e:
            raise CLIError(str(e)) from None

    return render
