"""The ``pouchd`` command: pouchd's start-up with the garbage collector off.

Start-up (connexion's imports, the spec, the app) builds some 50,000 tracked objects, nearly all
of which live as long as the daemon; the collector, triggered by those allocations, walked them
again and again in full collections: ~35 ms of a ~280 ms start (2026-12-03, bench/RESULTS.md).
It is off from here until pouchd serves, where ``serve`` freezes what start-up built out of its
sight (``gc.freeze()``) and turns it back on (pouch_server/daemon.py).
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from pouch_server.daemon import main as daemon_main  # everything pouchd loads, loaded with it off

    daemon_main()
