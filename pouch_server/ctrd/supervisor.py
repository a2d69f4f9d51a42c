"""pouchd's own containerd: started, adopted, watched, restarted and stopped, as pouch's
ctrd/supervisord does.

pouchd runs one containerd per home directory, with its root and state under the home
(``<home>/containerd/root``, ``.../state``) and its gRPC socket at ``--containerd``:

- **start**: a config file written to the state directory (pouch_common/containerd.py: no CRI
  plugin, no debug socket, which would be shared with the host's containerd), then ``containerd
  --config FILE``, in a session of its own, its output appended to ``<state>/containerd.log``. Its
  pid goes to ``<state>/containerd.pid``, as pouch keeps it.
- **adopt**: when that pid file names a live process running the same containerd binary (a
  containerd this pouchd's home started earlier, which outlived a pouchd that was killed), it is
  used as it is. Unlike pouch's, pouchd's containerd is not killed with pouchd (pouch sets the
  parent-death signal): the containers it runs and the pulls it holds leases for survive a crash
  of pouchd, and the next pouchd finds them.
- **ready**: start-up waits until containerd answers (the caller's probe, e.g. its Version call),
  polling with a short back-off and bounded in time.
- **watch**: the process is watched through a pidfd on the event loop (no polling, for a child as
  for an adopted process). When it dies while pouchd runs, it is started again after a bounded,
  growing back-off (reset once it answers again); every restart is logged and counted.
- **stop**: SIGTERM, then SIGKILL after a bound; the pid file goes with it.

Blocking steps (starting a process, waiting for one to end) run off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pouch_common.containerd import config_toml

log = logging.getLogger("pouchd")

#: How long start-up waits for containerd to answer, in seconds.
READY_TIMEOUT = 10.0
#: How long a stopping containerd gets after SIGTERM before SIGKILL, in seconds (pouch: 15).
STOP_TIMEOUT = 15.0
#: Back-off between restarts of a containerd that keeps dying: from the first to the cap, doubling.
RESTART_DELAY_FIRST = 0.1
RESTART_DELAY_MAX = 10.0


class ContainerdError(Exception):
    """containerd cannot be started or reached; the message says why, in one line."""


@dataclass(frozen=True)
class ContainerdOptions:
    """What pouchd runs containerd with."""

    binary: str  # a path, or a name looked up on PATH
    address: str  # the gRPC socket
    root: Path
    state: Path
    debug: bool = False

    @property
    def pid_file(self) -> Path:
        return self.state / "containerd.pid"

    @property
    def config_file(self) -> Path:
        return self.state / "pouch-containerd.toml"

    @property
    def log_file(self) -> Path:
        return self.state / "containerd.log"

    def config(self) -> str:
        """containerd's configuration (TOML, version 2)."""
        return config_toml(self.root, self.state, Path(self.address), debug=self.debug)


def _resolve(binary: str) -> str:
    """The real path of the containerd binary (looked up on PATH when a bare name)."""
    found = shutil.which(binary) if os.sep not in binary else binary
    if found is None or not os.access(found, os.X_OK):
        raise ContainerdError(f"containerd binary {binary!r} not found: install containerd or give --containerd-path")
    return os.path.realpath(found)


def _runs(pid: int, binary: str) -> bool:
    """``pid`` is a live process running ``binary`` (a real path)."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    return exe == binary  # an upgraded binary shows as "... (deleted)": not the same


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


class Supervisor:
    """One containerd for one pouchd home.

    ``ready`` is an async probe that returns once containerd answers and raises otherwise (the
    containerd client's Version call); ``on_restart`` is told of each restart (/metrics).
    """

    def __init__(
        self,
        options: ContainerdOptions,
        ready: Callable[[], Awaitable[object]],
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        self.options = options
        self.ready = ready
        self.on_restart = on_restart
        self.binary = _resolve(options.binary)
        self.pid: int | None = None
        self.adopted = False
        self.restarts = 0
        self._child: subprocess.Popen[bytes] | None = None
        self._pidfd: int | None = None
        self._exited: asyncio.Event = asyncio.Event()
        self._stopping = False
        self._stop_requested = asyncio.Event()
        self._restarting: asyncio.Task[None] | None = None
        self._delay = RESTART_DELAY_FIRST

    # --- start --------------------------------------------------------------------------
    def adoptable(self) -> bool:
        """The pid file names a live process of this containerd binary: this home's containerd."""
        pid = _read_pid(self.options.pid_file)
        return pid is not None and _runs(pid, self.binary)

    async def start(self) -> None:
        """Adopt this home's running containerd, or start one; return once it answers."""
        opts = self.options
        for directory in (opts.root, opts.state):
            directory.mkdir(parents=True, exist_ok=True, mode=0o711)
        pid = _read_pid(opts.pid_file)
        if pid is not None and _runs(pid, self.binary):
            log.info("adopting containerd (pid %d) at %s", pid, opts.address)
            self.adopted = True
            self._watch(pid, child=None)
        else:
            try:
                await self._spawn()
            except OSError as e:
                raise ContainerdError(f"cannot start containerd: {e}") from None
        await self._wait_ready()

    async def _spawn(self) -> None:
        opts = self.options
        opts.pid_file.unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(opts.address)  # a stale socket of a containerd that is gone (its pid file says so)
        opts.config_file.write_text(opts.config(), encoding="utf-8")
        os.chmod(opts.config_file, 0o600)
        child = await asyncio.to_thread(self._popen)
        opts.pid_file.write_text(f"{child.pid}\n", encoding="ascii")
        log.info("started containerd (pid %d) at %s", child.pid, opts.address)
        self.adopted = False
        self._watch(child.pid, child=child)

    def _popen(self) -> subprocess.Popen[bytes]:
        opts = self.options
        env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
        with open(opts.log_file, "ab") as out:
            # A session of its own: neither a terminal's signals nor pouchd's end reach it.
            return subprocess.Popen(
                [self.binary, "--config", str(opts.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=env,
                start_new_session=True,
            )

    async def _wait_ready(self) -> None:
        """Poll ``ready`` until it answers, the process dies, or READY_TIMEOUT passes."""
        deadline = time.monotonic() + READY_TIMEOUT
        delay = 0.01
        last: BaseException | None = None
        while True:
            if self._stopping:
                raise ContainerdError("pouchd is stopping")
            if self._exited.is_set():
                raise ContainerdError(f"containerd exited during start-up (see {self.options.log_file})")
            try:
                await asyncio.wait_for(self.ready(), timeout=max(0.05, min(1.0, deadline - time.monotonic())))
                return
            except Exception as e:  # not answering yet
                last = e
            if time.monotonic() >= deadline:
                raise ContainerdError(
                    f"containerd at {self.options.address} did not answer within {READY_TIMEOUT:g} s: {last}"
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    # --- watch and restart ------------------------------------------------------------
    def _watch(self, pid: int, child: subprocess.Popen[bytes] | None) -> None:
        self.pid = pid
        self._child = child
        self._exited = asyncio.Event()
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            self._exited.set()
            self._on_exit()
            return
        self._pidfd = fd
        asyncio.get_running_loop().add_reader(fd, self._pidfd_readable)

    def _pidfd_readable(self) -> None:
        self._unwatch()
        self._exited.set()
        self._on_exit()

    def _unwatch(self) -> None:
        if self._pidfd is not None:
            asyncio.get_running_loop().remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None

    def _reap(self) -> int | None:
        """The exit status of our child (None for an adopted process, which is not ours to reap)."""
        if self._child is None:
            return None
        return self._child.wait()  # it has exited: returns at once

    def _on_exit(self) -> None:
        status = self._reap()
        if self._stopping:
            return
        log.warning(
            "containerd (pid %s) exited%s; restarting it in %.1f s",
            self.pid,
            f" with status {status}" if status is not None else "",
            self._delay,
        )
        self._restarting = asyncio.get_running_loop().create_task(self._restart())

    async def _restart(self) -> None:
        with contextlib.suppress(TimeoutError):  # the back-off, cut short by stop()
            await asyncio.wait_for(self._stop_requested.wait(), self._delay)
        if self._stopping:
            return
        self._delay = min(self._delay * 2, RESTART_DELAY_MAX)
        self.restarts += 1
        if self.on_restart is not None:
            self.on_restart()
        try:
            await self._spawn()
        except OSError as e:
            log.error("cannot restart containerd: %s; trying again in %.1f s", e, self._delay)
            self._restarting = asyncio.get_running_loop().create_task(self._restart())
            return
        try:
            await self._wait_ready()
        except ContainerdError as e:
            # Dead again: its exit has scheduled the next try. Slow: it stays watched.
            log.error("restarted containerd is not answering: %s", e)
            return
        self._delay = RESTART_DELAY_FIRST
        log.info("containerd is back (pid %d)", self.pid)

    # --- stop ---------------------------------------------------------------------------
    async def stop(self) -> None:
        """SIGTERM, SIGKILL after STOP_TIMEOUT; the pid file removed. A restart under way is let
        finish first (a process it is starting is stopped too)."""
        self._stopping = True
        self._stop_requested.set()
        if self._restarting is not None:
            with contextlib.suppress(Exception):
                await self._restarting
        pid = self.pid
        if pid is not None and not self._exited.is_set():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self._exited.wait(), STOP_TIMEOUT)
            except TimeoutError:
                log.warning("containerd (pid %d) did not stop within %g s: killing it", pid, STOP_TIMEOUT)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                await self._exited.wait()
        self._unwatch()
        self.options.pid_file.unlink(missing_ok=True)
