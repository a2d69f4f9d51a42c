"""pouch's pull progress (ctrd/image.go ``fetchProgress``, pkg/jsonstream): a table the pull updates
and the handler re-sends whole every 300 ms, as JSON objects written back to back, no newline.

Each object has pouch's keys in Go's order, ``id``, ``status``, ``progressDetail`` (when there is
one), ``errorDetail`` and ``error`` (on failure), ``started_at`` and ``updated_at`` (always; a zero
time is ``0001-01-01T00:00:00Z``), encoded as Go's ``encoding/json`` does (``<``, ``>``, ``&``
escaped). The first object is the image's (``resolving``, then ``resolved``); then one per
descriptor in the order the pull met them, keyed ``index-``, ``manifest-``, ``config-`` or
``layer-`` + digest: ``waiting``, ``downloading`` (with current and total bytes), ``done`` or
``exists``. When the pull ends, one last table marks every descriptor ``done`` (as pouch's final
round does), followed on failure by the error object ``{"errorDetail": {"code": 500, "message":
M}, "error": M, ...}``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Final

from pouch_server.gojson import go_string, go_time

RESOLVING: Final = "resolving"
RESOLVED: Final = "resolved"
WAITING: Final = "waiting"
DOWNLOADING: Final = "downloading"
DONE: Final = "done"
EXISTS: Final = "exists"

#: How often pouch re-sends the table.
INTERVAL: Final = 0.3


def message(
    *,
    id: str = "",
    status: str = "",
    detail: tuple[int, int] | None = None,
    error: str = "",
    code: int = 500,
    started_at: int | None = None,
    updated_at: int | None = None,
) -> bytes:
    """One of pouch's JSONMessage objects (empty fields left out, as Go's ``omitempty``)."""
    parts: list[str] = []
    if id:
        parts.append(f'"id":{go_string(id)}')
    if status:
        parts.append(f'"status":{go_string(status)}')
    if detail is not None:
        parts.append(f'"progressDetail":{{"current":{detail[0]},"total":{detail[1]}}}')
    if error:
        text = go_string(error)
        parts.append(f'"errorDetail":{{"code":{code},"message":{text}}}')
        parts.append(f'"error":{text}')
    parts.append(f'"started_at":"{go_time(started_at)}"')
    parts.append(f'"updated_at":"{go_time(updated_at)}"')
    return ("{" + ",".join(parts) + "}").encode()


def error_message(text: str, code: int = 500) -> bytes:
    """pouch's error object: what ends a stream whose pull failed."""
    return message(error=text, code=code)


@dataclass
class Entry:
    """One descriptor's line of the table."""

    key: str
    status: str = WAITING
    detail: tuple[int, int] | None = None  # (current, total) bytes
    started_at: int | None = None  # ns since the epoch; None: Go's zero time
    updated_at: int | None = None

    def render(self) -> bytes:
        return message(
            id=self.key,
            status=self.status,
            detail=self.detail,
            started_at=self.started_at,
            updated_at=self.updated_at,
        )


class Progress:
    """One pull's table. The pull calls :meth:`start` once the image is resolved (``resolved`` is
    then set: a handler waits for it, or for the pull to fail, before it answers), :meth:`add` for
    each descriptor it meets, then :meth:`downloading`, :meth:`done` or :meth:`exists`, and at the
    end :meth:`finish` or :meth:`fail`. :meth:`render` is the table as pouch sends it;
    :meth:`frames` the whole stream, a table every ``INTERVAL`` seconds until the pull ends.

    All on one event loop; nothing here blocks or awaits the pull."""

    def __init__(self) -> None:
        self.name = ""
        self.entries: dict[str, Entry] = {}
        self.error: str | None = None
        self.resolved = asyncio.Event()
        self.ended = asyncio.Event()

    def start(self, name: str) -> None:
        """The image was resolved as ``name`` (the reference the registry knows it by)."""
        self.name = name
        self.resolved.set()

    def add(self, key: str) -> Entry:
        """A descriptor met (``waiting``, unless it is known already)."""
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = Entry(key)
        return entry

    def downloading(self, key: str, current: int, total: int, started_at: int | None) -> None:
        entry = self.add(key)
        entry.status = DOWNLOADING
        entry.detail = (current, total)
        entry.started_at = started_at
        entry.updated_at = time.time_ns()

    def done(self, key: str, size: int) -> None:
        """Fetched by this pull: pouch shows the size and the time it was written, no start."""
        entry = self.add(key)
        entry.status, entry.detail, entry.started_at, entry.updated_at = DONE, (size, size), None, time.time_ns()

    def exists(self, key: str) -> None:
        """Already in containerd's content store before this pull wanted it."""
        entry = self.add(key)
        entry.status, entry.detail, entry.started_at, entry.updated_at = EXISTS, None, None, None

    def finish(self) -> None:
        """The pull is over: every descriptor not ``exists`` is ``done`` (pouch's last round
        keeps the line's bytes and times)."""
        for entry in self.entries.values():
            if entry.status not in (DONE, EXISTS):
                entry.status = DONE
        self.ended.set()

    def fail(self, text: str) -> None:
        """The pull failed with ``text``: the last table, then pouch's error object."""
        if self.error is None:
            self.error = text
        self.finish()

    def render(self) -> bytes:
        """The table as pouch writes one round of it (nothing before :meth:`start`)."""
        if not self.name:
            return b""
        head = message(id=self.name, status=RESOLVED if self.entries else RESOLVING, detail=(0, 0))
        return head + b"".join(entry.render() for entry in self.entries.values())

    def tail(self) -> bytes:
        """What ends the stream: the last table, and the error object after a failure."""
        out = self.render()
        if self.error is not None:
            out += error_message(self.error)
        return out

    async def frames(self, interval: float = INTERVAL) -> AsyncIterator[bytes]:
        """The stream a handler sends: the table every ``interval`` seconds while the pull runs,
        then :meth:`tail` (at once when the pull ends, not at the next tick)."""
        while not self.ended.is_set():
            try:
                await asyncio.wait_for(self.ended.wait(), interval)
            except TimeoutError:
                frame = self.render()
                if frame:
                    yield frame
        yield self.tail()
