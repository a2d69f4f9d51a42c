"""Output formatting shared by commands: Go's tabwriter layout, ``%v`` of values, sizes.

Pure functions of their arguments (``--format`` templates are :mod:`pouch_cli.template`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def key_value_table(rows: Sequence[tuple[str, str]], padding: int = 3) -> str:
    """``Key:`` / value lines aligned as Go's tabwriter does with the given padding."""
    width = max((len(k) + 1 for k, _ in rows), default=0) + padding
    return "".join(f"{(k + ':').ljust(width)}{v}\n" for k, v in rows)


def go_value(value: Any) -> str:
    """Render a value as Go's ``%v`` would: ``[a b]`` for slices, ``<nil>`` for nil, lower bools."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(v)}" for k, v in sorted(value.items())) + "]"
    return str(value)


def human_size_binary(size: float) -> str:
    """Bytes in binary units with 4 significant digits (``23.47GiB``), as docker's units.BytesSize."""
    i = 0
    while size >= 1024 and i < len(_BINARY_UNITS) - 1:
        size /= 1024
        i += 1
    return f"{size:.4g}{_BINARY_UNITS[i]}"
