"""Execs (pouch's daemon/mgr/container_exec.go): more processes run in a running container's task.

An exec is created (its configuration recorded, memory only, as pouch keeps them), then started:
containerd adds the process to the container's task (``Tasks.Exec`` with an OCI ``process`` made
from the container's own), its stdio over FIFOs as the container's. A watcher waits for its exit,
records the code, deletes the process from the task and publishes ``exec_die``. Finished execs are
forgotten with their container, or when there are more than :data:`MAX_FINISHED` of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pouch_server.errors import APIError
from pouch_server.managers.containers import record as rec
from pouch_server.managers.containers.manager import ContainerManager, find_in_layers
from pouch_server.managers.containers.record import Container
from pouch_server.managers.containers.spec import process_for_exec, resolve_user
from pouch_server.managers.containers.stdio import ContainerIO

log = logging.getLogger("pouchd")

#: Finished execs kept for inspect, over all containers; the oldest go first.
MAX_FINISHED: Final = 1024
#: How long a resize waits for an exec that was started to run (dockerd: 10 s).
LAUNCH_WAIT: Final = 10.0
#: How long an attached exec's stream waits, once the output ended, for the exit to be recorded
#: (so that the inspect a client sends next has the exit code).
EXIT_GRACE: Final = 5.0


@dataclass
class Exec:
    """One exec: its configuration and, once started, its process."""

    id: str
    container: Container
    config: dict[str, Any]
    running: bool = False
    started: bool = False
    exit_code: int | None = None
    pid: int = 0
    io: ContainerIO | None = None
    process: dict[str, Any] = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    launched: asyncio.Event = field(default_factory=asyncio.Event)  # its launch is over: it runs, or failed
    finished_at: float = 0.0

    @property
    def tty(self) -> bool:
        return bool(self.config.get("Tty"))

    def inspect(self) -> dict[str, Any]:
        cmd = [str(a) for a in self.config.get("Cmd") or []]
        return {
            "ID": self.id,
            "Running": self.running,
            "ExitCode": self.exit_code if self.exit_code is not None else 0,
            "ProcessConfig": {
                "privileged": bool(self.config.get("Privileged")),
                "user": str(self.config.get("User") or ""),
                "tty": self.tty,
                "entrypoint": cmd[0] if cmd else "",
                "arguments": cmd[1:],
            },
            "OpenStdin": bool(self.config.get("AttachStdin")),
            "OpenStderr": bool(self.config.get("AttachStderr")),
            "OpenStdout": bool(self.config.get("AttachStdout")),
            "CanRemove": not self.running and self.started,
            "ContainerID": self.container.id,
            "DetachKeys": str(self.config.get("DetachKeys") or ""),
            "Pid": self.pid,
        }


class ExecManager:
    """The execs of one pouchd's containers."""

    def __init__(self, containers: ContainerManager) -> None:
        self.containers = containers
        self.execs: dict[str, Exec] = {}
        containers.on_remove(self.forget)

    def get(self, exec_id: str) -> Exec:
        found = self.execs.get(exec_id)
        if found is None:
            raise APIError(404, f"No such exec instance: {exec_id}")
        return found

    def create(self, ref: str, body: Mapping[str, Any]) -> str:
        c = self.containers.get(ref)
        if c.status == rec.PAUSED:
            raise APIError(409, f"Container {c.id} is paused, unpause the container before exec")
        if c.status != rec.RUNNING:
            raise APIError(409, f"Container {c.id} is not running")
        cmd = body.get("Cmd")
        if not cmd or not all(isinstance(a, str) for a in cmd):
            raise APIError(400, "No exec command specified")
        exec_id = secrets.token_hex(32)
        self.execs[exec_id] = Exec(exec_id, c, dict(body))
        self._forget_finished()
        self.containers.publish(c, "exec_create", {"execID": exec_id})
        return exec_id

    def ids_of(self, c: Container) -> list[str]:
        return [e.id for e in self.execs.values() if e.container is c and not (e.started and not e.running)]

    async def start(self, exec_id: str) -> Exec:
        """Start the exec detached (no one reads its output)."""
        e = await self.prepare(exec_id, attached=False)
        await self.launch(e)
        return e

    async def prepare(self, exec_id: str, *, attached: bool) -> Exec:
        """Make the exec's process and stdio ready; :meth:`launch` starts it. Between the two an
        attached client subscribes to its output, so that nothing it prints is lost."""
        e = self.get(exec_id)
        if e.started:
            raise APIError(409, f"Exec {exec_id} has already been started")
        c = e.container
        if c.status != rec.RUNNING:
            raise APIError(409, f"Container {c.id} is not running")
        e.started = True
        runtime = self.containers.runtime
        try:
            spec = await runtime.spec(c.id)
            user = None
            if e.config.get("User"):
                mounts = await runtime.mounts(c.id)
                passwd, group = await asyncio.to_thread(
                    lambda: (find_in_layers(mounts, "etc/passwd"), find_in_layers(mounts, "etc/group"))
                )
                user = resolve_user(str(e.config["User"]), passwd, group)
            e.process = process_for_exec(
                spec,
                args=[str(a) for a in e.config["Cmd"]],
                env=[str(v) for v in e.config.get("Env") or []],
                user=user,
                cwd=str(e.config.get("WorkingDir") or ""),
                tty=e.tty,
                privileged=bool(e.config.get("Privileged")),
            )
        except APIError:
            e.started = False
            raise
        size = e.config.get("ConsoleSize")
        if e.tty and isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) and n > 0 for n in size):
            e.process["consoleSize"] = {"height": size[0], "width": size[1]}
        stdin = bool(e.config.get("AttachStdin")) and attached
        e.io = ContainerIO.create(self.containers.fifo_root, exec_id, stdin=stdin, tty=e.tty)
        e.io.start(None)
        return e

    async def launch(self, e: Exec) -> None:
        """Add the prepared process to the container's task and start it; a failure (no such
        command...) is recorded as Docker does (126, or 127 when the command is not found)."""
        runtime = self.containers.runtime
        io = e.io
        assert io is not None
        cid = e.container.id
        try:
            await runtime.exec(
                cid, e.id, e.process, stdin=io.stdin_path, stdout=io.stdout_path, stderr=io.stderr_path,
                terminal=e.tty,
            )  # fmt: skip
            e.pid = await runtime.start_process(cid, e.id)
            # Unlike a task's, an exec's FIFOs are opened by the shim at Start, not at Exec.
            io.task_started()
        except APIError as err:
            with contextlib.suppress(APIError):
                await runtime.delete_process(cid, e.id)
            await io.close()
            e.io = None
            e.exit_code = 127 if "not found" in err.message or "no such file" in err.message else 126
            e.finished_at = time.monotonic()
            e.done.set()
            e.launched.set()
            raise
        e.running = True
        e.launched.set()
        self.containers.publish(e.container, "exec_start", {"execID": e.id})
        asyncio.get_running_loop().create_task(self._watch(e), name=f"exec {e.id[:12]}")

    async def _watch(self, e: Exec) -> None:
        runtime = self.containers.runtime
        cid = e.container.id
        while True:
            try:
                code, _ = await runtime.wait_process(cid, e.id)
                break
            except APIError as err:
                if err.status == 404:
                    code = 137 if e.container.status != rec.RUNNING else 255
                    break
                await asyncio.sleep(0.5)
        if e.io is not None:
            with contextlib.suppress(TimeoutError):
                await e.io.wait_output_closed(2.0)
        with contextlib.suppress(APIError):
            await runtime.delete_process(cid, e.id)
        if e.io is not None:
            await e.io.close()
            e.io = None
        e.exit_code, e.running = code, False
        e.finished_at = time.monotonic()
        e.done.set()
        self.containers.publish(e.container, "exec_die", {"execID": e.id, "exitCode": str(code)})

    async def wait_recorded(self, e: Exec) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(e.done.wait(), EXIT_GRACE)

    async def resize(self, exec_id: str, width: int, height: int) -> None:
        """Resize the exec's terminal. One started a moment ago is waited for (``LAUNCH_WAIT`` at
        most, as dockerd waits): the Docker CLI resizes as soon as its start's stream opens, which
        pouchd answers before the process runs."""
        e = self.get(exec_id)
        if e.started and not e.launched.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(e.launched.wait(), LAUNCH_WAIT)
        if not e.running:
            raise APIError(409, f"Exec {exec_id} is not running")
        await self.containers.runtime.resize(e.container.id, width, height, exec_id=exec_id)

    def forget(self, c: Container) -> None:
        """The container is removed: its execs are forgotten."""
        for exec_id in [e.id for e in self.execs.values() if e.container is c]:
            del self.execs[exec_id]

    def _forget_finished(self) -> None:
        finished = [e for e in self.execs.values() if e.done.is_set()]
        if len(finished) > MAX_FINISHED:
            finished.sort(key=lambda e: e.finished_at)
            for e in finished[: len(finished) - MAX_FINISHED]:
                del self.execs[e.id]
