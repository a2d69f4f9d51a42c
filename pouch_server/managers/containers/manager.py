"""Containers (pouch's daemon/mgr/container*.go): records under ``<home>/containers``, each run as
a containerd task by runc.

A container is, as in pouch, a writable snapshot of its image made at create, plus, while it
runs, a containerd container (its OCI spec) and a task. When the task exits, both are deleted and
the record says how it ended; the snapshot goes with the container. Every container that runs has
a watcher: a ``Tasks.Wait`` call that outlives a containerd restart (the call is made again once
containerd answers: the shim, and so the task, survives it), so exits are seen whichever pouchd
or containerd restarted meanwhile. pouchd's own restart re-adopts running tasks (:meth:`load`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shlex
import shutil
import signal
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any, Final

from containerd_api.github.com.containerd.containerd.api.events import task_pb2 as task_events_pb2
from containerd_api.github.com.containerd.containerd.api.services.events.v1 import events_pb2
from containerd_api.github.com.containerd.containerd.api.types import mount_pb2
from pouch_server.ctrd.client import ContainerdClient
from pouch_server.ctrd.engine import Engine
from pouch_server.errors import APIError
from pouch_server.gojson import ZERO_TIME, go_time
from pouch_server.managers.containers import record as rec
from pouch_server.managers.containers.record import Container, ContainerIndex, check_name, new_id
from pouch_server.managers.containers.runtime import Runtime
from pouch_server.managers.containers.spec import SpecInput, User, build_spec, oom_score_adj_floor, resolve_user
from pouch_server.managers.containers.stdio import ContainerIO
from pouch_server.managers.events import EventBus, FilterError, parse_filters
from pouch_server.managers.images.manager import ImageManager
from pouch_server.managers.images.unpack import chain_ids

log = logging.getLogger("pouchd")

#: The lease that keeps every container's snapshot from containerd's garbage collector (pouch's).
LEASE: Final = "pouchd.lease"
#: How long a stop waits for SIGTERM by default, in seconds (pouch's and docker's).
STOP_TIMEOUT: Final = 10
#: How long the output of an exited task gets to drain into the log before its FIFOs close.
DRAIN_TIMEOUT: Final = 2.0
#: Restart policies pouch knows.
RESTART_POLICIES: Final = ("", "no", "always", "on-failure", "unless-stopped")
NETWORK_MODES: Final = ("", "default", "bridge", "none", "host")
#: Restart back-off, in seconds: first delay, longest, and how long a run resets it.
RESTART_DELAY_MIN: Final = 0.1
RESTART_DELAY_MAX: Final = 60.0
RESTART_RESET_AFTER: Final = 10.0
#: The list's filters (pouch's, and Docker's ``ancestor``).
LIST_FILTERS: Final = ("id", "name", "status", "label", "ancestor")
#: How long ``top`` waits for the host's ``ps``.
TOP_TIMEOUT: Final = 10.0


def _signal_number(value: str | int | None, default: int = signal.SIGTERM) -> int:
    """A signal as Docker names them: ``SIGTERM``, ``TERM``, ``15``."""
    if value is None or value == "":
        return int(default)
    if isinstance(value, int) or str(value).isdigit():
        number = int(value)
        if 0 < number < 65:
            return number
        raise APIError(400, f"Invalid signal: {value}")
    name = str(value).upper()
    if not name.startswith("SIG"):
        name = "SIG" + name
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise APIError(400, f"Invalid signal: {value}") from None


def restart_wanted(host_config: Mapping[str, Any], code: int, restarts: int) -> bool:
    """Whether a container that exited by itself with ``code`` is started again by its policy."""
    policy = host_config.get("RestartPolicy") or {}
    name = policy.get("Name") or "no"
    if name in ("always", "unless-stopped"):
        return True
    if name == "on-failure":
        limit = int(policy.get("MaximumRetryCount") or 0)
        return code != 0 and (limit <= 0 or restarts < limit)
    return False


def _restarts_with_the_daemon(c: Container) -> bool:
    """Docker's rule at daemon start: ``always`` containers start again (even those stopped by
    hand), ``unless-stopped`` ones unless stopped by hand."""
    name = (c.host_config.get("RestartPolicy") or {}).get("Name")
    return (name == "always" and c.status in (rec.EXITED, rec.STOPPED)) or (
        name == "unless-stopped" and c.status == rec.EXITED
    )


def _merge_env(image_env: list[str], user_env: list[str]) -> list[str]:
    """The image's environment with the user's on top (the user's value of a variable wins)."""
    merged: dict[str, str] = {}
    for entry in [*image_env, *user_env]:
        key = entry.partition("=")[0]
        merged[key] = entry
    return list(merged.values())


def merge_image_config(config: dict[str, Any], image_config: Mapping[str, Any]) -> None:
    """What the container takes from its image (pouch's container_types.go merge): the command when
    neither Entrypoint nor Cmd is given, the Entrypoint when none is given, the environment under
    the user's, WorkingDir, User and StopSignal when unset, the image's labels under the user's."""
    image = image_config.get("config") or {}
    if not isinstance(image, Mapping):
        image = {}
    if not config.get("Entrypoint") and not config.get("Cmd"):
        config["Cmd"] = list(image.get("Cmd") or [])
    if not config.get("Entrypoint"):
        config["Entrypoint"] = list(image.get("Entrypoint") or []) or None
    config["Env"] = _merge_env(list(image.get("Env") or []), list(config.get("Env") or []))
    for key in ("WorkingDir", "User", "StopSignal"):
        if not config.get(key) and image.get(key):
            config[key] = image[key]
    labels = dict(image.get("Labels") or {})
    labels.update(config.get("Labels") or {})
    config["Labels"] = labels


def _etc_hosts(hostname: str, host_network: bool) -> bytes:
    if host_network:
        try:
            return Path("/etc/hosts").read_bytes()
        except OSError:
            pass
    return (
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
        f"127.0.1.1\t{hostname}\n"
    ).encode()


def find_in_layers(mounts: list[mount_pb2.Mount], relative: str) -> str | None:
    """The text of ``relative`` (e.g. ``etc/passwd``) in the root filesystem ``mounts`` describe,
    read from the snapshot's directories (the upper one first, then each lower) without mounting."""
    dirs: list[str] = []
    for mount in mounts:
        if mount.type == "bind" or "bind" in mount.options:
            dirs.append(mount.source)
            continue
        upper = [o.partition("=")[2] for o in mount.options if o.startswith("upperdir=")]
        lower = [o.partition("=")[2] for o in mount.options if o.startswith("lowerdir=")]
        dirs.extend(upper)
        for entry in lower:
            dirs.extend(entry.split(":"))
    for directory in dirs:
        path = os.path.join(directory, relative)
        try:
            with open(path, "rb") as f:
                return f.read(1 << 20).decode(errors="replace")
        except OSError:
            continue
    return None


class ContainerManager:
    """The containers of one pouchd. :meth:`load` (after the image manager's) reads the records
    and re-adopts running tasks; every change goes through the methods here."""

    def __init__(
        self,
        events: EventBus,
        images: ImageManager,
        *,
        home: Path,
        snapshotter: str,
        namespace: str,
        default_log_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.events = events
        self.images = images
        self.home = home
        self.snapshotter = snapshotter
        self.namespace = namespace
        self.index = ContainerIndex(home / "containers")
        self.fifo_root = home / "fifo"
        self.runc_root = home / "runc"
        self.default_log_config = dict(default_log_config or {"Type": "json-file", "Config": {}})
        self._runtime: Runtime | None = None
        self._remove_hooks: list[Callable[[Container], None]] = []
        self._oom_watcher: asyncio.Task[None] | None = None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise APIError(500, "containerd is not connected yet")
        return self._runtime

    @property
    def count(self) -> int:
        return len(self.index)

    def counts(self) -> tuple[int, int, int, int]:
        """Containers in all, running, paused, stopped (for /info)."""
        running = paused = 0
        for c in self.index:
            if c.status == rec.RUNNING:
                running += 1
            elif c.status == rec.PAUSED:
                paused += 1
        total = len(self.index)
        return total, running, paused, total - running - paused

    # --- start and stop of pouchd ------------------------------------------------------------------
    async def load(self, engine: Engine) -> None:
        """Read the records; a container that was running gets its task back (live restore): its
        output is read again and its exit watched; one whose task ended meanwhile is marked
        exited with the task's exit status."""
        from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2

        client = engine.client
        for path in (self.fifo_root, self.runc_root):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            await client.call(client.leases.Create, leases_pb2.CreateRequest(id=LEASE))
        except APIError as e:
            if e.status != 409:
                raise
        self._runtime = Runtime(client, snapshotter=self.snapshotter, runc_root=self.runc_root, lease=LEASE)
        self._oom_watcher = asyncio.get_running_loop().create_task(self._watch_oom(client), name="oom events")
        for container in await asyncio.to_thread(self.index.load):
            if container.is_running:
                try:
                    await self._restore(container)
                except APIError as e:
                    log.warning("container %s could not be restored: %s", container.id, e.message)
            elif _restarts_with_the_daemon(container):
                self._schedule_restart(container)

    async def _restore(self, c: Container) -> None:
        runtime = self.runtime
        task = await runtime.task(c.id)
        if task is None or task.status == "stopped":
            code, at = (task.exit_status, task.exited_at_ns) if task is not None else (255, time.time_ns())
            await runtime.delete_task(c.id)
            await runtime.delete_container(c.id)
            c.set_exited(code, stopped=bool(c.meta.get("StopRequested")), finished_at=go_time(at))
            await c.save()
            self.publish(c, "die", {"exitCode": str(code)})
            log.info("container %s exited while pouchd was away (code %d)", c.id, code)
            return
        stdin, stdout, stderr = await runtime.task_io(c.id)
        fifo_dir = Path(stdout or stderr or stdin).parent if (stdout or stderr or stdin) else None
        if fifo_dir is not None and fifo_dir.is_dir():
            c.io = ContainerIO.reopen(fifo_dir, c.id, stdin=bool(stdin), tty=c.tty)
            c.io.start(self._log_sink(c))
            c.io.task_started()
            c.io_ready.set()
        if task.status == "paused" and c.status != rec.PAUSED:
            c.set_paused(True)
        c.exited.clear()
        self._watch(c)

    async def _watch_oom(self, client: ContainerdClient) -> None:
        """containerd's ``/tasks/oom`` events of pouchd's namespace, for as long as pouchd runs
        (subscribed again after containerd restarts): the container is marked ``OOMKilled`` and
        an ``oom`` event published (pouch's ctrd/client.go)."""
        request = events_pb2.SubscribeRequest(filters=[f'namespace=={self.namespace},topic=="/tasks/oom"'])
        while True:
            try:
                async for envelope in client.stream(client.events.Subscribe, request):
                    # Any.Unpack wants a type URL with a "/"; containerd's is the bare type name.
                    oom = task_events_pb2.TaskOOM.FromString(envelope.event.value)
                    c = self.index.by_id.get(oom.container_id)
                    if c is not None:
                        c.state["OOMKilled"] = True
                        self.publish(c, "oom")
            except APIError as e:
                log.debug("containerd's events: %s; again in a moment", e.message)
            await asyncio.sleep(0.5)

    async def close(self) -> None:
        """Stop watching (pouchd is stopping; the containers keep running, their shims are
        containerd's) and close what pouchd holds of their output."""
        if self._oom_watcher is not None:
            self._oom_watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._oom_watcher
        for c in self.index:
            if c.watcher is not None:
                c.watcher.cancel()
        for c in self.index:
            if c.watcher is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await c.watcher
            if c.io is not None:
                with contextlib.suppress(Exception):
                    await c.io.close(remove=False)
                c.io = None

    def on_remove(self, hook: Callable[[Container], None]) -> None:
        """Call ``hook`` with each container removed (the exec manager forgets its execs)."""
        self._remove_hooks.append(hook)

    # --- look-up ------------------------------------------------------------------------------------
    def get(self, ref: str) -> Container:
        return self.index.get(ref)

    # --- create ---------------------------------------------------------------------------------------
    async def create(self, name: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
        """A new container from ``body`` (ContainerCreateConfig); its ID, name and warnings."""
        config = {k: v for k, v in body.items() if k not in ("HostConfig", "NetworkingConfig")}
        host_config = dict(body.get("HostConfig") or {})
        networking = dict(body.get("NetworkingConfig") or {})
        image_ref = config.get("Image")
        if not isinstance(image_ref, str) or not image_ref:
            raise APIError(400, "image can not be empty")
        if name:
            name = check_name(name)
            if name in self.index.by_name:
                raise APIError(409, f"container name {name}: already existed")
        details, matched = self.images.lookup(image_ref)
        warnings = self._check_host_config(host_config)
        cid = new_id(self.index.by_id)
        name = name or self.index.free_name(cid)
        config["Image"] = matched or image_ref
        merge_image_config(config, details.config)
        if not config.get("Hostname"):
            config["Hostname"] = cid[:12]
        if not config.get("Cmd") and not config.get("Entrypoint"):
            raise APIError(400, "No command specified")
        log_config = host_config.get("LogConfig") or {}
        if not log_config.get("Type"):
            host_config["LogConfig"] = dict(self.default_log_config)
        elif log_config["Type"] not in ("json-file", "none"):
            raise APIError(400, f"unsupported log driver {log_config['Type']}: pouchd has json-file and none")
        if not host_config.get("NetworkMode"):
            host_config["NetworkMode"] = "bridge"
        host_config.setdefault("RestartPolicy", {"Name": "no"})
        host_config.setdefault("Runtime", "runc")
        directory = self.index.directory(cid)
        # The spec is built once now so that what it would refuse is refused at create (400).
        build_spec(self._spec_input(cid, config, host_config, User(0, 0), directory))
        created = rec.now_rfc3339()
        meta: dict[str, Any] = {
            "Id": cid,
            "Name": name,
            "Image": details.id,
            "Created": created,
            "State": {
                "Status": rec.CREATED,
                "Running": False,
                "Paused": False,
                "Restarting": False,
                "OOMKilled": False,
                "Dead": False,
                "Pid": 0,
                "ExitCode": 0,
                "Error": "",
                "StartedAt": ZERO_TIME,
                "FinishedAt": ZERO_TIME,
            },
            "Config": config,
            "HostConfig": host_config,
            "NetworkSettings": {"Networks": networking.get("EndpointsConfig") or {}},
            "Mounts": [],
            "Snapshotter": {"Name": self.snapshotter, "Data": {}},
            "LogPath": "",
            "RestartCount": 0,
            "HostnamePath": str(directory / "hostname"),
            "HostsPath": str(directory / "hosts"),
            "ResolvConfPath": str(directory / "resolv.conf"),
            "Driver": self.snapshotter,
        }
        diff_ids = details.diff_ids
        parent = chain_ids(diff_ids)[-1] if diff_ids else ""
        c = Container(meta, directory)
        self.index.add(c)  # the name is taken from now on
        try:
            await asyncio.to_thread(self._write_files, c)
            await self.runtime.prepare_snapshot(cid, parent)
            await c.save()
        except BaseException:
            self.index.remove(c)
            with contextlib.suppress(Exception):
                await self.runtime.remove_snapshot(cid)
            shutil.rmtree(directory, ignore_errors=True)
            raise
        self.publish(c, "create")
        return {"Id": cid, "Name": name, "Warnings": warnings}

    def _check_host_config(self, hc: Mapping[str, Any]) -> list[str]:
        warnings: list[str] = []
        for key in ("Memory", "MemorySwap", "MemoryReservation", "KernelMemory"):
            value = hc.get(key)
            if isinstance(value, int) and value < 0 and not (key == "MemorySwap" and value == -1):
                raise APIError(400, f"invalid {key} {value}: it may not be negative")
        for key in ("CpuShares", "CPUShares", "CpuQuota", "CPUQuota", "CpuPeriod", "CPUPeriod"):
            value = hc.get(key)
            if isinstance(value, int) and value < 0 and not (key.lower() == "cpuquota" and value == -1):
                raise APIError(400, f"invalid {key} {value}: it may not be negative")
        policy = hc.get("RestartPolicy") or {}
        name = policy.get("Name") or ""
        if name not in RESTART_POLICIES:
            raise APIError(400, f"invalid restart policy {name}: want one of no, always, on-failure, unless-stopped")
        mode = hc.get("NetworkMode") or ""
        if mode not in NETWORK_MODES:
            raise APIError(400, f"network mode {mode} is not supported: pouchd has none and host (and bridge as none)")
        oom, floor = hc.get("OomScoreAdj"), oom_score_adj_floor()
        if isinstance(oom, int) and floor is not None and oom < floor:
            warnings.append(
                f"pouchd cannot lower a process's oom_score_adj below {floor} here (it lacks CAP_SYS_RESOURCE): "
                f"OomScoreAdj {oom} is applied as {floor}"
            )
        if mode in ("", "default", "bridge"):
            warnings.append(
                f"network mode {mode or 'bridge'}: pouchd has no bridge network yet; the container gets its own "
                "network namespace with loopback only (as --net none)"
            )
        return warnings

    def _write_files(self, c: Container) -> None:
        c.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        hostname = str(c.config.get("Hostname") or c.id[:12])
        host_network = c.host_config.get("NetworkMode") == "host"
        (c.dir / "hostname").write_text(hostname + "\n")
        (c.dir / "hosts").write_bytes(_etc_hosts(hostname, host_network))
        try:
            resolv = Path("/etc/resolv.conf").read_bytes()
        except OSError:
            resolv = b""
        (c.dir / "resolv.conf").write_bytes(resolv)
        for name in ("hostname", "hosts", "resolv.conf"):
            os.chmod(c.dir / name, 0o644)

    def _spec_input(
        self, cid: str, config: Mapping[str, Any], host_config: Mapping[str, Any], user: User, directory: Path
    ) -> SpecInput:
        return SpecInput(
            id=cid,
            config=config,
            host_config=host_config,
            user=user,
            cgroups_path=f"/{self.namespace}/{cid}",  # as cgroups_path()
            etc_files={
                "/etc/hostname": str(directory / "hostname"),
                "/etc/hosts": str(directory / "hosts"),
                "/etc/resolv.conf": str(directory / "resolv.conf"),
            },
        )

    # --- start ------------------------------------------------------------------------------------------
    async def start(self, ref: str) -> bool:
        """Start the container; False when it was running already (pouch's 304)."""
        c = self.get(ref)
        await self._cancel_restart(c)
        async with c.lock:
            if c.status == rec.PAUSED:
                raise APIError(409, "cannot start a paused container, try unpause instead")
            if c.status == rec.RUNNING:
                return False
            await self._start(c)
        self.publish(c, "start")
        return True

    async def _start(self, c: Container) -> None:
        runtime = self.runtime
        mounts = await runtime.mounts(c.id)
        user_text = str(c.config.get("User") or "")
        passwd, group = await asyncio.to_thread(
            lambda: (find_in_layers(mounts, "etc/passwd"), find_in_layers(mounts, "etc/group"))
        )
        user = resolve_user(user_text, passwd, group)
        spec = build_spec(self._spec_input(c.id, c.config, c.host_config, user, c.dir))
        log_config = c.host_config.get("LogConfig") or {}
        sink = None
        if log_config.get("Type", "json-file") == "json-file":
            c.meta["LogPath"] = str(c.dir / "json.log")
        io = ContainerIO.create(self.fifo_root, c.id, stdin=bool(c.config.get("OpenStdin")), tty=c.tty)
        sink = self._log_sink(c)
        io.start(sink)
        c.meta["FifoDir"] = str(io.fifo_dir)
        # Attached clients subscribe from now: before the process can print anything.
        c.io = io
        c.io_ready.set()
        c.exited.clear()  # running from now on for whoever waits (set again if the start fails)
        c.state["OOMKilled"] = False  # now: containerd's oom event may come before Start answers
        labels = {str(k): str(v) for k, v in (c.config.get("Labels") or {}).items()}
        try:
            await runtime.create_container(c.id, str(c.config.get("Image", "")), spec, labels)
            try:
                await runtime.create_task(
                    c.id, mounts, stdin=io.stdin_path, stdout=io.stdout_path, stderr=io.stderr_path, terminal=c.tty
                )
                io.task_started()
                started_at = rec.now_rfc3339()  # before: the process may be done when Start answers
                pid = await runtime.start_task(c.id)
            except APIError:
                with contextlib.suppress(Exception):
                    await runtime.force_delete_task(c.id)
                with contextlib.suppress(Exception):
                    await runtime.delete_container(c.id)
                raise
        except APIError as e:
            c.io = None
            c.io_ready.clear()
            await io.close()
            message = e.message
            code = (
                127
                if "not found" in message or "no such file" in message
                else 126
                if "permission denied" in message
                else 128
            )
            c.set_exited(code, stopped=False, error=message)
            await c.save()
            # The container is exited now: its die says so, with the code. (The Docker CLI's
            # `run --rm` at API 1.24 waits for that event to remove the container and end.)
            self.publish(c, "die", {"exitCode": str(code)})
            status = 400 if code in (126, 127) else e.status if e.status >= 400 else 500
            raise APIError(status, message) from e
        c.set_running(pid, started_at)
        c.meta["RestartCount"] = c.meta.get("RestartCount", 0)
        await c.save()
        self._watch(c)

    def _log_sink(self, c: Container) -> Any:
        from pouch_server.managers.containers.logs import JSONFileLog

        log_config = c.host_config.get("LogConfig") or {}
        if log_config.get("Type", "json-file") != "json-file":
            return None
        options = log_config.get("Config") or {}
        return JSONFileLog(c.dir, max_size=_size(options.get("max-size")), max_file=_count(options.get("max-file")))

    # --- exits --------------------------------------------------------------------------------------------
    def _watch(self, c: Container) -> None:
        c.watcher = asyncio.get_running_loop().create_task(self._wait_exit(c), name=f"watch {c.id[:12]}")

    async def _wait_exit(self, c: Container) -> None:
        """Until the task exits (across containerd restarts), then record how it ended."""
        runtime = self.runtime
        while True:
            try:
                code, at = await runtime.wait_task(c.id)
                break
            except APIError as e:
                if e.status == 404:  # the task is gone: deleted by someone else
                    code, at = 255, time.time_ns()
                    break
                log.debug("waiting on %s: %s; again in a moment", c.id, e.message)
                await asyncio.sleep(0.5)
        await self._exited(c, code, at)

    async def _exited(self, c: Container, code: int, at: int) -> None:
        async with c.lock:
            if c.io is not None:
                with contextlib.suppress(TimeoutError):
                    await c.io.wait_output_closed(DRAIN_TIMEOUT)
            runtime = self.runtime
            try:
                await runtime.delete_task(c.id)
                await runtime.delete_container(c.id)
            except APIError as e:
                log.warning("cleaning up after %s exited: %s", c.id, e.message)
            if c.io is not None:
                await c.io.close()
                c.io = None
            c.io_ready.clear()
            c.meta.pop("FifoDir", None)
            stopped = bool(c.meta.get("StopRequested"))
            c.set_exited(code, stopped=stopped, finished_at=go_time(at))
            c.watcher = None
            await c.save()
        self.publish(c, "die", {"exitCode": str(code)})
        if c.host_config.get("AutoRemove"):
            with contextlib.suppress(APIError):
                await self.remove(c.id, force=True)
        elif not stopped and restart_wanted(c.host_config, code, int(c.meta.get("RestartCount", 0))):
            self._schedule_restart(c)

    # --- restart policies -------------------------------------------------------------------------
    def _schedule_restart(self, c: Container) -> None:
        """Start ``c`` again after a back-off (Docker's: 100 ms, doubled at each restart in a
        row, at most a minute; back to 100 ms once a run lasted 10 s)."""
        ran = time.time() - rec.parse_rfc3339(str(c.state.get("StartedAt", "")))
        c.restart_delay = (
            RESTART_DELAY_MIN
            if ran >= RESTART_RESET_AFTER
            else min(RESTART_DELAY_MAX, max(RESTART_DELAY_MIN, c.restart_delay * 2))
        )
        c.restarter = asyncio.get_running_loop().create_task(self._restart_later(c, c.restart_delay))

    async def _restart_later(self, c: Container, delay: float) -> None:
        await asyncio.sleep(delay)  # only this wait is cancelled (_cancel_restart), never a start
        c.restarter = None
        c.restarting = True
        try:
            await self._restart_now(c)
        finally:
            c.restarting = False

    async def _restart_now(self, c: Container) -> None:
        async with c.lock:
            if c.id not in self.index.by_id or c.is_running:
                return
            try:
                await self._start(c)
            except APIError as e:
                log.warning("restart of %s by its policy failed: %s", c.id, e.message)
                return
            c.meta["RestartCount"] = int(c.meta.get("RestartCount", 0)) + 1
            await c.save()
        self.publish(c, "start")

    async def _cancel_restart(self, c: Container) -> None:
        """No restart by policy from now: one waiting its back-off is dropped, one under way
        finishes first (what called this then sees the container running)."""
        if c.restarter is not None:
            c.restarter.cancel()
            c.restarter = None
        if c.restarting:
            async with c.lock:
                pass

    # --- stop, kill, wait ------------------------------------------------------------------------------
    async def stop(self, ref: str, timeout: int | None) -> None:
        """Stop signal (Config.StopSignal, else SIGTERM), then SIGKILL after ``timeout`` seconds
        (None or 0: StopTimeout or 10, pouch's reading of ``t``)."""
        c = self.get(ref)
        await self._cancel_restart(c)
        if c.is_running:
            if not timeout:
                timeout = int(c.config.get("StopTimeout") or STOP_TIMEOUT)
            c.meta["StopRequested"] = True
            await self._signal_and_wait(c, _signal_number(c.config.get("StopSignal")), timeout)
        self.publish(c, "stop")

    async def _signal_and_wait(self, c: Container, sig: int, timeout: float) -> None:
        runtime = self.runtime
        if c.status == rec.PAUSED:
            with contextlib.suppress(APIError):
                await runtime.resume(c.id)
        with contextlib.suppress(APIError):
            await runtime.kill(c.id, sig, all=True)
        try:
            await asyncio.wait_for(c.exited.wait(), timeout)
            return
        except TimeoutError:
            pass
        with contextlib.suppress(APIError):
            await runtime.kill(c.id, signal.SIGKILL, all=True)
        await c.exited.wait()

    async def kill(self, ref: str, sig: str | None) -> None:
        c = self.get(ref)
        number = _signal_number(sig, signal.SIGKILL)
        if not c.is_running:
            raise APIError(409, f"Cannot kill container: {ref}: Container {c.id} is not running")
        await self.runtime.kill(c.id, number, all=number == signal.SIGKILL)
        self.publish(c, "kill", {"signal": str(number)})

    async def wait(self, ref: str) -> dict[str, Any]:
        c = self.get(ref)
        await c.exited.wait()
        answer: dict[str, Any] = {"StatusCode": int(c.state.get("ExitCode", 0))}
        if c.state.get("Error"):
            answer["Error"] = c.state["Error"]
        return answer

    async def restart(self, ref: str, timeout: int | None) -> None:
        c = self.get(ref)
        if c.is_running:
            await self.stop(ref, timeout)
        async with c.lock:
            if not c.is_running:
                await self._start(c)
                c.meta["RestartCount"] = int(c.meta.get("RestartCount", 0)) + 1
                await c.save()
        self.publish(c, "restart")

    # --- pause, rename ---------------------------------------------------------------------------------
    async def pause(self, ref: str) -> None:
        c = self.get(ref)
        async with c.lock:
            if c.status != rec.RUNNING:
                raise APIError(409, f"Container {c.id} is not running")
            await self.runtime.pause(c.id)
            c.set_paused(True)
            await c.save()
        self.publish(c, "pause")

    async def unpause(self, ref: str) -> None:
        c = self.get(ref)
        async with c.lock:
            if c.status != rec.PAUSED:
                raise APIError(409, f"Container {c.id} is not paused")
            await self.runtime.resume(c.id)
            c.set_paused(False)
            await c.save()
        self.publish(c, "unpause")

    async def rename(self, ref: str, new_name: str) -> None:
        c = self.get(ref)
        new_name = check_name(new_name)
        if new_name == c.name:
            return
        if new_name in self.index.by_name:
            raise APIError(409, f"container name {new_name}: already existed")
        old = c.name
        async with c.lock:
            self.index.rename(c, new_name)
            await c.save()
        self.publish(c, "rename", {"oldName": old})

    # --- remove ------------------------------------------------------------------------------------------
    async def remove(self, ref: str, force: bool) -> None:
        c = self.get(ref)
        await self._cancel_restart(c)
        if c.is_running:
            if not force:
                raise APIError(
                    409,
                    f"You cannot remove a running container {c.id}. Stop the container before attempting "
                    "removal or force remove",
                )
            c.meta["StopRequested"] = True
            await self._signal_and_wait(c, signal.SIGKILL, STOP_TIMEOUT)
        async with c.lock:
            if c.id not in self.index.by_id:
                return  # removed meanwhile (AutoRemove)
            runtime = self.runtime
            await runtime.force_delete_task(c.id)
            await runtime.delete_container(c.id)
            await runtime.remove_snapshot(c.id)
            self.index.remove(c)
            await asyncio.to_thread(shutil.rmtree, c.dir, True)
        for hook in self._remove_hooks:
            hook(c)
        self.publish(c, "destroy")

    # --- top, stats, update -----------------------------------------------------------------------
    async def top(self, ref: str, ps_args: str | None) -> dict[str, Any]:
        """The container's processes as the host's ``ps`` (default ``-ef``) shows them, as Docker
        does: ``ps`` over every process, then the lines whose PID is one of the task's."""
        c = self.get(ref)
        if not c.is_running:
            raise APIError(409, f"Container {c.id} is not running")
        pids = set(await self.runtime.pids(c.id))
        try:
            args = shlex.split(ps_args or "-ef")
        except ValueError as e:
            raise APIError(400, f"invalid ps_args {ps_args!r}: {e}") from None
        try:
            # Without a terminal ps cuts lines at 80 columns; COLUMNS lifts that.
            proc = await asyncio.create_subprocess_exec(
                "ps", *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env={**os.environ, "COLUMNS": "65535"},
            )  # fmt: skip
        except OSError as e:
            raise APIError(500, f"cannot run ps: {e}") from None
        try:
            out, err = await asyncio.wait_for(proc.communicate(), TOP_TIMEOUT)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise APIError(500, "ps did not answer in time") from None
        if proc.returncode:
            raise APIError(500, f"Error running ps: {err.decode(errors='replace').strip()}")
        lines = out.decode(errors="replace").splitlines()
        titles = lines[0].split() if lines else []
        if "PID" not in titles:
            raise APIError(500, "Couldn't find PID field in ps output")
        pid_at = titles.index("PID")
        processes = []
        for line in lines[1:]:
            fields = line.split(None, len(titles) - 1)
            if len(fields) > pid_at and fields[pid_at].isdigit() and int(fields[pid_at]) in pids:
                processes.append(fields)
        self.publish(c, "top")
        return {"Titles": titles, "Processes": processes}

    def cgroups_path(self, c: Container) -> str:
        return f"/{self.namespace}/{c.id}"

    async def update(self, ref: str, body: Mapping[str, Any]) -> list[str]:
        """New resources, restart policy, environment or labels; a running container's cgroups
        change at once (``Tasks.Update``). Only what ``body`` sets changes."""
        c = self.get(ref)
        changes = {k: v for k, v in body.items() if k not in ("Env", "Label", "RestartPolicy") and v not in (None, "")}
        merged = {**c.host_config, **changes}
        policy = body.get("RestartPolicy")
        if policy and policy.get("Name"):
            merged["RestartPolicy"] = dict(policy)
        self._check_host_config(merged)
        config = dict(c.config)
        if body.get("Env"):
            env = {e.partition("=")[0]: e for e in config.get("Env") or []}
            for entry in body["Env"]:
                key, sep, _ = str(entry).partition("=")
                if sep:
                    env[key] = str(entry)
                else:
                    env.pop(key, None)
            config["Env"] = list(env.values())
        if body.get("Label"):
            labels = dict(config.get("Labels") or {})
            for entry in body["Label"]:
                key, _, value = str(entry).partition("=")
                labels[key] = value
            config["Labels"] = labels
        async with c.lock:
            spec = build_spec(self._spec_input(c.id, config, merged, User(0, 0), c.dir))
            if c.is_running:
                resources = dict(spec.get("linux", {}).get("resources") or {})
                resources.pop("devices", None)
                await self.runtime.update(c.id, resources)
            c.meta["HostConfig"] = merged
            c.meta["Config"] = config
            await c.save()
        self.publish(c, "update")
        return []

    # --- reading -----------------------------------------------------------------------------------------
    def image_in_use(self, image_id: str, running_only: bool = False) -> str | None:
        """The ID of a container made from ``image_id`` (that runs, with ``running_only``)."""
        for c in self.index:
            if c.meta.get("Image") == image_id and (c.is_running or not running_only):
                return c.id
        return None

    def list(self, all: bool, filters: str | None) -> list[Container]:
        try:
            wanted = parse_filters(filters, LIST_FILTERS)
        except FilterError as e:
            raise APIError(400, str(e)) from None
        found = [c for c in self.index if (all or c.is_running) and _matches(c, wanted)]
        found.sort(key=lambda c: str(c.meta.get("Created", "")), reverse=True)
        return found

    async def close_stdin(self, c: Container, io: ContainerIO, exec_id: str = "") -> None:
        """End the process's stdin: our end of the FIFO closed, then the shim's (which keeps one
        open for this call, so that stdin does not end when pouchd goes away)."""
        await io.close_stdin()
        try:
            await self.runtime.close_stdin(c.id, exec_id)
        except APIError as e:
            log.debug("closing the stdin of %s: %s", exec_id or c.id, e.message)

    async def logs_source(self, ref: str) -> Container:
        return self.get(ref)

    async def attach_stream(self, c: Container, *, stdout: bool, stderr: bool) -> AsyncIterator[tuple[str, bytes]]:
        if c.io is None:
            return
        async for item in c.io.subscribe(stdout=stdout, stderr=stderr):
            yield item

    def publish(self, c: Container, action: str, extra: Mapping[str, str] | None = None) -> None:
        attributes = {str(k): str(v) for k, v in (c.config.get("Labels") or {}).items()}
        attributes["image"] = str(c.config.get("Image", ""))
        attributes["name"] = c.name
        attributes.update(extra or {})
        self.events.publish("container", action, c.id, attributes)


def _size(text: Any) -> int:
    """A ``max-size`` log option (``10m``, ``1g``, ``512k``, bytes): 0 when absent."""
    if text is None or text == "":
        return 0
    value = str(text).strip().lower()
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    try:
        if value[-1] in units:
            return int(float(value[:-1]) * units[value[-1]])
        if value.endswith("b"):
            return int(value[:-1])
        return int(value)
    except ValueError:
        raise APIError(400, f"invalid log option max-size {text}") from None


def _count(text: Any) -> int:
    if text is None or text == "":
        return 1
    try:
        value = int(str(text))
    except ValueError:
        raise APIError(400, f"invalid log option max-file {text}") from None
    if value < 1:
        raise APIError(400, f"invalid log option max-file {text}: at least 1")
    return value


def _matches(c: Container, wanted: Mapping[str, list[str]]) -> bool:
    for key, values in wanted.items():
        if not values:
            continue
        if key == "id":
            ok = any(c.id.startswith(v) or re.search(v, c.id) for v in values)
        elif key == "name":
            ok = any(_search(v, c.name) for v in values)
        elif key == "status":
            # Docker's clients know pouch's "stopped" as "exited".
            ok = c.status in values or (c.status == rec.STOPPED and rec.EXITED in values)
        elif key == "ancestor":
            ok = any(v in (c.config.get("Image"), c.meta.get("Image")) for v in values)
        else:  # label: k, k=v, k!=v
            labels = c.config.get("Labels") or {}
            ok = all(_label_matches(labels, v) for v in values)
        if not ok:
            return False
    return True


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return pattern == text


def _label_matches(labels: Mapping[str, Any], want: str) -> bool:
    if "!=" in want:
        key, _, value = want.partition("!=")
        return labels.get(key) != value
    key, sep, value = want.partition("=")
    if not sep:
        return key in labels
    return labels.get(key) == value
