"""The ``pouchd`` command: pouchd's start-up, with the garbage collector off and the imports it
never uses left out.

Start-up (connexion's imports, the spec, the app) builds some 50,000 tracked objects, nearly all
of which live as long as the daemon; the collector, triggered by those allocations, walked them
again and again in full collections: ~35 ms of a ~280 ms start (bench/HISTORY.md). It is off from
here until pouchd serves, when the daemon freezes what start-up built out of its sight and turns
it back on (pouch_server/daemon.py).
"""

from __future__ import annotations

import gc
import os
import warnings

from pouch_common.speedups import defer_import, skip_httpx_cli


def prepare() -> None:
    """What the command does before it imports the daemon: the collector off, and the imports
    pouchd never uses left out (pouch_common/speedups.py)."""
    gc.disable()
    skip_httpx_cli()
    defer_import("requests")  # connexion's, for remote $refs the spec does not have
    # connexion imports starlette's test client, which warns that it runs on httpx rather than
    # httpx2; pouchd never uses it, and the warning would be printed at every start.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    # gRPC's fork handlers: pouchd forks only to exec (containerd, runc), never to run gRPC in a
    # child, and with them on, gRPC logs "skipping fork() handlers" at every such fork.
    os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")


def main() -> None:
    prepare()
    from pouch_server.daemon import main as daemon_main  # everything pouchd loads, loaded with it off

    daemon_main()
