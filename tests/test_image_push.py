"""The push (pouch_server/managers/images/push.py) against real parts only: a private containerd
(pouch_testing/containerd.py) holding images pulled through the ImageManager, real
docker-registry instances on 127.0.0.1 (anonymous, htpasswd, token auth), a read-only registry
(pouch_testing/registry.py FaultyRegistry), and a recording proxy in front of a real registry.

What a push stored is read back from the registry with httpx: the manifest under the tag, and
every blob, each checked against its digest."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import http.client
import json
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import httpx
import pytest
import uvloop

from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2
from pouch_server.ctrd.client import ContainerdClient
from pouch_server.ctrd.engine import Engine
from pouch_server.errors import APIError
from pouch_server.managers.events import EventBus
from pouch_server.managers.images import content
from pouch_server.managers.images.distribution import OCI_INDEX, OCI_MANIFEST, Descriptor
from pouch_server.managers.images.manager import ImageManager
from pouch_server.managers.images.push import (
    COMMITTING,
    DONE,
    UPLOADING,
    WAITING,
    PushLimits,
    PushProgress,
    PushSession,
    push,
    push_text,
)
from pouch_server.managers.registry.client import PushAuth
from pouch_server.managers.registry.credentials import Credentials
from pouch_testing.containerd import Containerd
from pouch_testing.httpserver import LoopbackHTTPServer
from pouch_testing.images import (
    TestImage,
    build_busybox_image,
    build_multiplatform_image,
    busybox_missing,
    host_platform,
)
from pouch_testing.images import push as push_test_image
from pouch_testing.pouchd import free_port
from pouch_testing.registry import SERVICE, FaultyRegistry, Registry, TokenServer, missing_tools

T = TypeVar("T")

SNAPSHOTTER = "overlayfs"
USER, PASSWORD = "pusher", "push-s3cret"
ARCH, _VARIANT = host_platform()
ACCEPT = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        OCI_MANIFEST,
        OCI_INDEX,
    ]
)
ZERO = "0001-01-01T00:00:00Z"
BASIC = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}

needs_tools = pytest.mark.skipif(
    Containerd.available() is not None or busybox_missing() is not None or missing_tools() is not None,
    reason=str(Containerd.available() or busybox_missing() or missing_tools()),
)


def run(make: Callable[[], Awaitable[T]]) -> T:
    """``make()`` awaited on a new uvloop event loop, as pouchd runs."""

    async def main() -> T:
        return await make()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main())


def objects(stream: bytes) -> list[dict[str, Any]]:
    """pouch's progress stream: JSON objects back to back."""
    decoder, text, out, i = json.JSONDecoder(), stream.decode(), [], 0
    while i < len(text):
        obj, i = decoder.raw_decode(text, i)
        out.append(obj)
    return out


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# ---- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ctrd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Containerd]:
    reason = Containerd.available()
    if reason is not None:
        pytest.skip(reason)
    with Containerd(tmp_path_factory.mktemp("ctrd")).start() as c:
        yield c


@pytest.fixture(scope="module")
def busybox() -> TestImage:
    return build_busybox_image(tag_name="test/busybox:v1")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, busybox: TestImage) -> Iterator[Registry]:
    """An anonymous docker-registry holding the OCI busybox as test/busybox:v1."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    with Registry(tmp_path_factory.mktemp("registry")) as r:
        push_test_image(busybox, r.address, "test/busybox", "v1")
        yield r


@pytest.fixture(scope="module")
def auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """An empty docker-registry with one htpasswd user."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    with Registry(tmp_path_factory.mktemp("auth-registry"), htpasswd={USER: PASSWORD}) as r:
        yield r


@pytest.fixture
def namespace() -> str:
    return f"push-{uuid.uuid4().hex[:8]}"


@contextlib.asynccontextmanager
async def image_manager(ctrd: Containerd, namespace: str) -> AsyncIterator[ImageManager]:
    """An ImageManager on the private containerd, in ``namespace``."""
    async with ContainerdClient(str(ctrd.address), namespace) as client:
        manager = ImageManager(EventBus(), default_registry="registry.hub.docker.com", snapshotter=SNAPSHOTTER)
        await manager.load(cast(Engine, SimpleNamespace(client=client)))  # load reads only .client
        yield manager


async def pull(manager: ImageManager, ref: str, credentials: Credentials | None = None) -> None:
    session = await manager.pull(ref, None, credentials)
    async for _ in session.stream():
        pass
    error = session.task.exception()
    if error is not None:
        raise error


async def drain(session: PushSession) -> tuple[list[bytes], BaseException | None]:
    """Every frame of the session's stream, and the task's outcome."""
    frames = [frame async for frame in session.stream()]
    return frames, session.task.exception()


async def push_leases(manager: ImageManager) -> list[str]:
    """Leases left in the namespace (a push's is deleted when it ends)."""
    client = manager.client
    answer = await client.call(client.leases.List, leases_pb2.ListRequest())
    return [lease.id for lease in answer.leases]


@dataclass
class Stored:
    """What a registry holds under a tag: the manifest (or index) and every blob, each checked."""

    media_type: str
    digest: str
    document: dict[str, Any]
    blobs: dict[str, int] = field(default_factory=dict)  # digest -> size, every one verified


def fetch_stored(address: str, repo: str, tag: str, headers: dict[str, str] | None = None) -> Stored:
    """Read ``repo:tag`` back from the registry with httpx, checking every digest and size."""
    base = f"http://{address}/v2/{repo}"
    with httpx.Client(headers=headers or {}, timeout=30) as client:

        def manifest(ref: str) -> tuple[str, bytes]:
            r = client.get(f"{base}/manifests/{ref}", headers={"Accept": ACCEPT})
            assert r.status_code == 200, r.text
            assert sha256(r.content) == r.headers["Docker-Content-Digest"]
            if ref.startswith("sha256:"):
                assert sha256(r.content) == ref
            return r.headers["Content-Type"], r.content

        media_type, body = manifest(tag)
        stored = Stored(media_type, sha256(body), json.loads(body))
        documents = [stored.document]
        if media_type == OCI_INDEX:
            documents = [json.loads(manifest(m["digest"])[1]) for m in stored.document["manifests"]]
        for doc in documents:
            for desc in (doc["config"], *doc["layers"]):
                blob = client.get(f"{base}/blobs/{desc['digest']}", follow_redirects=True)
                assert blob.status_code == 200, blob.text
                assert sha256(blob.content) == desc["digest"] and len(blob.content) == desc["size"]
                stored.blobs[desc["digest"]] = desc["size"]
        return stored


async def pull_tag_push(
    ctrd: Containerd, namespace: str, source: str, target: str, credentials: Credentials | None
) -> tuple[list[bytes], BaseException | None]:
    """Pull ``source``, tag it ``target:v1``, push that: the frames and the push's outcome."""
    async with image_manager(ctrd, namespace) as manager:
        await pull(manager, source)
        await manager.tag(source, target, "v1")
        return await drain(await push(manager, target, "v1", credentials))


def lines(frames: list[bytes]) -> dict[str, dict[str, Any]]:
    """The last round of a push's stream, by id (an error object under ``""``)."""
    last: dict[str, dict[str, Any]] = {}
    for obj in objects(frames[-1]):
        last[obj.get("id", "")] = obj
    return last


def keys_of(image: TestImage) -> list[str]:
    return [
        f"manifest-{image.manifest_digest}",
        f"config-{image.config_digest}",
        *(f"layer-{layer.digest}" for layer in image.layers),
    ]


# ---- a recording proxy ----------------------------------------------------------------------------


class Proxy:
    """An HTTP proxy on 127.0.0.1 in front of one registry, passing every request through as it
    is (the Host header too, so the registry's upload Locations name the proxy) and recording
    ``(method, path)``; ``hold_puts`` holds each blob PUT until :meth:`release` or :meth:`stop`."""

    def __init__(self, upstream: str, *, hold_puts: bool = False) -> None:
        self.upstream = upstream
        self.requests: list[tuple[str, str]] = []
        self.released = threading.Event()
        if not hold_puts:
            self.released.set()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                proxy.requests.append((self.command, self.path.split("?", 1)[0]))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.command == "PUT" and "/blobs/uploads/" in self.path:
                    proxy.released.wait(30)
                host, _, port = proxy.upstream.rpartition(":")
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    conn.request(self.command, self.path, body=body, headers=headers)
                    answer = conn.getresponse()
                    data = answer.read()
                finally:
                    conn.close()
                self.send_response(answer.status, answer.reason)
                for k, v in answer.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                # A HEAD's length is the GET's, as the registry said it.
                sent = answer.getheader("Content-Length") or "0" if self.command == "HEAD" else str(len(data))
                self.send_header("Content-Length", sent)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self.server = LoopbackHTTPServer(Handler, name="recording-proxy").start()
        self.address = self.server.address

    def release(self) -> None:
        self.released.set()

    def stop(self) -> None:
        self.released.set()
        self.server.stop()


# ---- pushes ---------------------------------------------------------------------------------------


@needs_tools
def test_push_to_another_repository_then_again(
    ctrd: Containerd, registry: Registry, busybox: TestImage, namespace: str
) -> None:
    """Pull test/busybox:v1, tag it copy/busybox:v2, push that: the registry holds the same
    manifest and blobs under the new name (the blobs mounted from test/busybox, nothing
    uploaded). Pushed again, every part is found there and nothing is sent."""
    proxy = Proxy(registry.address)
    source = f"{proxy.address}/test/busybox:v1"

    async def scenario() -> dict[str, Any]:
        async with image_manager(ctrd, namespace) as manager:
            await pull(manager, source)
            await manager.tag(source, f"{proxy.address}/copy/busybox", "v2")
            proxy.requests.clear()
            first = await push(manager, f"{proxy.address}/copy/busybox", "v2", None)
            frames, error = await drain(first)
            first_requests = list(proxy.requests)
            proxy.requests.clear()
            again = await push(manager, f"{proxy.address}/copy/busybox", "v2", None)
            frames_again, error_again = await drain(again)
            return {
                "session": first,
                "frames": frames,
                "error": error,
                "requests": first_requests,
                "frames_again": frames_again,
                "error_again": error_again,
                "requests_again": list(proxy.requests),
                "leases": await push_leases(manager),
            }

    try:
        s = run(scenario)
    finally:
        proxy.stop()
    assert s["error"] is None and s["error_again"] is None
    session: PushSession = s["session"]
    assert session.name == f"{proxy.address}/copy/busybox:v2"
    assert str(session.reference) == f"{proxy.address}/copy/busybox:v2"
    assert session.target == Descriptor(OCI_MANIFEST, busybox.manifest_digest, busybox.manifest_size)
    # Every round lists the parts in containerd's order, and no image-level line.
    keys = keys_of(busybox)
    for frame in s["frames"]:
        assert [o["id"] for o in objects(frame)] == keys
    last = lines(s["frames"])
    assert all(last[k]["status"] == DONE for k in keys)
    # The manifest went up; the blobs were mounted from the repository they were pulled from.
    methods = [(m, p.replace(busybox.manifest_digest, "M")) for m, p in s["requests"]]
    assert ("PUT", "/v2/copy/busybox/manifests/v2") in methods
    assert sum(1 for m, p in methods if m == "POST") == len(busybox.blobs)
    assert not any(m == "PUT" and "/blobs/" in p for m, p in methods)
    stored = fetch_stored(registry.address, "copy/busybox", "v2")
    assert stored.digest == busybox.manifest_digest and stored.media_type == OCI_MANIFEST
    assert stored.blobs == {d: len(b) for d, b in busybox.blobs.items()}
    # Again: HEADs only, every part done with no times (there already).
    assert {m for m, _ in s["requests_again"]} <= {"GET", "HEAD"}
    for key, obj in lines(s["frames_again"]).items():
        assert obj["status"] == DONE and obj["started_at"] == ZERO, key
        assert obj["progressDetail"]["current"] == obj["progressDetail"]["total"] > 0
    assert s["leases"] == []


@needs_tools
def test_push_to_a_registry_with_htpasswd(
    ctrd: Containerd, registry: Registry, auth_registry: Registry, busybox: TestImage, namespace: str
) -> None:
    """Without credentials, or with a wrong password, the push is refused before any stream
    (403); with them, every blob is uploaded (POST, then one PUT of the whole blob)."""
    target = f"{auth_registry.address}/private/busybox"

    async def scenario() -> tuple[dict[str, APIError], list[bytes], BaseException | None]:
        async with image_manager(ctrd, namespace) as manager:
            await pull(manager, f"{registry.address}/test/busybox:v1")
            await manager.tag(f"{registry.address}/test/busybox:v1", target, "v1")
            errors = {}
            for key, creds in (("none", None), ("wrong", Credentials(USER, "wrong-password"))):
                with pytest.raises(APIError) as e:
                    await push(manager, target, "v1", creds)
                errors[key] = e.value
            session = await push(manager, target, "v1", Credentials(USER, PASSWORD))
            frames, error = await drain(session)
            return errors, frames, error

    errors, frames, error = run(scenario)
    for e in errors.values():
        assert e.status == 403
        assert e.message == f"push access to {target} denied: unauthorized: authentication required"
    assert error is None
    last = lines(frames)
    assert [o["id"] for o in objects(frames[-1])] == keys_of(busybox)
    for key, obj in last.items():
        # Uploaded: the times of the upload (a blob found there has none).
        assert obj["status"] == DONE and obj["started_at"] != ZERO and obj["updated_at"] >= obj["started_at"], key
        assert obj["progressDetail"]["current"] == obj["progressDetail"]["total"] > 0
    stored = fetch_stored(auth_registry.address, "private/busybox", "v1", BASIC)
    assert stored.digest == busybox.manifest_digest
    assert stored.blobs == {d: len(b) for d, b in busybox.blobs.items()}


@needs_tools
def test_push_progress_while_a_blob_is_under_way_and_leaving_the_stream_cancels_it(
    ctrd: Containerd, registry: Registry, tmp_path: Path, namespace: str
) -> None:
    """A blob held at the registry shows ``committing`` (every byte sent) while the others
    wait; a client that leaves the stream cancels the push, whose lease goes."""
    big = build_busybox_image(tag_name="test/big:v1", extra_layer_bytes=1 << 20, seed=8)
    push_test_image(big, registry.address, "test/big", "v1")
    with Registry(tmp_path / "empty") as empty:
        proxy = Proxy(empty.address, hold_puts=True)

        async def scenario() -> tuple[list[dict[str, Any]], bool, list[str]]:
            async with image_manager(ctrd, namespace) as manager:
                await pull(manager, f"{registry.address}/test/big:v1")
                await manager.tag(f"{registry.address}/test/big:v1", f"{proxy.address}/big", "v1")
                session = await push(
                    manager, f"{proxy.address}/big", "v1", None, limits=PushLimits(concurrent_uploads=1)
                )
                seen: list[dict[str, Any]] = []
                stream = session.stream()
                async for frame in stream:
                    seen = objects(frame)
                    if any(o["status"] == COMMITTING for o in seen):
                        break
                await stream.aclose()  # the client went away
                return seen, session.task.cancelled(), await push_leases(manager)

        try:
            seen, cancelled, leases = run(scenario)
        finally:
            proxy.stop()
    statuses = {o["id"]: o for o in seen}
    committing = [o for o in seen if o["status"] == COMMITTING]
    assert len(committing) == 1
    assert committing[0]["progressDetail"]["current"] == committing[0]["progressDetail"]["total"]
    assert committing[0]["started_at"] != ZERO
    # One upload at a time: the manifest and the blobs after it wait, with no detail.
    waiting = [o for o in seen if o["status"] == WAITING]
    assert statuses[f"manifest-{big.manifest_digest}"]["status"] == WAITING
    assert all("progressDetail" not in o and o["started_at"] == ZERO for o in waiting)
    assert cancelled and leases == []


@needs_tools
def test_push_of_a_pulled_index_pushes_the_platform_manifest(
    ctrd: Containerd, registry: Registry, namespace: str
) -> None:
    """A pull of an index fetches the host platform's manifest only: the push puts that manifest
    under the tag (a registry refuses an index whose other manifests it lacks)."""
    index = build_multiplatform_image(tag_name="test/multi:v1")
    push_test_image(index, registry.address, "test/multi", "v1")
    host = index.for_platform(ARCH)

    async def scenario() -> tuple[PushSession, list[bytes], BaseException | None]:
        async with image_manager(ctrd, namespace) as manager:
            await pull(manager, f"{registry.address}/test/multi:v1")
            await manager.tag(f"{registry.address}/test/multi:v1", f"{registry.address}/single/multi", "v1")
            session = await push(manager, f"{registry.address}/single/multi", "v1", None)
            frames, error = await drain(session)
            return session, frames, error

    session, frames, error = run(scenario)
    assert error is None
    assert session.target.digest == host.manifest_digest
    assert [o["id"] for o in objects(frames[-1])] == keys_of(host)
    stored = fetch_stored(registry.address, "single/multi", "v1")
    assert (stored.media_type, stored.digest) == (OCI_MANIFEST, host.manifest_digest)
    assert stored.blobs == {d: len(b) for d, b in host.blobs.items()}


@needs_tools
def test_push_of_a_whole_index_pushes_every_manifest_then_the_index(
    ctrd: Containerd, auth_registry: Registry, namespace: str
) -> None:
    """An index whose every platform is in the content store (as a load leaves it) is pushed
    whole: blobs, each manifest by digest, then the index under the tag."""
    index = build_multiplatform_image(tag_name="test/whole:v1", seed=11, extra_layer_bytes=1024)
    target = f"{auth_registry.address}/whole/multi"
    creds = Credentials(USER, PASSWORD)

    async def scenario() -> tuple[PushSession, list[bytes], BaseException | None]:
        async with image_manager(ctrd, namespace) as manager:
            client = manager.client
            # Written under a lease the test holds: no record refers to them but the one below.
            async with client.lease() as lease:
                documents = {**index.blobs, index.digest: index.index}
                documents.update((d, image.manifest) for d, image in index.manifests.items())
                for digest, data in documents.items():
                    await content.write_blob(client, data, ref=f"test-{digest}", digest=digest, lease=lease)
                await manager.put_record(f"{target}:v1", Descriptor(OCI_INDEX, index.digest, index.size))
                session = await push(manager, target, "v1", creds)
                frames, error = await drain(session)
            return session, frames, error

    session, frames, error = run(scenario)
    assert error is None
    assert session.target == Descriptor(OCI_INDEX, index.digest, index.size)
    ids = [o["id"] for o in objects(frames[-1])]
    assert ids[0] == f"index-{index.digest}"
    assert set(ids[1:]) == {k for image in index.images for k in keys_of(image)}
    assert all(o["status"] == DONE for o in objects(frames[-1]))
    stored = fetch_stored(auth_registry.address, "whole/multi", "v1", BASIC)
    assert (stored.media_type, stored.digest) == (OCI_INDEX, index.digest)
    assert stored.blobs == {d: len(b) for d, b in index.blobs.items()}


@needs_tools
def test_push_with_token_auth_asks_for_a_push_scope(
    ctrd: Containerd, registry: Registry, busybox: TestImage, namespace: str, tmp_path: Path
) -> None:
    """A token registry: the token asked for ``repository:<repo>:pull,push``; a token server that
    grants nothing lets the client in (``GET /v2/``) but the push fails in the stream."""
    results: dict[str, Any] = {}
    for grant in (True, False):
        tokens = TokenServer({USER: PASSWORD}, grant_scopes=grant)
        try:
            with Registry(tmp_path / f"registry-{grant}", token=tokens) as reg:
                results[str(grant)] = run(
                    lambda: pull_tag_push(
                        ctrd,
                        f"{namespace}-{grant}",  # noqa: B023 (run() calls it before the loop goes on)
                        f"{registry.address}/test/busybox:v1",
                        f"{reg.address}/tok/busybox",
                        Credentials(USER, PASSWORD),
                    )
                )
                results[f"scopes-{grant}"] = {r.params.get("scope") for r in tokens.requests}
                if grant:
                    access = [{"type": "repository", "name": "tok/busybox", "actions": ["pull"]}]
                    bearer = {"Authorization": f"Bearer {tokens.key.jwt(USER, SERVICE, access=access)}"}
                    results["stored"] = fetch_stored(reg.address, "tok/busybox", "v1", bearer)
        finally:
            tokens.stop()
    frames, error = results["True"]
    assert error is None
    assert "repository:tok/busybox:pull,push" in results["scopes-True"]
    assert results["stored"].digest == busybox.manifest_digest
    frames, error = results["False"]
    assert isinstance(error, APIError) and error.status == 403
    assert error.message.startswith("push access to ") and "unauthorized" in error.message
    tail = objects(frames[-1])
    assert tail[-1]["error"] == error.message and tail[-1]["errorDetail"] == {"code": 500, "message": error.message}


# ---- failures -------------------------------------------------------------------------------------


@needs_tools
def test_an_unreachable_registry_fails_before_the_stream(ctrd: Containerd, registry: Registry, namespace: str) -> None:
    port = free_port()

    async def scenario() -> tuple[APIError, list[str]]:
        async with image_manager(ctrd, namespace) as manager:
            await pull(manager, f"{registry.address}/test/busybox:v1")
            await manager.tag(f"{registry.address}/test/busybox:v1", f"127.0.0.1:{port}/nowhere", "v1")
            with pytest.raises(APIError) as e:
                await push(manager, f"127.0.0.1:{port}/nowhere", "v1", None)
            return e.value, await push_leases(manager)

    error, leases = run(scenario)
    assert error.status == 500
    assert error.message.startswith(f"cannot reach a registry at 127.0.0.1:{port}: ")
    assert "connection refused" in error.message and f"http://127.0.0.1:{port}" in error.message
    assert leases == []


@needs_tools
def test_a_registry_refusing_a_blob_fails_in_the_stream(
    ctrd: Containerd, registry: Registry, busybox: TestImage, namespace: str
) -> None:
    """A read-only registry answers the upload's POST with 405: the push fails in the stream,
    naming the registry, the blob and the registry's message; the lease goes."""
    with FaultyRegistry(busybox) as faulty:
        target = f"{faulty.address}/other/busybox"

        async def scenario() -> tuple[list[bytes], BaseException | None, list[str]]:
            async with image_manager(ctrd, namespace) as manager:
                await pull(manager, f"{registry.address}/test/busybox:v1")
                await manager.tag(f"{registry.address}/test/busybox:v1", target, "v1")
                session = await push(manager, target, "v1", None)
                frames, error = await drain(session)
                return frames, error, await push_leases(manager)

        frames, error, leases = run(scenario)
    assert isinstance(error, APIError) and error.status == 500
    assert error.message.startswith("failed to push config ") or error.message.startswith("failed to push layer ")
    assert f"to registry {faulty.address}: unexpected status 405 Method Not Allowed" in error.message
    assert error.message.endswith("- Server message: unsupported: this registry is read-only")
    tail = objects(frames[-1])
    assert tail[-1]["error"] == error.message
    assert [o["id"] for o in tail[:-1]] == keys_of(busybox)
    assert leases == []


@needs_tools
def test_bad_names(ctrd: Containerd, registry: Registry, namespace: str) -> None:
    async def scenario() -> list[tuple[int, str]]:
        async with image_manager(ctrd, namespace) as manager:
            await pull(manager, f"{registry.address}/test/busybox:v1")
            out = []
            for name, tag in (
                ("nosuch/image", None),
                (f"{registry.address}/test/busybox", "nosuch"),
                ("", None),
                ("UPPER/../x", None),
                (f"{registry.address}/test/busybox@sha256:{'a' * 64}", None),
            ):
                with pytest.raises(APIError) as e:
                    await push(manager, name, tag, None)
                out.append((e.value.status, e.value.message))
            return out

    assert run(scenario) == [
        (404, "image registry.hub.docker.com/nosuch/image:latest: not found"),
        (404, f"image {registry.address}/test/busybox:nosuch: not found"),
        (400, "image name cannot be empty"),
        (400, "UPPER/../x: invalid reference"),
        (400, f"cannot push a digest reference format image: {registry.address}/test/busybox@sha256:{'a' * 64}"),
    ]


# ---- parts ----------------------------------------------------------------------------------------


def test_push_text_joins_name_and_tag_as_pouch_does() -> None:
    assert push_text("busybox", None) == "busybox:latest"
    assert push_text("busybox", "") == "busybox:latest"
    assert push_text("127.0.0.1:5000/a/b", "v2") == "127.0.0.1:5000/a/b:v2"
    assert push_text("a/b:v1", None) == "a/b:v1"
    with pytest.raises(APIError) as e:
        push_text("a/b", "v1@sha256:" + "0" * 64)
    assert e.value.status == 400


def test_push_auth_asks_for_pull_and_push() -> None:
    assert PushAuth(None, "a/b").scope == "repository:a/b:pull,push"


def test_progress_renders_pouch_push_statuses() -> None:
    progress = PushProgress()
    progress.add("manifest-sha256:m", 10)
    progress.add("layer-sha256:l", 100)
    progress.add("config-sha256:c", 5)
    progress.started("layer-sha256:l")
    progress.sent("layer-sha256:l", 40)
    progress.exists("config-sha256:c")
    first = objects(progress.render())
    assert [(o["id"], o["status"]) for o in first] == [
        ("manifest-sha256:m", WAITING),
        ("layer-sha256:l", UPLOADING),
        ("config-sha256:c", DONE),
    ]
    assert first[0] == {"id": "manifest-sha256:m", "status": "waiting", "started_at": ZERO, "updated_at": ZERO}
    assert first[1]["progressDetail"] == {"current": 40, "total": 100} and first[1]["started_at"] != ZERO
    assert first[2]["progressDetail"] == {"current": 5, "total": 5} and first[2]["started_at"] == ZERO
    progress.sent("layer-sha256:l", 100)
    assert objects(progress.render())[1]["status"] == COMMITTING
    progress.committed("layer-sha256:l")
    assert objects(progress.render())[1]["status"] == DONE
    progress.fail("boom <x>")
    tail = progress.tail()
    assert tail.endswith(
        b'{"errorDetail":{"code":500,"message":"boom \\u003cx\\u003e"},"error":"boom \\u003cx\\u003e",'
        b'"started_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}'
    )
