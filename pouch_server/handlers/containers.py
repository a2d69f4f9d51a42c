"""The container group (pouch's apis/server/container_bridge.go): each operation's parameters to
the container manager, its answer back.

Where pouch's and Docker's clients read the same answer differently, pouchd answers by what the
request says (an attach naming its streams gets Docker's frames), or else in the form that works
for both: the list's ``Names`` carry Docker's leading ``/`` (the Docker CLI drops the first
character of every name; pouch's shows it). docs/compatibility.md lists every such rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

from connexion import request
from connexion.lifecycle import ConnexionRequest
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response, StreamingResponse

from pouch_common.timeutils import format_interval
from pouch_server.errors import APIError
from pouch_server.hijack import HijackedStream, HijackResponse, detach_keys, detached, pump_stdin
from pouch_server.managers.containers import logs as container_logs
from pouch_server.managers.containers import record as rec
from pouch_server.managers.containers import stats as container_stats
from pouch_server.managers.containers.manager import ContainerManager
from pouch_server.managers.containers.record import Container, parse_rfc3339

#: How long an attach whose output ended waits for the exit to be recorded, in seconds.
EXIT_GRACE = 2.0
#: Seconds between two stats samples (Docker's).
STATS_INTERVAL = 1.0


def _headers() -> Headers:
    headers: Headers = cast(ConnexionRequest, request).headers
    return headers


def upgrade_asked() -> bool:
    """Whether the client asked to upgrade the connection (the answer is then 101, else 200)."""
    headers = _headers()
    return "upgrade" in headers.get("Connection", "").lower() or "Upgrade" in headers


def parse_tty_size(h: str | None, w: str | None) -> tuple[int, int]:
    """A resize's ``h`` and ``w`` (height, width); 400 when they are not integers."""
    try:
        height, width = int(h or 0), int(w or 0)
    except ValueError:
        raise APIError(400, f"invalid tty size {h}x{w}: want integers") from None
    if height < 0 or width < 0 or height > 65535 or width > 65535:
        raise APIError(400, f"invalid tty size {h}x{w}: from 0 to 65535")
    return height, width


def status_text(c: Container) -> str:
    """The list's ``Status`` in pouch's words: ``Up 5 seconds``, ``Up 5 seconds(paused)``,
    ``Exited (0) 2 minutes``, ``Stopped (137) 2 minutes``, ``created``."""
    state = c.state
    now = time.time()
    status = c.status
    if status in (rec.RUNNING, rec.PAUSED):
        text = "Up " + format_interval(now - parse_rfc3339(state.get("StartedAt", "")))
        return text + "(paused)" if status == rec.PAUSED else text
    if status in (rec.EXITED, rec.STOPPED):
        word = "Exited" if status == rec.EXITED else "Stopped"
        since = format_interval(now - parse_rfc3339(state.get("FinishedAt", "")))
        return f"{word} ({state.get('ExitCode', 0)}) {since}"
    return status


def _command(c: Container) -> str:
    return " ".join([*(c.config.get("Entrypoint") or []), *(c.config.get("Cmd") or [])])


class ContainerHandlers:
    def __init__(self, containers: ContainerManager, exec_ids: Callable[[Container], list[str]]) -> None:
        self.containers = containers
        self.exec_ids = exec_ids

    async def create(self, body: dict[str, Any], name: str | None = None) -> Response:
        answer = await self.containers.create(name, body)
        return JSONResponse(answer, status_code=201)

    async def inspect(self, id: str, size: bool | None = None) -> dict[str, Any]:
        c = self.containers.get(id)
        answer = c.public()
        answer["ExecIDs"] = self.exec_ids(c) or None
        # Docker's Path and Args (pouch sets neither): a superset, pouch's clients ignore them.
        entry = [*(c.config.get("Entrypoint") or []), *(c.config.get("Cmd") or [])]
        answer["Path"], answer["Args"] = (entry[0], entry[1:]) if entry else ("", [])
        answer["GraphDriver"] = {"Name": c.meta.get("Driver", ""), "Data": {}}
        return answer

    async def list_containers(self, all: bool = False, filters: str | None = None) -> list[dict[str, Any]]:
        items = []
        for c in self.containers.list(bool(all), filters):
            items.append(
                {
                    "Id": c.id,
                    "Names": ["/" + c.name],
                    "Image": c.config.get("Image", ""),
                    "ImageID": c.meta.get("Image", ""),
                    "Command": _command(c),
                    "Created": int(parse_rfc3339(str(c.meta.get("Created", "")))),
                    "State": c.status,
                    "Status": status_text(c),
                    "Labels": c.config.get("Labels") or {},
                    "HostConfig": c.host_config,
                    "NetworkSettings": c.meta.get("NetworkSettings") or {},
                    "Mounts": c.meta.get("Mounts") or [],
                    "Ports": [],
                }
            )
        return items

    async def start(self, id: str, detachKeys: str | None = None, checkpoint: str | None = None, **_: Any) -> Response:
        started = await self.containers.start(id)
        return Response(status_code=204 if started else 304)

    async def stop(self, id: str, t: int | None = None) -> Response:
        await self.containers.stop(id, t)
        return Response(status_code=204)

    async def kill(self, id: str, signal: str | None = None) -> Response:
        await self.containers.kill(id, signal)
        return Response(status_code=204)

    async def restart(self, id: str, t: int | None = None, name: str | None = None) -> Response:
        await self.containers.restart(id, t)
        return Response(status_code=204)

    async def wait(self, id: str) -> dict[str, Any]:
        return await self.containers.wait(id)

    async def remove(self, id: str, force: bool = False, v: bool = False) -> Response:
        await self.containers.remove(id, bool(force))
        return Response(status_code=204)

    async def pause(self, id: str) -> Response:
        await self.containers.pause(id)
        return Response(status_code=204)

    async def unpause(self, id: str) -> Response:
        await self.containers.unpause(id)
        return Response(status_code=204)

    async def rename(self, id: str, name: str) -> Response:
        await self.containers.rename(id, name)
        return Response(status_code=204)

    async def resize(self, id: str, h: str | None = None, w: str | None = None) -> Response:
        c = self.containers.get(id)
        height, width = parse_tty_size(h, w)
        if not c.is_running:
            raise APIError(409, f"Container {c.id} is not running")
        await self.containers.runtime.resize(c.id, width, height)
        return Response(status_code=200)

    async def logs(
        self,
        id: str,
        follow: bool = False,
        stdout: bool = False,
        stderr: bool = False,
        since: int | str = 0,
        until: int | str = 0,
        timestamps: bool = False,
        tail: str = "all",
        details: bool = False,
    ) -> Response:
        c = self.containers.get(id)
        if not stdout and not stderr:
            raise APIError(400, "Bad parameters: you must choose at least one stream")
        log_type = (c.host_config.get("LogConfig") or {}).get("Type", "json-file")
        if log_type != "json-file":
            raise APIError(400, "only support for the json-file log driver: invalid param")
        since_ns = container_logs.parse_unix_time(str(since)) if since else 0
        until_ns = container_logs.parse_unix_time(str(until)) if until else 0
        tail_lines: int | None
        try:
            tail_lines = int(tail) if tail not in ("", "all") else None
        except ValueError:
            tail_lines = None
        if tail_lines is not None and tail_lines < 0:
            tail_lines = None
        stream = container_logs.read_log(
            c.dir,
            stdout=bool(stdout),
            stderr=bool(stderr),
            since_ns=since_ns,
            until_ns=until_ns,
            tail=tail_lines,
            timestamps=bool(timestamps),
            follow=bool(follow) and c.is_running,
            stopped=c.exited,
            framed=not c.tty,
        )
        # Docker and pouch name no type; the stream is bytes (stdcopy frames without a TTY).
        return StreamingResponse(stream, media_type=None)

    async def top(self, id: str, ps_args: str | None = None) -> dict[str, Any]:
        return await self.containers.top(id, ps_args)

    async def update(self, id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        warnings = await self.containers.update(id, body or {})
        return {"Warnings": warnings}

    async def stats(self, id: str, stream: bool = True) -> Response:
        c = self.containers.get(id)
        name = "/" + c.name  # as the list's Names: the Docker CLI drops the first character
        cgroups_path = self.containers.cgroups_path(c)

        async def reading() -> dict[str, Any]:
            answer = await asyncio.to_thread(container_stats.sample, cgroups_path)
            answer.update(id=c.id, name=name)
            return answer

        if not stream:
            # CPU use is a rate: two readings a second apart, as Docker's one-shot answer.
            before = await reading()
            await asyncio.sleep(STATS_INTERVAL)
            after = await reading()
            after["precpu_stats"], after["preread"] = before["cpu_stats"], before["read"]
            return JSONResponse(after)

        async def samples() -> AsyncIterator[bytes]:
            previous = await reading()
            while True:
                await asyncio.sleep(STATS_INTERVAL)
                current = await reading()
                current["precpu_stats"], current["preread"] = previous["cpu_stats"], previous["read"]
                yield json.dumps(current).encode() + b"\n"
                previous = current
                if not c.is_running:
                    break

        return StreamingResponse(samples(), media_type="application/json")

    async def attach(
        self,
        id: str,
        stream: bool = False,
        stdin: bool = False,
        stdout: bool = False,
        stderr: bool = False,
        logs: bool = False,
        detachKeys: str | None = None,
    ) -> Response:
        c = self.containers.get(id)
        keys = detach_keys(detachKeys)  # checked whatever the session: a 400 before the hijack
        upgrade = upgrade_asked()
        framed = not c.tty
        query = cast(ConnexionRequest, request).query_params
        pouch_client = "stdout" not in query and "stderr" not in query
        if pouch_client:
            # pouch's Go client names only ``stdin`` and reads both streams raw, as pouch's daemon
            # writes them; Docker's clients name the streams and read stdcopy frames.
            stdout = stderr = True
            framed = False
        # pouch ends the container's stdin when its client half-closes; Docker with StdinOnce. Never
        # with a TTY (dockerd's rule): a client that detached, or went away, leaves the shell running.
        stdin_once = (pouch_client or bool(c.config.get("StdinOnce"))) and not c.tty
        containers = self.containers

        async def session(conn: HijackedStream) -> None:
            await _attach_session(containers, c, conn, stdin=bool(stdin), stdout=bool(stdout),
                                  stderr=bool(stderr), framed=framed, stdin_once=stdin_once,
                                  detach_keys=keys if c.tty and stdin else None)  # fmt: skip

        return HijackResponse(upgrade=upgrade, session=session)


async def _attach_session(
    containers: ContainerManager,
    c: Container,
    conn: HijackedStream,
    *,
    stdin: bool,
    stdout: bool,
    stderr: bool,
    framed: bool,
    stdin_once: bool,
    detach_keys: bytes | None,
) -> None:
    """Copy the container's output to the client (framed without a TTY) until it ends, and the
    client's bytes to the container's stdin when asked; the client's ``detach_keys`` (a TTY's)
    end the session at once, the container running on."""

    async def pump_in() -> bool:
        if stdin:
            # The client's bytes wait in the connection until the task runs: its end of stdin
            # (which the shim keeps open) can be closed only then.
            await c.started.wait()
        io = c.io
        write = io.write_stdin if io is not None and stdin else None
        if await pump_stdin(conn, write, detach_keys):
            return True
        if io is not None and stdin and stdin_once:
            await containers.close_stdin(c, io)
        return False

    async def pump_out() -> None:
        output = _output(containers, c, stdout=stdout, stderr=stderr)
        async for name, data in output:
            await conn.write(container_logs.stdcopy_frame(name, data) if framed else data)
        # The output ended: the exit follows at once. pouch's CLI reads the exit code with an
        # inspect as soon as the stream ends, so the stream ends once the exit is recorded.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(c.exited.wait(), EXIT_GRACE)

    loop = asyncio.get_running_loop()
    reader, writer = loop.create_task(pump_in()), loop.create_task(pump_out())
    try:
        await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
        if not detached(reader):
            await writer
    finally:
        for task in (reader, writer):
            task.cancel()
        await asyncio.gather(reader, writer, return_exceptions=True)
        await conn.close()


async def _output(
    containers: ContainerManager, c: Container, *, stdout: bool, stderr: bool
) -> AsyncIterator[tuple[str, bytes]]:
    """The container's output from its next start, or from now when it runs (``docker run`` and
    ``start -a`` attach before they start the container); ends when the output ends."""
    await c.io_ready.wait()
    async for item in containers.attach_stream(c, stdout=stdout, stderr=stderr):
        yield item
