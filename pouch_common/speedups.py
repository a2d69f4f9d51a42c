"""Start-up speed of pouch and pouchd: imports that are paid for and never used.

Stdlib only. Nothing here runs on import: the ``pouch`` and ``pouchd`` entry points
(pouch_cli/main.py, pouch_server/start.py) call these functions first thing, and each touches only
a module that the command itself goes on to load. Imported as libraries (the tests, another
program), pouch_cli and pouch_server change nothing in the interpreter.

1. httpx's ``__init__`` does ``try: from ._main import main`` at import time; when rich, click and
   pygments are installed (as they are in a dev environment) that imports its whole CLI stack,
   some 60 ms, for a ``main`` the commands never call. :func:`skip_httpx_cli` marks that module
   as absent, so the import fails at once and httpx falls back to its stub ``main`` (which only
   says to install ``httpx[cli]``). Upstream behaviour: httpx/__init__.py, httpx 0.28.
2. connexion's ``json_schema`` module does ``import requests`` at import time, for fetching
   ``$ref``s that point at other servers (pouchd's spec has none: all its references are local).
   requests, urllib3, charset_normalizer and certifi cost about 120 ms of pouchd's start-up.
   :func:`defer_import` puts a stand-in for the module in ``sys.modules`` that loads the real one
   on first attribute access, so the cost is only paid if a remote reference is ever resolved.
   (The standard library's ``LazyLoader`` cannot be used so without an import hook: a module it
   made loads as soon as the import system reads its ``__spec__``.) Upstream behaviour:
   connexion/json_schema.py, connexion 3.3.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any


def skip_httpx_cli() -> None:
    """Make ``import httpx`` skip its command-line interface (see 1. above)."""
    if "httpx" not in sys.modules:
        # None in sys.modules makes an import fail (the import system's documented way to block one);
        # typeshed types the values as modules only.
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


class _LoadedOnFirstUse(ModuleType):
    """Stands in ``sys.modules`` for a module not loaded yet: reading any attribute of it (other
    than a module's own ``__name__``, ``__spec__``...) loads the real module, which then takes its
    place, and answers from it."""

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


def defer_import(name: str) -> None:
    """Make a later ``import name`` bind a stand-in that loads the module on first use (see 2.
    above); nothing happens when it is loaded already."""
    if name not in sys.modules:
        sys.modules[name] = _LoadedOnFirstUse(name)
