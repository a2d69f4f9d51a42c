"""The exec group (pouch's apis/server/exec_bridge.go): create, start (detached, or on a hijacked
connection), inspect and resize of a command run in a running container."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.responses import JSONResponse, Response

from pouch_server.errors import APIError
from pouch_server.handlers.containers import parse_tty_size, upgrade_asked
from pouch_server.hijack import HijackedStream, HijackResponse
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
        execs = self.execs

        async def session(conn: HijackedStream) -> None:
            await _exec_session(execs, e, conn)

        return HijackResponse(upgrade=upgrade_asked(), session=session)

    async def inspect(self, id: str) -> dict[str, Any]:
        return self.execs.get(id).inspect()

    async def resize(self, id: str, h: str | None = None, w: str | None = None) -> Response:
        height, width = parse_tty_size(h, w)
        await self.execs.resize(id, width, height)
        return Response(status_code=200)


async def _exec_session(execs: ExecManager, e: Exec, conn: HijackedStream) -> None:
    """Start the exec with its output going to ``conn`` (framed without a TTY), the client's
    bytes to its stdin; end when its output ends and its exit is recorded."""
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

    async def pump_in() -> None:
        while True:
            data = await conn.read(65536)
            if not data:
                break
            if io is not None and io.stdin_path:
                await io.write_stdin(data)
        if io is not None and io.stdin_path:
            await execs.containers.close_stdin(e.container, io, e.id)

    reader: asyncio.Task[None] | None = None
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
            await copier
        await execs.wait_recorded(started)
    finally:
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        await conn.close()


async def _copy(subscription: Any, conn: HijackedStream, framed: bool) -> None:
    async for name, data in subscription:
        await conn.write(stdcopy_frame(name, data) if framed else data)
