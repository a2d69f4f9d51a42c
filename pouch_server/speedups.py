"""Start-up speed of pouch and pouchd: keep httpx from importing its own command-line tool.

Stdlib only, and imported first by both ``pouch_cli`` and ``pouch_server.daemon``.

httpx's ``__init__`` does ``try: from ._main import main`` at import time; when rich, click and
pygments are installed (as they are in a dev environment) that imports its whole CLI stack, some
60 ms, for a ``main`` we never call. Marking the module as absent makes that import fail at once,
and httpx falls back to its stub ``main`` (which only says to install ``httpx[cli]``).
Upstream behaviour: httpx/__init__.py, httpx 0.28.
"""

from __future__ import annotations

import sys


def skip_httpx_cli() -> None:
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
