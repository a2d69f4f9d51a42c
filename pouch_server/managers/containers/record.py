"""A container's record as pouch keeps it (``<home>/containers/<id>/meta.json``), and the index of
records by ID and name.

The record is pouch's ``Container`` as JSON (daemon/mgr/container_types.go): ``Id``, ``Name``,
``Image`` (the image ID), ``Created``, ``State``, ``Config``, ``HostConfig``, ``NetworkSettings``,
``Mounts``, ``Snapshotter``, ``LogPath``, ``RestartCount``, the ``/etc`` file paths... so that what
inspect answers is the record itself, less what only pouchd reads. It is replaced atomically on
every change (a crash leaves the old or the new one), off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from pouch_common.fileutil import atomic_write
from pouch_server.errors import APIError
from pouch_server.gojson import ZERO_TIME, go_time, parse_go_time

log = logging.getLogger("pouchd")

META_FILE: Final = "meta.json"
#: pouch's name grammar (daemon/config: ``^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$``).
NAME_PATTERN: Final = re.compile(r"/?[a-zA-Z0-9][a-zA-Z0-9_.-]+")
#: What a record holds only for pouchd (not part of inspect's answer).
PRIVATE_KEYS: Final = frozenset({"FifoDir", "StopRequested"})

# pouch's statuses (apis/types/status.go)
CREATED, RUNNING, PAUSED, STOPPED, EXITED, REMOVING, RESTARTING, DEAD = (
    "created",
    "running",
    "paused",
    "stopped",
    "exited",
    "removing",
    "restarting",
    "dead",
)


def now_rfc3339() -> str:
    """The time now as Go's RFC3339Nano in UTC (nanoseconds, trailing zeros trimmed)."""
    return go_time(time.time_ns())


def parse_rfc3339(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 time as the records hold them (0 for the zero time)."""
    if not text or text.startswith("0001-"):
        return 0.0
    return parse_go_time(text) / 1e9


def new_id(taken: set[str] | dict[str, Any]) -> str:
    """A new 64-hex container ID that is not taken and does not look like a number (docker's rule:
    a short ID of only digits would read as a number in places)."""
    while True:
        cid = secrets.token_hex(32)
        if cid not in taken and not cid[:12].isdigit():
            return cid


class Container:
    """One container's record (``meta``: pouch's JSON) and what pouchd keeps in memory beside it."""

    def __init__(self, meta: dict[str, Any], directory: Path) -> None:
        self.meta = meta
        self.dir = directory
        self.lock = asyncio.Lock()  # one state change at a time
        self.exited = asyncio.Event()  # set while the container is not running
        if not self.is_running:
            self.exited.set()
        self.io: Any = None  # its stdio while it runs (managers.containers.stdio.ContainerIO)
        self.io_ready = asyncio.Event()  # set while ``io`` is there (attach waits for a start)
        self.started = asyncio.Event()  # set while its task runs (from the end of a start)
        if self.is_running:
            self.started.set()
        self.watcher: asyncio.Task[None] | None = None
        self.restarter: asyncio.Task[None] | None = None  # a restart by policy, waiting its back-off
        self.restart_delay = 0.0  # the back-off before the next restart by policy, in seconds
        self.restarting = False  # a restart by policy is under way (past its back-off)

    # --- fields -----------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return str(self.meta["Id"])

    @property
    def name(self) -> str:
        return str(self.meta["Name"])

    @property
    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.meta["State"]
        return state

    @property
    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.meta["Config"]
        return config

    @property
    def host_config(self) -> dict[str, Any]:
        host_config: dict[str, Any] = self.meta["HostConfig"]
        return host_config

    @property
    def status(self) -> str:
        return str(self.state.get("Status", CREATED))

    @property
    def is_running(self) -> bool:
        return self.status in (RUNNING, PAUSED)

    @property
    def tty(self) -> bool:
        return bool(self.config.get("Tty"))

    # --- state changes ------------------------------------------------------------------------
    def set_running(self, pid: int, started_at: str | None = None) -> None:
        self.state.update(
            Status=RUNNING, Running=True, Paused=False, Restarting=False, Dead=False,
            Pid=pid, ExitCode=0, Error="", StartedAt=started_at or now_rfc3339(), FinishedAt=ZERO_TIME,
        )  # fmt: skip
        self.meta.pop("StopRequested", None)
        self.exited.clear()
        self.started.set()

    def set_exited(self, code: int, *, stopped: bool, error: str = "", finished_at: str | None = None) -> None:
        """Not running any more: ``stopped`` when pouchd stopped it (pouch's ``stopped``), else
        ``exited``."""
        self.state.update(
            Status=STOPPED if stopped else EXITED, Running=False, Paused=False, Restarting=False,
            Pid=0, ExitCode=code, Error=error, FinishedAt=finished_at or now_rfc3339(),
        )  # fmt: skip
        self.meta.pop("StopRequested", None)
        self.started.clear()
        self.exited.set()

    def set_paused(self, paused: bool) -> None:
        self.state.update(Status=PAUSED if paused else RUNNING, Paused=paused)

    def public(self) -> dict[str, Any]:
        """The record without what only pouchd reads."""
        return {key: value for key, value in self.meta.items() if key not in PRIVATE_KEYS}

    # --- disk -----------------------------------------------------------------------------------
    def encode(self) -> bytes:
        return json.dumps(self.meta, separators=(",", ":")).encode()

    async def save(self) -> None:
        """Replace meta.json (off the event loop: it syncs to disk)."""
        await asyncio.to_thread(atomic_write, self.dir / META_FILE, self.encode())


class ContainerIndex:
    """The records under ``<home>/containers``, by ID and by name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.by_id: dict[str, Container] = {}
        self.by_name: dict[str, str] = {}
        root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def __iter__(self) -> Iterator[Container]:
        return iter(list(self.by_id.values()))

    def __len__(self) -> int:
        return len(self.by_id)

    def load(self) -> list[Container]:
        """Read every record on disk (a record that cannot be read is logged and left aside)."""
        loaded = []
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            if not entry.is_dir():
                continue
            path = Path(entry.path) / META_FILE
            try:
                meta = json.loads(path.read_bytes())
                if not isinstance(meta, dict) or meta.get("Id") != entry.name or not meta.get("Name"):
                    raise ValueError("not a container record")
            except FileNotFoundError:
                # A container whose create was cut short before its record was written.
                log.warning("removing %s: no record", entry.path)
                shutil.rmtree(entry.path, ignore_errors=True)
                continue
            except (OSError, ValueError) as e:
                log.warning("container record %s left aside: %s", path, e)
                continue
            container = Container(meta, Path(entry.path))
            self.add(container)
            loaded.append(container)
        return loaded

    def add(self, container: Container) -> None:
        self.by_id[container.id] = container
        self.by_name[container.name] = container.id

    def remove(self, container: Container) -> None:
        self.by_id.pop(container.id, None)
        if self.by_name.get(container.name) == container.id:
            del self.by_name[container.name]

    def rename(self, container: Container, name: str) -> None:
        self.by_name.pop(container.name, None)
        container.meta["Name"] = name
        self.by_name[name] = container.id

    def directory(self, cid: str) -> Path:
        return self.root / cid

    def get(self, ref: str) -> Container:
        """The container ``ref`` names, as pouch looks it up: an exact name (with or without a
        leading ``/``), a full ID, then an ID prefix. 404 when none; a prefix of several IDs is
        ambiguous: 400 (Docker's status; pouch answers 500 ``too many``)."""
        if not ref:
            raise APIError(404, "container : not found")
        name = ref[1:] if ref.startswith("/") else ref
        cid = self.by_name.get(name)
        if cid is not None:
            return self.by_id[cid]
        found = self.by_id.get(ref)
        if found is not None:
            return found
        matches = [c for cid, c in self.by_id.items() if cid.startswith(ref)] if _hexish(ref) else []
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise APIError(400, f"container {ref}: too many containers match this ID prefix")
        raise APIError(404, f"container {ref}: not found")

    def free_name(self, cid: str) -> str:
        """pouch's default name: the first 6-character window of the ID that no container has."""
        for i in range(len(cid) - 5):
            candidate = cid[i : i + 6]
            if candidate not in self.by_name:
                return candidate
        return cid


def _hexish(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def check_name(name: str) -> str:
    """``name`` as stored (no leading ``/``), or 400 when pouch's grammar refuses it (pouch answers
    500; Docker 400, the status a bad input gets)."""
    if not NAME_PATTERN.fullmatch(name):
        raise APIError(400, f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    return name[1:] if name.startswith("/") else name
