"""Codegen step: make the generated ``pouch_client/models/__init__.py`` import models on first use.

openapi-python-client writes a package ``__init__`` that imports every model, so any
``from pouch_client.models.error import Error`` builds all of them (an attrs class each): about
15 ms of a CLI command that needs two. This rewrites that ``__init__`` into the same names, loaded
lazily through a module ``__getattr__`` (PEP 562); type checkers still see the plain imports.
Run by scripts/codegen.sh on freshly generated code; deterministic.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

IMPORT = re.compile(r"^from \.(?P<module>\w+) import (?P<name>\w+)$", re.MULTILINE)

TEMPLATE = '''{docstring}

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
{type_imports}

# name -> submodule; imported on first access (PEP 562), so a command loads only its models.
_MODULES = {{
{table}
}}


def __getattr__(name: str) -> Any:
    try:
        module = _MODULES[name]
    except KeyError:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}") from None
    value = getattr(import_module(f".{{module}}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({{*globals(), *_MODULES}})


__all__ = (
{all_names}
)
'''


def rewrite(text: str) -> str:
    pairs = [(m.group("module"), m.group("name")) for m in IMPORT.finditer(text)]
    if not pairs:
        raise SystemExit("lazy_models: no model imports found; did the generator change?")
    docstring = text.split("\n", 1)[0] if text.startswith('"""') else '"""Data models."""'
    return TEMPLATE.format(
        docstring=docstring,
        type_imports="\n".join(f"    from .{module} import {name}" for module, name in pairs),
        table="\n".join(f'    "{name}": "{module}",' for module, name in pairs),
        all_names="\n".join(f'    "{name}",' for _, name in pairs),
    )


def main(package: str) -> None:
    init = Path(package) / "models" / "__init__.py"
    init.write_text(rewrite(init.read_text()))


if __name__ == "__main__":
    main(sys.argv[1])
