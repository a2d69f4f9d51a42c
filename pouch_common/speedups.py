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

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

# Nothing else at module level: `pouch` imports this module first, and its start-up is measured
# (importlib.abc alone would pull in importlib.resources and tempfile).


def skip_httpx_cli() -> None:
    if "httpx" not in sys.modules:
        # None in sys.modules makes an import fail (the import system's documented way to block one);
        # typeshed types the values as modules only.
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


class _LazyFinder:
    """A meta path finder (duck-typed) that finds the named modules as the other finders do, with
    a loader that defers them."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in self.names:
            return None
        from importlib.util import LazyLoader

        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = LazyLoader(spec.loader)
                return spec
        return None


@contextmanager
def deferred_imports(*names: str) -> Iterator[None]:
    """While inside, a first ``import NAME`` of one of ``names`` binds a module that loads on first
    attribute access. (``from NAME import x`` reads an attribute, so it loads at once, as usual.)"""
    finder = _LazyFinder(frozenset(names))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
