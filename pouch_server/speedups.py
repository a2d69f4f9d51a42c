"""Start-up speed of pouch and pouchd: imports that are paid for and never used.

Stdlib only, and imported first by both ``pouch_cli`` and ``pouch_server.app``.

1. httpx's ``__init__`` does ``try: from ._main import main`` at import time; when rich, click and
   pygments are installed (as they are in a dev environment) that imports its whole CLI stack,
   some 60 ms, for a ``main`` we never call. Marking the module as absent makes that import fail at
   once, and httpx falls back to its stub ``main`` (which only says to install ``httpx[cli]``).
   Upstream behaviour: httpx/__init__.py, httpx 0.28.
2. connexion's ``json_schema`` module does ``import requests`` at import time, for fetching
   ``$ref``s that point at other servers (our spec has none: all its references are local).
   requests, urllib3, charset_normalizer and certifi cost about 120 ms of pouchd's start-up.
   :func:`deferred_imports` makes such a plain ``import`` bind a module that loads on first use
   (the standard library's ``importlib.util.LazyLoader``), so the cost is only paid if a remote
   reference is ever resolved. Upstream behaviour: connexion/json_schema.py, connexion 3.3.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType


def skip_httpx_cli() -> None:
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


class _LazyFinder(importlib.abc.MetaPathFinder):
    """Finds the named top-level modules as the other finders do, with a loader that defers them."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


@contextlib.contextmanager
def deferred_imports(*names: str) -> Iterator[None]:
    """While inside, a first ``import NAME`` of one of ``names`` binds a module that loads on first
    attribute access. (``from NAME import x`` reads an attribute, so it loads at once, as usual.)"""
    finder = _LazyFinder(frozenset(names))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
