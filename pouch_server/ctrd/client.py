"""pouchd's containerd client, as pouch's ctrd/ is: one gRPC channel to containerd's socket, the
namespace on every call, and containerd's failures as pouchd's errors.

The stubs are generated from containerd's own .proto files (``generated/containerd_api``, made by
scripts/codegen.sh) and typed for grpc.aio; every service pouchd uses is an attribute of
:class:`ContainerdClient` (``client.images``, ``client.content``...). Calls go through
:meth:`ContainerdClient.call` (unary), :meth:`~ContainerdClient.stream` (a server stream) or
:meth:`~ContainerdClient.open` (a bidirectional stream), which add the namespace (and a lease, when
given) and turn a failed call into a :class:`CallError`, an :class:`~pouch_server.errors.APIError`
whose status is the HTTP one pouch answers with:

==================== ======= ========================================================
gRPC status          HTTP    message
==================== ======= ========================================================
NOT_FOUND            404     containerd's
ALREADY_EXISTS       409     containerd's
INVALID_ARGUMENT     400     containerd's
UNAVAILABLE          500     ``containerd is not running at ADDRESS``; containerd's own
                             (a locked ingest: ``ref ... locked ...: unavailable``) kept
DEADLINE_EXCEEDED    500     ``containerd at ADDRESS did not answer in time``
anything else        500     containerd's (FAILED_PRECONDITION: a digest or size mismatch)
==================== ======= ========================================================

This module loads grpc, protobuf and the stubs (about 0.15 s): import it where containerd is used,
not where pouchd starts up or the CLI runs.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import logging
import os
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import Final, Self, TypeVar

import grpc
from google.protobuf import empty_pb2
from grpc import aio

from containerd_api.github.com.containerd.containerd.api.services.containers.v1 import containers_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.content.v1 import content_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.diff.v1 import diff_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.events.v1 import events_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.images.v1 import images_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2, leases_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.namespaces.v1 import namespace_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.snapshots.v1 import snapshots_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.tasks.v1 import tasks_pb2_grpc
from containerd_api.github.com.containerd.containerd.api.services.version.v1 import version_pb2, version_pb2_grpc
from pouch_server.errors import APIError

log = logging.getLogger("pouchd")

#: The gRPC metadata keys containerd reads a call's namespace and lease from.
NAMESPACE_KEY: Final = "containerd-namespace"
LEASE_KEY: Final = "containerd-lease"
#: The largest message either way, as containerd's own client allows (16 MiB).
MAX_MESSAGE_BYTES: Final = 16 << 20
#: The label that makes containerd's garbage collector drop a lease by itself after a time.
LEASE_EXPIRE_LABEL: Final = "containerd.io/gc.expire"

_CHANNEL_OPTIONS: Final = (
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    # gRPC's reconnection back-off grows to two minutes while the socket refuses: a containerd
    # restarted by pouchd is reached again within half a second instead (a local socket's
    # connection attempts cost next to nothing).
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 500),
    ("grpc.enable_http_proxy", 0),  # a unix socket: never through an http_proxy of the environment
)

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")

_STATUS: Final = {
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
}


class CallError(APIError):
    """A containerd call that failed, as pouchd answers it (``status``, ``message``), with the
    gRPC status it failed with (``code``) for the callers that act on it."""

    def __init__(self, status: int, message: str, code: grpc.StatusCode) -> None:
        super().__init__(status, message)
        self.code = code


#: How long a call waits for a lost connection to come back before containerd is reported not running.
RECONNECT_WAIT: Final = 3.0


def _disconnected(exc: aio.AioRpcError) -> bool:
    """No connection to containerd (gRPC's own UNAVAILABLE), not containerd's own "unavailable"."""
    return exc.code() is grpc.StatusCode.UNAVAILABLE and not (exc.details() or "").endswith(": unavailable")


def call_error(exc: aio.AioRpcError, address: str) -> CallError:
    """containerd's failure ``exc`` (of a call to ``address``) as pouchd answers it."""
    code = exc.code()
    details = exc.details() or ""
    if code in _STATUS:
        return CallError(_STATUS[code], details or code.name.lower().replace("_", " "), code)
    if code is grpc.StatusCode.UNAVAILABLE:
        # containerd's own errors name their class last (errdefs: "...: unavailable"), such as
        # an ingest that another writer holds ("ref ... locked for 1s (since ...)"); gRPC's own
        # (no socket, a refused or broken connection) do not.
        if not _disconnected(exc):
            return CallError(500, details, code)
        return CallError(500, f"containerd is not running at {address}", code)
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return CallError(500, f"containerd at {address} did not answer in time", code)
    return CallError(500, details or f"containerd failed: {code.name}", code)


def lease_id() -> str:
    """A new lease's ID, made as containerd's client makes one: the time and 3 random bytes."""
    return f"{time.time_ns()}-{base64.urlsafe_b64encode(os.urandom(3)).decode()}"


class ContainerdClient:
    """pouchd's client of the containerd listening on the unix socket ``address``, acting in
    ``namespace`` (pouch's ``default``). Made on the event loop that uses it (grpc.aio binds a
    channel to one loop); :meth:`close` it when done, or use it as an async context manager.
    The channel connects on the first call, and again by itself after containerd restarts."""

    def __init__(self, address: str, namespace: str = "default") -> None:
        asyncio.get_running_loop()  # a clear error here rather than a channel bound to no loop
        self.address = address
        self.namespace = namespace
        self.channel = aio.insecure_channel(f"unix://{address}", options=_CHANNEL_OPTIONS)
        self.containers = containers_pb2_grpc.ContainersStub(self.channel)
        self.content = content_pb2_grpc.ContentStub(self.channel)
        self.diff = diff_pb2_grpc.DiffStub(self.channel)
        self.events = events_pb2_grpc.EventsStub(self.channel)
        self.images = images_pb2_grpc.ImagesStub(self.channel)
        self.leases = leases_pb2_grpc.LeasesStub(self.channel)
        self.namespaces = namespace_pb2_grpc.NamespacesStub(self.channel)
        self.snapshots = snapshots_pb2_grpc.SnapshotsStub(self.channel)
        self.tasks = tasks_pb2_grpc.TasksStub(self.channel)
        self.version_service = version_pb2_grpc.VersionStub(self.channel)

    def metadata(self, lease: str | None = None) -> tuple[tuple[str, str], ...]:
        """The metadata of a call in this client's namespace (and in ``lease``, when given: what
        the call creates is then kept until the lease ends)."""
        if lease is None:
            return ((NAMESPACE_KEY, self.namespace),)
        return ((NAMESPACE_KEY, self.namespace), (LEASE_KEY, lease))

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """Turn a failed call inside the block into a :class:`CallError` (for calls made on a
        stream of :meth:`open`)."""
        try:
            yield
        except aio.AioRpcError as e:
            raise call_error(e, self.address) from e

    async def call(
        self,
        rpc: aio.UnaryUnaryMultiCallable[_Request, _Response],
        request: _Request,
        *,
        lease: str | None = None,
        timeout: float | None = None,
        wait_for_ready: bool | None = None,
    ) -> _Response:
        """``rpc`` (a unary method of one of the stubs, e.g. ``client.images.Get``) with
        ``request``, in this client's namespace (and ``lease``).

        A call that finds no connection (containerd restarting, or back while the channel still
        waits out its reconnection back-off) is made once more, waiting up to
        :data:`RECONNECT_WAIT` seconds for the connection: a containerd that is back at once is
        used at once, one that is gone is reported after that wait."""
        metadata = self.metadata(lease)
        try:
            return await rpc(request, metadata=metadata, timeout=timeout, wait_for_ready=wait_for_ready)
        except aio.AioRpcError as e:
            if wait_for_ready is not None or not _disconnected(e):
                raise call_error(e, self.address) from e
        wait = RECONNECT_WAIT if timeout is None else min(timeout, RECONNECT_WAIT)
        try:
            return await rpc(request, metadata=metadata, timeout=wait, wait_for_ready=True)
        except aio.AioRpcError as e:
            if e.code() is grpc.StatusCode.DEADLINE_EXCEEDED:  # no connection came back in time
                raise CallError(500, f"containerd is not running at {self.address}", grpc.StatusCode.UNAVAILABLE) from e
            raise call_error(e, self.address) from e

    async def stream(
        self,
        rpc: aio.UnaryStreamMultiCallable[_Request, _Response],
        request: _Request,
        *,
        lease: str | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[_Response]:
        """The messages of the server stream ``rpc`` (e.g. ``client.content.Read``) answers
        ``request`` with. Leaving the loop early cancels the call."""
        stream = rpc(request, metadata=self.metadata(lease), timeout=timeout)
        try:
            with self.errors():
                async for message in stream:
                    yield message
        finally:
            stream.cancel()  # a no-op once the stream has ended

    def open(
        self,
        rpc: aio.StreamStreamMultiCallable[_Request, _Response],
        *,
        lease: str | None = None,
        timeout: float | None = None,
    ) -> aio.StreamStreamCall[_Request, _Response]:
        """A bidirectional stream of ``rpc`` (e.g. ``client.content.Write``) to ``write`` to
        and ``read`` from, inside :meth:`errors`."""
        return rpc(metadata=self.metadata(lease), timeout=timeout)

    async def version(
        self, *, timeout: float | None = 10.0, wait_for_ready: bool | None = None
    ) -> version_pb2.VersionResponse:
        """containerd's ``version`` and ``revision``; with ``wait_for_ready``, a containerd not
        listening yet is waited for (until ``timeout``) rather than an error at once."""
        return await self.call(
            self.version_service.Version, empty_pb2.Empty(), timeout=timeout, wait_for_ready=wait_for_ready
        )

    @contextlib.asynccontextmanager
    async def lease(
        self,
        *,
        expire: datetime.timedelta | None = datetime.timedelta(hours=24),
        labels: Mapping[str, str] | None = None,
    ) -> AsyncIterator[str]:
        """A new lease for the block (its ID), deleted after it. What is written under it (pass
        it to the calls) is kept from containerd's garbage collector while it lasts; with
        ``expire``, containerd drops it by itself after that long, so a pouchd killed in the block
        does not pin what it wrote forever (as containerd's client does for a pull: 24 hours)."""
        all_labels = dict(labels or {})
        if expire is not None:
            until = datetime.datetime.now(datetime.UTC) + expire
            all_labels[LEASE_EXPIRE_LABEL] = until.strftime("%Y-%m-%dT%H:%M:%SZ")  # Go's RFC 3339
        created = await self.call(self.leases.Create, leases_pb2.CreateRequest(id=lease_id(), labels=all_labels))
        try:
            yield created.lease.id
        finally:
            try:
                await self.call(self.leases.Delete, leases_pb2.DeleteRequest(id=created.lease.id))
            except APIError as e:  # it expires by itself, or is dropped with the namespace
                log.warning("could not delete containerd lease %s: %s", created.lease.id, e.message)

    async def close(self) -> None:
        """Close the channel; calls still running end with CANCELLED."""
        await self.channel.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
