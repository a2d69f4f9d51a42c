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
3. ``import httpx`` loads ``ssl`` (and ``_ssl``, OpenSSL's bindings: some 3.5 ms) through
   ``httpx._auth`` -> ``urllib.request`` -> ``http.client``, whose HTTPS support is optional
   (``try: import ssl``). pouch never uses it: its TLS goes through httpcore, which imports ssl
   itself, and over a unix socket or plain TCP it needs no ssl at all. :func:`without_https_in`
   runs those two modules, when first imported, with ssl marked absent, so they leave their HTTPS
   parts out (``http.client.HTTPSConnection``, ``urllib.request.HTTPSHandler``); ssl itself stays
   importable by anything else. (The lazy loader of 2. cannot do this: a second ``import ssl``
   reads the module's ``__spec__``, which loads it.) Upstream behaviour: http/client.py and
   urllib/request.py, CPython 3.11 to 3.14; httpx/_auth.py, httpx 0.28.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

# Nothing else at module level: `pouch` imports this module first, and its start-up is measured
# (importlib.abc alone would pull in importlib.resources and tempfile).


def skip_httpx_cli() -> None:
    if "httpx" not in sys.modules:
        # None in sys.modules makes an import fail (the import system's documented way to block one);
        # typeshed types the values as modules only.
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def _found_by_the_others(me: object, fullname: str, path: Sequence[str] | None, target: ModuleType | None,
                         wrap: Callable[[Any], Any]) -> ModuleSpec | None:
    """The spec the other meta path finders give for ``fullname``, its loader wrapped by ``wrap``."""
    for finder in sys.meta_path:
        if finder is me or not hasattr(finder, "find_spec"):
            continue
        spec = finder.find_spec(fullname, path, target)
        if spec is not None:
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                # duck-typed wrappers allowed: importlib.abc.Loader would load importlib.resources
                spec.loader = wrap(spec.loader)
            return spec
    return None


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

        return _found_by_the_others(self, fullname, path, target, LazyLoader)


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


class _WithoutSSL:
    """A loader that runs another one's module with ``ssl`` marked absent (and is that loader
    for everything else a module's ``__loader__`` is asked: its source, its resources)."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        if "ssl" in sys.modules:  # loaded already: nothing to save
            self.loader.exec_module(module)
            return
        sys.modules["ssl"] = None  # type: ignore[assignment]  # absent, as in skip_httpx_cli
        try:
            self.loader.exec_module(module)
        finally:
            if "ssl" in sys.modules and sys.modules["ssl"] is None:
                del sys.modules["ssl"]


class _WithoutSSLFinder:
    """A meta path finder (duck-typed) for the named modules: found as the other finders find
    them, run by :class:`_WithoutSSL`; once each has been found, it leaves ``sys.meta_path``."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in self.names:
            return None
        self.names.discard(fullname)
        if not self.names and self in sys.meta_path:
            sys.meta_path.remove(self)
        return _found_by_the_others(self, fullname, path, target, _WithoutSSL)


def without_https_in(*names: str) -> None:
    """When first imported, the modules ``names`` run with ``ssl`` marked absent (see 3. above).
    Nothing happens for a module already imported, nor when ssl is."""
    pending = {n for n in names if n not in sys.modules}
    if pending and "ssl" not in sys.modules:
        sys.meta_path.insert(0, _WithoutSSLFinder(pending))
