"""pouchd's containerd, ready for the managers: reached, supervised when it is pouchd's own, and
checked for what pouchd needs (its snapshotter), with the facts /info shows.

At ``--containerd`` pouchd finds one of three things:

- nothing serving: it starts its own containerd (:class:`~pouch_server.ctrd.supervisor.Supervisor`,
  root and state under ``<home>/containerd``), as pouch does, and restarts it if it dies;
- the containerd its home started earlier, still running (its pid file names it): adopted, and
  supervised as if started now;
- another containerd serving there: used as it is, neither restarted nor stopped by pouchd
  (dockerd's ``--containerd`` does the same). This is how several pouchds share one containerd,
  each in its own ``--default-namespace``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path

from containerd_api.github.com.containerd.containerd.api.services.snapshots.v1 import snapshots_pb2
from pouch_server.ctrd.client import ContainerdClient
from pouch_server.ctrd.facts import EngineFacts
from pouch_server.ctrd.supervisor import ContainerdError, ContainerdOptions, Supervisor
from pouch_server.errors import APIError

log = logging.getLogger("pouchd")

#: How long a containerd already serving at the address gets to answer the first probe, in seconds.
PROBE_TIMEOUT = 1.0
#: How long ``runc --version`` gets, in seconds.
RUNC_TIMEOUT = 5.0


async def runc_commit(binary: str = "runc") -> str:
    """The ``commit:`` line of ``runc --version`` (what Docker's /info shows as RuncCommit)."""
    try:
        proc = await asyncio.create_subprocess_exec(
            binary, "--version", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
    except OSError:
        return ""
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), RUNC_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return ""
    for line in out.decode(errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "commit":
            return value.strip()
    return ""


class Engine:
    """The containerd of one pouchd (see the module's docstring): :meth:`start` it on the event
    loop, use :attr:`client`, :meth:`stop` it at the end."""

    client: ContainerdClient
    facts: EngineFacts

    def __init__(
        self,
        *,
        address: str,
        home: Path,
        namespace: str,
        snapshotter: str,
        binary: str = "",
        debug: bool = False,
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        self.options = ContainerdOptions(
            binary=binary or "containerd",
            address=address,
            root=home / "containerd" / "root",
            state=home / "containerd" / "state",
            debug=debug,
        )
        self.namespace = namespace
        self.snapshotter = snapshotter
        self.on_restart = on_restart
        self.supervisor: Supervisor | None = None

    @property
    def restarts(self) -> int:
        return self.supervisor.restarts if self.supervisor is not None else 0

    async def start(self) -> None:
        """Reach, adopt or start containerd, then check it; raises ContainerdError, which says why."""
        self.client = ContainerdClient(self.options.address, self.namespace)
        try:
            await self._reach()
            version = await self.client.version(timeout=PROBE_TIMEOUT * 5)
            await self._check_snapshotter()
        except APIError as e:
            await self.stop()
            raise ContainerdError(e.message) from None
        except BaseException:
            await self.stop()
            raise
        self.facts = EngineFacts(
            containerd_version=version.version,
            containerd_revision=version.revision,
            runc_commit=await runc_commit(),
            snapshotter=self.snapshotter,
            external=self.supervisor is None,
        )
        log.info(
            "containerd %s (%s) at %s, namespace %s, snapshotter %s",
            version.version,
            "used as it is" if self.supervisor is None else "supervised by pouchd",
            self.options.address,
            self.namespace,
            self.snapshotter,
        )

    async def _reach(self) -> None:
        if os.path.exists(self.options.address) and await self._answers() and not self._ours():
            return  # someone else's containerd: used, not supervised
        if os.geteuid() != 0:
            raise ContainerdError(
                f"nothing serves at {self.options.address}, and only root can start containerd: run pouchd as"
                " root, or give --containerd the socket of a containerd already running"
            )
        self.supervisor = Supervisor(self.options, ready=self._ready, on_restart=self.on_restart)
        await self.supervisor.start()

    def _ours(self) -> bool:
        """The containerd serving at the address is the one this home started (it is adopted)."""
        try:
            return Supervisor(self.options, ready=self._ready).adoptable()
        except ContainerdError:  # no containerd binary here: it cannot be ours
            return False

    async def _answers(self) -> bool:
        try:
            await self.client.version(timeout=PROBE_TIMEOUT)
        except APIError:
            return False
        return True

    async def _ready(self) -> object:
        return await self.client.version(timeout=PROBE_TIMEOUT, wait_for_ready=True)

    async def _check_snapshotter(self) -> None:
        """containerd names a snapshotter it has not loaded (unknown, or failed to start on this
        file system) when asked for its snapshots."""
        request = snapshots_pb2.ListSnapshotsRequest(snapshotter=self.snapshotter)
        try:
            async for _ in self.client.stream(self.client.snapshots.List, request, timeout=PROBE_TIMEOUT * 5):
                break
        except APIError as e:
            raise ContainerdError(f"snapshotter {self.snapshotter} is not usable: {e.message}") from None

    async def stop(self) -> None:
        """Close the client and stop a containerd pouchd supervises."""
        client = getattr(self, "client", None)
        if client is not None:
            await client.close()
        if self.supervisor is not None:
            await self.supervisor.stop()
