"""The exec group (pouch's apis/server/exec_bridge.go): create, start (detached, or on a hijacked
connection), inspect and resize of a command run in a running container."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.responses import JSONResponse, Response

from pouch_server.errors import APIError
from pouch_server.handlers.containers import parse_tty_size, upgrade_asked
from pouch_server.hijack import HijackedStream, HijackResponse, detach_keys, detached, pump_stdin
from pouch_server.managers.containers.execs import Exec, ExecManager
from pouch_server.managers.containers.logs import stdcopy_frame


class ExecHandlers:
    def __init__(self, execs: ExecManager) -> None:
        self.execs = execs

    async def create(self, id: str, body: dict[str, Any]) -> Response:
        exec_id = self.execs.create(id, body)
        return JSONResponse({"Id": exec_id}, status_code=201)

    async def start(self, id: str, body: dict[str, Any] | None = None) -> Response:
        body = body or {}
        e = self.execs.get(id)
        if body.get("Detach"):
            await self.execs.start(id)
            return Response(status_code=200)
        if e.started:
            raise APIError(409, f"Exec {id} has already been started")
        keys = detach_keys(str(e.config.get("DetachKeys") or ""))
        execs = self.execs

        async def session(conn: HijackedStream) -> None:
            await _exec_session(execs, e, conn, keys if e.tty else None)

        return HijackResponse(upgrade=upgrade_asked(), session=session)

    async def inspect(self, id: str) -> dict[str, Any]:
        return self.execs.get(id).inspect()

    async def resize(self, id: str, h: str | None = None, w: str | None = None) -> Response:
        height, width = parse_tty_size(h, w)
        await self.execs.resize(id, width, height)
        return Response(status_code=200)


async def _exec_session(execs: ExecManager, e: Exec, conn: HijackedStream, keys: bytes | None) -> None:
    """Start the exec with its output going to ``conn`` (framed without a TTY), the client's
    bytes to its stdin; end when its output ends and its exit is recorded, or at once when the
    client sends the detach ``keys`` (a TTY's; the process runs on)."""
    stdout = bool(e.config.get("AttachStdout", True))
    stderr = bool(e.config.get("AttachStderr", True))
    try:
        started = await execs.prepare(e.id, attached=True)
    except APIError as err:
        # The head is written already: the error goes into the stream, as dockerd does.
        with contextlib.suppress(Exception):
            await conn.write(err.message.encode() + b"\r\n")
        await conn.close()
        return
    io = started.io
    framed = not e.tty

    async def pump_in() -> bool:
        write = io.write_stdin if io is not None and io.stdin_path else None
        if await pump_stdin(conn, write, keys):
            return True
        # The end of the client's input ends the process's, but a TTY's (dockerd's rule).
        if io is not None and io.stdin_path and not e.tty:
            await execs.containers.close_stdin(e.container, io, e.id)
        return False

    reader: asyncio.Task[bool] | None = None
    copier: asyncio.Task[None] | None = None
    try:
        if io is not None:
            subscription = io.subscribe(stdout=stdout, stderr=stderr)
            copier = asyncio.get_running_loop().create_task(_copy(subscription, conn, framed))
            await asyncio.sleep(0)  # the copier subscribes before the process can print
            try:
                await execs.launch(started)
            except APIError as err:
                copier.cancel()
                await asyncio.gather(copier, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await conn.write(err.message.encode() + b"\r\n")
                return
            # stdin from now: its end can be closed only once the process is there.
            reader = asyncio.get_running_loop().create_task(pump_in())
            await asyncio.wait({reader, copier}, return_when=asyncio.FIRST_COMPLETED)
            if detached(reader):
                return
            await copier
        await execs.wait_recorded(started)
    finally:
        for task in (reader, copier):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in (reader, copier) if t is not None), return_exceptions=True)
        await conn.close()


async def _copy(subscription: Any, conn: HijackedStream, framed: bool) -> None:
    async for name, data in subscription:
        await conn.write(stdcopy_frame(name, data) if framed else data)
