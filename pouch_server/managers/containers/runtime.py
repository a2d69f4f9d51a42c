"""The containerd calls one container's life is made of (pouch's ctrd/container.go), over pouchd's
containerd client: the snapshot that is its root filesystem, the containerd container that holds
its OCI spec, and the task (runc, through containerd's runc v2 shim) that runs it."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from google.protobuf import any_pb2

from containerd_api.github.com.containerd.containerd.api.services.containers.v1 import containers_pb2
from containerd_api.github.com.containerd.containerd.api.services.snapshots.v1 import snapshots_pb2
from containerd_api.github.com.containerd.containerd.api.services.tasks.v1 import tasks_pb2
from containerd_api.github.com.containerd.containerd.api.types import mount_pb2
from containerd_api.github.com.containerd.containerd.api.types.task import task_pb2
from containerd_api.github.com.containerd.containerd.runtime.v2.runc.options import oci_pb2
from pouch_server.ctrd.client import ContainerdClient
from pouch_server.errors import APIError

log = logging.getLogger("pouchd")

#: containerd's runtime for runc (its runc v2 shim), as containerd 1.6 defaults to.
RUNTIME: Final = "io.containerd.runc.v2"
#: The type URLs containerd's own client gives these payloads.
SPEC_TYPE_URL: Final = "types.containerd.io/opencontainers/runtime-spec/1/Spec"
RUNC_OPTIONS_TYPE_URL: Final = "containerd.runc.v1.Options"
PROCESS_TYPE_URL: Final = "types.containerd.io/opencontainers/runtime-spec/1/Process"
RESOURCES_TYPE_URL: Final = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources"
#: The label on the snapshot a container writes to, naming it (``ctr snapshots ls`` shows it).
CONTAINER_LABEL: Final = "io.alibaba.pouch.container"


@dataclass(frozen=True)
class TaskState:
    """What containerd says of a container's task."""

    pid: int
    status: str  # containerd's: created, running, stopped, paused, pausing, unknown
    exit_status: int
    exited_at_ns: int


class Runtime:
    """Snapshots, containerd containers and tasks in pouchd's namespace."""

    def __init__(self, client: ContainerdClient, *, snapshotter: str, runc_root: Path, lease: str) -> None:
        self.client = client
        self.snapshotter = snapshotter
        self.runc_root = runc_root
        self.lease = lease  # pouchd's lease: keeps every container's snapshot from the garbage collector

    # --- the root filesystem ------------------------------------------------------------------
    async def prepare_snapshot(self, key: str, parent: str) -> None:
        """The writable snapshot ``key`` on the image's top layer ``parent`` (its chain ID)."""
        client = self.client
        await client.call(
            client.snapshots.Prepare,
            snapshots_pb2.PrepareSnapshotRequest(
                snapshotter=self.snapshotter, key=key, parent=parent, labels={CONTAINER_LABEL: key}
            ),
            lease=self.lease,
        )

    async def mounts(self, key: str) -> list[mount_pb2.Mount]:
        client = self.client
        answer = await client.call(
            client.snapshots.Mounts, snapshots_pb2.MountsRequest(snapshotter=self.snapshotter, key=key)
        )
        return list(answer.mounts)

    async def remove_snapshot(self, key: str) -> None:
        client = self.client
        try:
            await client.call(
                client.snapshots.Remove, snapshots_pb2.RemoveSnapshotRequest(snapshotter=self.snapshotter, key=key)
            )
        except APIError as e:
            if e.status != 404:
                raise

    # --- the containerd container and its task --------------------------------------------------
    async def create_container(self, cid: str, image: str, spec: Mapping[str, Any], labels: Mapping[str, str]) -> None:
        """containerd's record of the container: its spec, runtime and snapshot. One left by a
        pouchd that was killed between a start and the exit it did not see is replaced."""
        options = oci_pb2.Options(root=str(self.runc_root))
        container = containers_pb2.Container(
            id=cid,
            image=image,
            labels=dict(labels),
            runtime=containers_pb2.Container.Runtime(
                name=RUNTIME, options=any_pb2.Any(type_url=RUNC_OPTIONS_TYPE_URL, value=options.SerializeToString())
            ),
            spec=any_pb2.Any(type_url=SPEC_TYPE_URL, value=json.dumps(spec).encode()),
            snapshotter=self.snapshotter,
            snapshot_key=cid,
        )
        client = self.client
        try:
            await client.call(client.containers.Create, containers_pb2.CreateContainerRequest(container=container))
        except APIError as e:
            if e.status != 409:
                raise
            await self.delete_task(cid)
            await self.delete_container(cid)
            await client.call(client.containers.Create, containers_pb2.CreateContainerRequest(container=container))

    async def delete_container(self, cid: str) -> None:
        client = self.client
        try:
            await client.call(client.containers.Delete, containers_pb2.DeleteContainerRequest(id=cid))
        except APIError as e:
            if e.status != 404:
                raise

    async def spec(self, cid: str) -> dict[str, Any]:
        """The OCI spec containerd holds for the container (while it runs)."""
        client = self.client
        answer = await client.call(client.containers.Get, containers_pb2.GetContainerRequest(id=cid))
        spec: dict[str, Any] = json.loads(answer.container.spec.value)
        return spec

    async def create_task(
        self,
        cid: str,
        rootfs: Sequence[mount_pb2.Mount],
        *,
        stdin: str,
        stdout: str,
        stderr: str,
        terminal: bool,
    ) -> int:
        client = self.client
        answer = await client.call(
            client.tasks.Create,
            tasks_pb2.CreateTaskRequest(
                container_id=cid, rootfs=list(rootfs), stdin=stdin, stdout=stdout, stderr=stderr, terminal=terminal
            ),
        )
        return answer.pid

    async def start_task(self, cid: str) -> int:
        client = self.client
        answer = await client.call(client.tasks.Start, tasks_pb2.StartRequest(container_id=cid))
        return answer.pid

    async def wait_task(self, cid: str) -> tuple[int, int]:
        """Until the task exits: its exit status and when (Unix ns). Long: no timeout."""
        client = self.client
        answer = await client.call(client.tasks.Wait, tasks_pb2.WaitRequest(container_id=cid))
        return answer.exit_status, _ns(answer.exited_at)

    async def task(self, cid: str) -> TaskState | None:
        """The task's state, None when there is none."""
        client = self.client
        try:
            answer = await client.call(client.tasks.Get, tasks_pb2.GetRequest(container_id=cid))
        except APIError as e:
            if e.status == 404:
                return None
            raise
        process = answer.process
        status = task_pb2.Status.Name(process.status).lower()
        return TaskState(process.pid, status, process.exit_status, _ns(process.exited_at))

    async def task_io(self, cid: str) -> tuple[str, str, str]:
        """The FIFO paths the task was created with (stdin, stdout, stderr)."""
        client = self.client
        answer = await client.call(client.tasks.Get, tasks_pb2.GetRequest(container_id=cid))
        return answer.process.stdin, answer.process.stdout, answer.process.stderr

    async def kill(self, cid: str, sig: int = signal.SIGTERM, *, all: bool = False) -> None:
        client = self.client
        await client.call(client.tasks.Kill, tasks_pb2.KillRequest(container_id=cid, signal=sig, all=all))

    async def delete_task(self, cid: str) -> tuple[int, int] | None:
        """Delete the task (it must have exited, or never started): its exit status and time, or
        None when there was no task."""
        client = self.client
        try:
            answer = await client.call(client.tasks.Delete, tasks_pb2.DeleteTaskRequest(container_id=cid))
        except APIError as e:
            if e.status == 404:
                return None
            raise
        return answer.exit_status, _ns(answer.exited_at)

    async def force_delete_task(self, cid: str) -> None:
        """A task that will not go: SIGKILL all its processes, then delete it."""
        try:
            await self.kill(cid, signal.SIGKILL, all=True)
        except APIError as e:
            if e.status != 404:
                log.debug("kill of %s before delete: %s", cid, e.message)
        for _ in range(50):
            try:
                await self.delete_task(cid)
                return
            except APIError as e:
                if e.status == 404:
                    return
                await asyncio.sleep(0.1)
        await self.delete_task(cid)

    # --- execs: more processes in a running task ------------------------------------------------
    async def exec(
        self,
        cid: str,
        exec_id: str,
        process: Mapping[str, Any],
        *,
        stdin: str,
        stdout: str,
        stderr: str,
        terminal: bool,
    ) -> None:
        client = self.client
        spec = any_pb2.Any(type_url=PROCESS_TYPE_URL, value=json.dumps(process).encode())
        await client.call(
            client.tasks.Exec,
            tasks_pb2.ExecProcessRequest(
                container_id=cid, exec_id=exec_id, stdin=stdin, stdout=stdout, stderr=stderr, terminal=terminal,
                spec=spec,
            ),
        )  # fmt: skip

    async def start_process(self, cid: str, exec_id: str) -> int:
        client = self.client
        answer = await client.call(client.tasks.Start, tasks_pb2.StartRequest(container_id=cid, exec_id=exec_id))
        return answer.pid

    async def wait_process(self, cid: str, exec_id: str) -> tuple[int, int]:
        client = self.client
        answer = await client.call(client.tasks.Wait, tasks_pb2.WaitRequest(container_id=cid, exec_id=exec_id))
        return answer.exit_status, _ns(answer.exited_at)

    async def delete_process(self, cid: str, exec_id: str) -> None:
        client = self.client
        try:
            await client.call(
                client.tasks.DeleteProcess, tasks_pb2.DeleteProcessRequest(container_id=cid, exec_id=exec_id)
            )
        except APIError as e:
            if e.status != 404:
                raise

    async def update(self, cid: str, resources: Mapping[str, Any]) -> None:
        """New cgroup limits for a running task (an OCI ``LinuxResources``)."""
        client = self.client
        value = any_pb2.Any(type_url=RESOURCES_TYPE_URL, value=json.dumps(resources).encode())
        await client.call(client.tasks.Update, tasks_pb2.UpdateTaskRequest(container_id=cid, resources=value))

    async def pause(self, cid: str) -> None:
        client = self.client
        await client.call(client.tasks.Pause, tasks_pb2.PauseTaskRequest(container_id=cid))

    async def resume(self, cid: str) -> None:
        client = self.client
        await client.call(client.tasks.Resume, tasks_pb2.ResumeTaskRequest(container_id=cid))

    async def pids(self, cid: str) -> list[int]:
        client = self.client
        answer = await client.call(client.tasks.ListPids, tasks_pb2.ListPidsRequest(container_id=cid))
        return [p.pid for p in answer.processes]

    async def resize(self, cid: str, width: int, height: int, exec_id: str = "") -> None:
        client = self.client
        await client.call(
            client.tasks.ResizePty,
            tasks_pb2.ResizePtyRequest(container_id=cid, exec_id=exec_id, width=width, height=height),
        )

    async def close_stdin(self, cid: str, exec_id: str = "") -> None:
        client = self.client
        await client.call(client.tasks.CloseIO, tasks_pb2.CloseIORequest(container_id=cid, exec_id=exec_id, stdin=True))


def _ns(timestamp: Any) -> int:
    return int(timestamp.seconds) * 1_000_000_000 + int(timestamp.nanos)
