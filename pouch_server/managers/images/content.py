"""containerd's content store, as a pull writes and reads it (content/helpers.go, remotes/handlers.go
and the content service's Write protocol at v1.6.20).

Writing a blob (:func:`ingest`) is one ``Content.Write`` stream, one answer per message, the
messages containerd's own client sends:

1. ``STAT`` with the ingest's reference, the expected size and digest. A blob with that digest
   already there fails the stream with ALREADY_EXISTS: nothing is fetched, and under a lease the
   blob is now held by it. A reference another writer holds fails with UNAVAILABLE ("locked"):
   the stream is opened again after a random back-off that doubles from 16 ms to 2 s.
2. ``WRITE`` messages at offset 0, then each where the last one ended (the first at 0 drops what
   an earlier, interrupted ingest of the same reference left). containerd answers each in order
   and checks its offset. Unlike containerd's client, which waits for each answer before the next
   write, up to ``WRITE_AHEAD`` writes are on their way while a task reads the answers as they
   come, each of which must put the offset where its write ended: most of a layer's time in
   containerd is its SHA-256, and waiting left containerd idle for a round trip per chunk (a
   50 MiB ingest: 400 ms waiting, 290 ms pipelined, bench/HISTORY.md).
3. ``COMMIT`` with the size, digest and labels: containerd checks both, so a registry that served
   other bytes fails here (``failed commit on ref "layer-sha256:...": unexpected commit digest
   ...``), and nothing is kept.

Any failure, cancellation included, aborts the ingest. Every call takes ``CALL_TIMEOUT`` at most,
except the Write stream, whose pace is the registry's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import Final

import grpc
from google.protobuf import field_mask_pb2
from grpc import aio

from containerd_api.github.com.containerd.containerd.api.services.content.v1 import content_pb2
from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2
from containerd_api.github.com.containerd.containerd.api.types import descriptor_pb2
from pouch_server.ctrd.client import CallError, ContainerdClient
from pouch_server.errors import APIError, first_error
from pouch_server.managers.images.distribution import Descriptor

log = logging.getLogger("pouchd.images")

#: The longest any single containerd call of a pull may take (a Write stream excepted).
CALL_TIMEOUT: Final = 60.0
#: containerd's client retries a locked ingest after a random wait up to this, doubling...
LOCK_RETRY_FIRST: Final = 0.016
#: ... up to this (content.OpenWriter: 16 ms to 2048 ms).
LOCK_RETRY_MAX: Final = 2.048

#: How many chunks an ingest reads ahead of what containerd has written (memory: that many
#: chunks at most, besides the one being written).
READ_AHEAD: Final = 2
#: How many WRITE messages an ingest sends before waiting for the answer to the first of them
#: (memory: that many chunks in gRPC's buffers at most).
WRITE_AHEAD: Final = 4

#: What feeds an ingest: a context manager that yields the blob's bytes in chunks, opened only
#: when the blob is not there already (e.g. :meth:`~.distribution.Remote.blob`).
Source = Callable[[], contextlib.AbstractAsyncContextManager[AsyncIterator[bytes]]]
#: Told the bytes written, the total, and when the ingest started (ns since the epoch).
OnProgress = Callable[[int, int, int | None], None]


async def read_ahead(chunks: AsyncIterator[bytes], depth: int) -> AsyncGenerator[bytes, None]:
    """``chunks``, read by a task of their own up to ``depth`` chunks ahead of the consumer: the
    registry's bytes keep arriving while containerd writes the previous ones. Closing it
    (``contextlib.aclosing``) stops the reader."""
    queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(depth)

    async def reader() -> None:
        try:
            async for chunk in chunks:
                await queue.put(chunk)
        except Exception as e:  # handed to the consumer, which raises it
            await queue.put(e)
        else:
            await queue.put(None)

    task = asyncio.create_task(reader())
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def proto_descriptor(desc: Descriptor) -> descriptor_pb2.Descriptor:
    return descriptor_pb2.Descriptor(media_type=desc.media_type, digest=desc.digest, size=desc.size)


def _locked(e: CallError) -> bool:
    return e.code is grpc.StatusCode.UNAVAILABLE and "locked" in e.message


async def info(client: ContainerdClient, digest: str) -> content_pb2.Info | None:
    """The blob's info (size, creation time, labels), or None when containerd has none."""
    try:
        answer = await client.call(client.content.Info, content_pb2.InfoRequest(digest=digest), timeout=CALL_TIMEOUT)
    except CallError as e:
        if e.code is grpc.StatusCode.NOT_FOUND:
            return None
        raise
    return answer.info


async def update_labels(
    client: ContainerdClient, digest: str, labels: Mapping[str, str], *, lease: str | None = None
) -> None:
    """Set ``labels`` on the blob, leaving its other labels as they are."""
    if not labels:
        return
    request = content_pb2.UpdateRequest(
        info=content_pb2.Info(digest=digest, labels=dict(labels)),
        update_mask=field_mask_pb2.FieldMask(paths=[f"labels.{key}" for key in labels]),
    )
    await client.call(client.content.Update, request, lease=lease, timeout=CALL_TIMEOUT)


async def hold(client: ContainerdClient, lease: str, digest: str) -> None:
    """Make ``lease`` hold the blob (one already there, which the pull will use): containerd's
    garbage collector then leaves it while the lease lasts, even if nothing else refers to it."""
    resource = leases_pb2.Resource(id=digest, type="content")
    await client.call(
        client.leases.AddResource, leases_pb2.AddResourceRequest(id=lease, resource=resource), timeout=CALL_TIMEOUT
    )


async def read(client: ContainerdClient, digest: str, *, limit: int) -> bytes:
    """The whole blob, refused when larger than ``limit`` bytes (it is held in memory)."""
    found = await info(client, digest)
    if found is None:
        raise APIError(404, f"content digest {digest}: not found")
    if found.size > limit:
        raise APIError(500, f"content {digest} is {found.size} bytes, more than the {limit} allowed here")
    chunks: list[bytes] = []
    size = 0
    request = content_pb2.ReadContentRequest(digest=digest)
    async for message in client.stream(client.content.Read, request, timeout=CALL_TIMEOUT):
        size += len(message.data)
        if size > limit:
            raise APIError(500, f"content {digest} is more than the {limit} bytes allowed here")
        chunks.append(message.data)
    return b"".join(chunks)


async def abort(client: ContainerdClient, ref: str) -> None:
    """Drop the ingest ``ref`` (and what it had written); best effort: an ingest left behind is
    its lease's, and goes with it."""
    try:
        await client.call(client.content.Abort, content_pb2.AbortRequest(ref=ref), timeout=5.0)
    except CallError as e:
        if e.code is not grpc.StatusCode.NOT_FOUND:
            log.warning("could not abort ingest %s: %s", ref, e.message)


async def _answer(
    write: aio.StreamStreamCall[content_pb2.WriteContentRequest, content_pb2.WriteContentResponse],
    request: content_pb2.WriteContentRequest,
) -> content_pb2.WriteContentResponse:
    await write.write(request)
    return await _read_answer(write, request.ref)


async def _read_answer(
    write: aio.StreamStreamCall[content_pb2.WriteContentRequest, content_pb2.WriteContentResponse], ref: str
) -> content_pb2.WriteContentResponse:
    answer = await write.read()
    if answer is aio.EOF:
        raise APIError(500, f"containerd ended the write of {ref} without an answer")
    assert isinstance(answer, content_pb2.WriteContentResponse)
    return answer


async def _write_chunks(
    client: ContainerdClient,
    write: aio.StreamStreamCall[content_pb2.WriteContentRequest, content_pb2.WriteContentResponse],
    ref: str,
    source: Source,
    report: Callable[[int], None],
) -> int:
    """WRITE the source's chunks from offset 0, at most ``WRITE_AHEAD`` of them unanswered, while
    a task of its own reads containerd's answers as they come: each must put the offset where the
    write it answers ended, and is ``report``-ed; a failure on either side stops both at once.
    The offset containerd confirmed last."""
    ends: asyncio.Queue[int | None] = asyncio.Queue()  # where each write sent ends; None: no more
    room = asyncio.Semaphore(WRITE_AHEAD)
    offset = 0

    async def confirm() -> None:
        nonlocal offset
        with client.errors():
            while (end := await ends.get()) is not None:
                answer = await _read_answer(write, ref)
                if answer.offset != end:
                    raise APIError(500, f"containerd wrote {ref} up to {answer.offset}, not {end}")
                offset = end
                room.release()
                report(offset)

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(confirm())
            sent = 0
            # aclosing: the reader task stops before the source closes, whatever ends the loop.
            async with source() as chunks, contextlib.aclosing(read_ahead(chunks, READ_AHEAD)) as ahead:
                async for chunk in ahead:
                    await room.acquire()
                    request = content_pb2.WriteContentRequest(
                        action=content_pb2.WRITE, ref=ref, offset=sent, data=chunk
                    )
                    with client.errors():
                        await write.write(request)
                    sent += len(chunk)
                    ends.put_nowait(sent)
            ends.put_nowait(None)
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    return offset


async def _open(
    client: ContainerdClient, ref: str, digest: str, size: int, lease: str | None
) -> tuple[aio.StreamStreamCall[content_pb2.WriteContentRequest, content_pb2.WriteContentResponse], int | None] | None:
    """A Write stream holding ``ref`` and the ingest's start time; None when the blob exists."""
    delay = LOCK_RETRY_FIRST
    stat = content_pb2.WriteContentRequest(action=content_pb2.STAT, ref=ref, total=size, expected=digest)
    while True:
        write = client.open(client.content.Write, lease=lease)
        try:
            with client.errors():
                answer = await _answer(write, stat)
        except CallError as e:
            write.cancel()
            if e.code is grpc.StatusCode.ALREADY_EXISTS:
                return None
            if _locked(e):  # another writer (a concurrent pull of the same blob) holds it
                await asyncio.sleep(random.uniform(0, delay))
                delay = min(delay * 2, LOCK_RETRY_MAX)
                continue
            raise
        except BaseException:
            write.cancel()
            raise
        started = answer.started_at.ToNanoseconds() if answer.HasField("started_at") else None
        return write, started


async def ingest(
    client: ContainerdClient,
    *,
    ref: str,
    digest: str,
    size: int,
    source: Source,
    lease: str | None,
    labels: Mapping[str, str] | None = None,
    on_progress: OnProgress | None = None,
) -> bool:
    """Write the blob ``digest`` of ``size`` bytes into the content store as ingest ``ref``, its
    bytes from ``source`` (opened only when the blob is not there), committed with ``labels``.
    True when written, False when containerd had it already (then ``labels`` are not set: the
    caller updates them). Under ``lease``, the blob is held by it either way."""
    if size <= 0:
        # containerd cannot commit an empty ingest; a registry that reports no size is broken.
        raise APIError(
            500, f"unable to fetch descriptor ({digest}) which reports content size of zero: invalid argument"
        )
    opened = await _open(client, ref, digest, size, lease)
    if opened is None:
        return False
    write, started = opened
    committed = False
    phase = "write"
    report = on_progress or (lambda done, total, started: None)
    try:
        with client.errors():
            report(0, size, started)
            offset = await _write_chunks(client, write, ref, source, lambda done: report(done, size, started))
            if offset != size:
                raise APIError(500, f"failed to read expected number of bytes for {ref}: unexpected EOF")
            phase = "commit"
            commit = content_pb2.WriteContentRequest(
                action=content_pb2.COMMIT, ref=ref, total=size, offset=offset, expected=digest, labels=labels
            )
            await _answer(write, commit)
            committed = True
    except CallError as e:
        if phase == "commit" and e.code is grpc.StatusCode.ALREADY_EXISTS:
            # Committed meanwhile by another writer of the same digest: containerd dropped ours.
            committed = True
            if lease is not None:
                await hold(client, lease, digest)
            return False
        if phase == "commit":
            raise APIError(500, f'failed commit on ref "{ref}": {e.message}') from None
        raise APIError(e.status, f'failed to write ref "{ref}": {e.message}') from None
    finally:
        write.cancel()
        if not committed:
            await abort(client, ref)
    return True


async def write_blob(
    client: ContainerdClient,
    data: bytes,
    *,
    ref: str,
    digest: str,
    lease: str | None,
    labels: Mapping[str, str] | None = None,
    chunk_size: int = 1 << 20,
) -> bool:
    """:func:`ingest` of bytes in memory (a manifest, an index, a config)."""

    @contextlib.asynccontextmanager
    async def source() -> AsyncIterator[AsyncIterator[bytes]]:
        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(data), chunk_size):
                yield data[start : start + chunk_size]

        yield chunks()

    return await ingest(client, ref=ref, digest=digest, size=len(data), source=source, lease=lease, labels=labels)
