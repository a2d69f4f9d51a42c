"""pouchd's containerd client (pouch_server/ctrd/client.py) against a real containerd: Debian's,
started by the tests on a private socket and root (pouch_testing/containerd.py), never the host's;
and the generated API it is built on (generated/containerd_api, scripts/codegen.sh).

The client runs on uvloop, as in pouchd."""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
import pkgutil
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest
import uvloop
from grpc import aio
from helpers import ROOT

from containerd_api.github.com.containerd.containerd.api.services.content.v1 import content_pb2
from containerd_api.github.com.containerd.containerd.api.services.images.v1 import images_pb2
from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2
from containerd_api.github.com.containerd.containerd.api.services.namespaces.v1 import namespace_pb2
from containerd_api.github.com.containerd.containerd.api.types import descriptor_pb2
from pouch_server.ctrd.client import LEASE_EXPIRE_LABEL, CallError, ContainerdClient
from pouch_testing.containerd import Containerd, mounts_under, probe_version

T = TypeVar("T")

needs_containerd = pytest.mark.skipif(Containerd.available() is not None, reason=str(Containerd.available()))


def run(make: Callable[[], Awaitable[T]]) -> T:
    """``make()`` awaited on a new uvloop event loop (the client binds to the loop it is made on)."""

    async def main() -> T:
        return await make()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main())


@pytest.fixture(scope="module")
def ctrd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Containerd]:
    """One containerd for the module's tests; each test works in a namespace of its own."""
    reason = Containerd.available()
    if reason is not None:
        pytest.skip(reason)
    with Containerd(tmp_path_factory.mktemp("ctrd")).start() as c:
        yield c


@pytest.fixture
def namespace() -> str:
    return f"pouch-test-{uuid.uuid4().hex[:8]}"


def _image(name: str) -> images_pb2.Image:
    """An image record; containerd does not look for its content until the image is used."""
    digest = "sha256:" + "0" * 64
    target = descriptor_pb2.Descriptor(media_type="application/vnd.oci.image.manifest.v1+json", digest=digest, size=1)
    return images_pb2.Image(name=name, target=target)


async def _finish(client: ContainerdClient, write: aio.StreamStreamCall[Any, Any]) -> None:
    """End a Write stream as containerd's client does, and wait until containerd has let go of
    the ingest (it unlocks the ref as its handler returns): only then can it be aborted."""
    with client.errors():
        await write.done_writing()
        while await write.read() is not aio.EOF:  # an error status raises instead
            pass


# ---- the version, and the process the tests started --------------------------------------------


@needs_containerd
def test_version_is_debians_containerd(ctrd: Containerd) -> None:
    """Version answers with what the binary says it is (``containerd github.com/... VERSION
    REVISION``), the release the API was generated from (scripts/codegen.sh's pin)."""

    async def version() -> tuple[str, str]:
        async with ContainerdClient(str(ctrd.address)) as client:
            answer = await client.version()
            return answer.version, answer.revision

    printed = subprocess.run([ctrd.binary, "--version"], capture_output=True, text=True, check=True).stdout.split()
    assert run(version) == (printed[2], printed[3]) == ctrd.version  # ctrd.version: the stdlib probe's
    pinned = re.search(r"golang-github-containerd-containerd-dev=([0-9.]+)", (ROOT / "scripts/codegen.sh").read_text())
    assert pinned is not None
    assert printed[2].split("~")[0] == pinned[1]


@needs_containerd
def test_a_stopped_containerd_is_not_running_and_leaves_nothing_behind(tmp_path: Path) -> None:
    c = Containerd(tmp_path / "c").start()
    try:

        async def before_and_after_stop() -> CallError:
            async with ContainerdClient(str(c.address)) as client:
                await client.version()
                await asyncio.to_thread(c.stop)
                with pytest.raises(CallError) as stopped:
                    await client.version()
                return stopped.value

        error = run(before_and_after_stop)
    finally:
        c.stop(signal.SIGKILL)
    assert (error.status, error.message) == (500, f"containerd is not running at {c.address}")
    assert error.code is grpc.StatusCode.UNAVAILABLE
    # Nothing left: the process has exited (and was reaped), no socket, no mount under its dirs.
    assert c.proc is not None and c.proc.poll() is not None
    assert not c.address.exists() and not Path(f"{c.address}.ttrpc").exists()
    assert mounts_under(tmp_path) == []
    assert probe_version(c.address) is None


@needs_containerd
def test_the_client_reconnects_to_a_restarted_containerd(tmp_path: Path) -> None:
    """What pouchd's supervisor relies on: one client outlives a containerd restart, reaching the
    new one within half a second of its start (gRPC's default back-off has grown past a second
    by then)."""
    c = Containerd(tmp_path / "c").start()
    try:

        async def across_a_restart() -> float:
            async with ContainerdClient(str(c.address)) as client:
                await client.version()
                await asyncio.to_thread(c.stop)
                for _ in range(5):  # failed attempts while it is down: the back-off grows
                    with pytest.raises(CallError):
                        await client.version(wait_for_ready=False)  # no wait for a connection
                    await asyncio.sleep(0.3)
                await asyncio.to_thread(c.start)
                started = time.monotonic()
                await client.version(wait_for_ready=True, timeout=10)
                return time.monotonic() - started

        elapsed = run(across_a_restart)
    finally:
        c.stop()
    assert elapsed < 1.0


def test_nothing_listening_is_not_running(tmp_path: Path) -> None:
    address = str(tmp_path / "nothing.sock")

    async def version() -> None:
        async with ContainerdClient(address) as client:
            await client.version()

    with pytest.raises(CallError) as e:
        run(version)
    assert (e.value.status, e.value.message) == (500, f"containerd is not running at {address}")


async def all_threads_stopped(pid: int) -> None:
    for _ in range(200):
        states = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                stat = (task / "stat").read_text()
            except FileNotFoundError:
                continue
            states.append(stat.rsplit(")", 1)[1].split()[0])
        if states and all(state in ("T", "t") for state in states):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"pid {pid} did not stop: {states}")


@needs_containerd
def test_a_containerd_that_does_not_answer_times_out(tmp_path: Path) -> None:
    c = Containerd(tmp_path / "c").start()
    try:

        async def frozen() -> CallError:
            async with ContainerdClient(str(c.address)) as client:
                await client.version()  # connected
                os.kill(c.pid, signal.SIGSTOP)
                try:
                    # kill() returns once the signal is queued; a Go thread already running on the
                    # other core can still answer until it is really stopped.
                    await all_threads_stopped(c.pid)
                    with pytest.raises(CallError) as e:
                        await client.version(timeout=0.3)
                    return e.value
                finally:
                    os.kill(c.pid, signal.SIGCONT)

        error = run(frozen)
    finally:
        c.stop()
    assert (error.status, error.message) == (500, f"containerd at {c.address} did not answer in time")
    assert error.code is grpc.StatusCode.DEADLINE_EXCEEDED


def test_the_client_is_made_on_an_event_loop() -> None:
    with pytest.raises(RuntimeError, match="no running event loop"):
        ContainerdClient("/nonexistent.sock")


# ---- namespaces, and containerd's errors as pouchd's --------------------------------------------


@needs_containerd
def test_every_call_is_in_the_clients_namespace(ctrd: Containerd, namespace: str) -> None:
    other = f"{namespace}-other"

    async def scenario() -> tuple[list[str], list[str], int, set[str]]:
        async with ContainerdClient(str(ctrd.address), namespace) as a, ContainerdClient(str(ctrd.address), other) as b:
            await a.call(a.images.Create, images_pb2.CreateImageRequest(image=_image("example.test/ns:1")))
            await b.call(b.images.Create, images_pb2.CreateImageRequest(image=_image("example.test/other:1")))
            in_a = [i.name for i in (await a.call(a.images.List, images_pb2.ListImagesRequest())).images]
            in_b = [i.name for i in (await b.call(b.images.List, images_pb2.ListImagesRequest())).images]
            with pytest.raises(CallError) as e:
                await b.call(b.images.Get, images_pb2.GetImageRequest(name="example.test/ns:1"))
            listed = await a.call(a.namespaces.List, namespace_pb2.ListNamespacesRequest())
            for client, name in ((a, "example.test/ns:1"), (b, "example.test/other:1")):
                await client.call(client.images.Delete, images_pb2.DeleteImageRequest(name=name, sync=True))
                await client.call(client.namespaces.Delete, namespace_pb2.DeleteNamespaceRequest(name=client.namespace))
            return in_a, in_b, e.value.status, {n.name for n in listed.namespaces}

    in_a, in_b, status, namespaces = run(scenario)
    assert (in_a, in_b, status) == (["example.test/ns:1"], ["example.test/other:1"], 404)
    assert {namespace, other} <= namespaces


@needs_containerd
def test_containerd_errors_map_to_pouchs_statuses(ctrd: Containerd, namespace: str) -> None:
    async def errors() -> dict[str, CallError]:
        found: dict[str, CallError] = {}
        async with ContainerdClient(str(ctrd.address), namespace) as c:
            calls = {
                "unknown": (c.images.Get, images_pb2.GetImageRequest(name="nosuch:latest")),
                "twice": (c.images.Create, images_pb2.CreateImageRequest(image=_image("example.test/twice:1"))),
                "unnamed": (c.images.Create, images_pb2.CreateImageRequest(image=_image(""))),
            }
            await c.call(c.images.Create, images_pb2.CreateImageRequest(image=_image("example.test/twice:1")))
            for key, (rpc, request) in calls.items():
                try:
                    await c.call(rpc, request)  # type: ignore[arg-type]  # each its own request type
                except CallError as e:
                    found[key] = e
            await c.call(c.images.Delete, images_pb2.DeleteImageRequest(name="example.test/twice:1", sync=True))
            await c.call(c.namespaces.Delete, namespace_pb2.DeleteNamespaceRequest(name=namespace))
        return found

    found = run(errors)
    unknown, twice, unnamed = found["unknown"], found["twice"], found["unnamed"]
    assert (unknown.status, unknown.code) == (404, grpc.StatusCode.NOT_FOUND)
    assert unknown.message == 'image "nosuch:latest": not found'
    assert (twice.status, twice.code) == (409, grpc.StatusCode.ALREADY_EXISTS)
    assert twice.message == 'image "example.test/twice:1": already exists'
    assert (unnamed.status, unnamed.code) == (400, grpc.StatusCode.INVALID_ARGUMENT)
    assert unnamed.message == "Image.Name required"


@needs_containerd
def test_a_locked_ingest_keeps_containerds_text(ctrd: Containerd, namespace: str) -> None:
    """containerd answers UNAVAILABLE for an ingest another writer holds: that is containerd's
    own error, not a containerd that is not running."""

    async def second_writer() -> CallError:
        async with ContainerdClient(str(ctrd.address), namespace) as c:
            stat = content_pb2.WriteContentRequest(action=content_pb2.WriteAction.STAT, ref="pouch-test-ref")
            first = c.open(c.content.Write)
            with c.errors():
                await first.write(stat)
                await first.read()  # the first writer holds the ref now
            second = c.open(c.content.Write)
            try:
                with pytest.raises(CallError) as e, c.errors():
                    await second.write(stat)
                    await second.read()
            finally:
                await _finish(c, first)
                await c.call(c.content.Abort, content_pb2.AbortRequest(ref="pouch-test-ref"))
                await c.call(c.namespaces.Delete, namespace_pb2.DeleteNamespaceRequest(name=namespace))
            return e.value

    error = run(second_writer)
    assert (error.status, error.code) == (500, grpc.StatusCode.UNAVAILABLE)
    assert re.fullmatch(r"ref \S*pouch-test-ref locked for .*: unavailable", error.message), error.message


async def _commit(client: ContainerdClient, ref: str, data: bytes, expected: str, lease: str) -> None:
    """Write ``data`` into containerd's content store as containerd's client does: STAT, WRITE,
    COMMIT on one Write stream, one answer each."""
    write = client.open(client.content.Write, lease=lease)
    actions = [
        content_pb2.WriteContentRequest(action=content_pb2.STAT, ref=ref, total=len(data), expected=expected),
        content_pb2.WriteContentRequest(action=content_pb2.WRITE, ref=ref, offset=0, data=data),
        content_pb2.WriteContentRequest(
            action=content_pb2.COMMIT, ref=ref, total=len(data), offset=len(data), expected=expected
        ),
    ]
    try:
        with client.errors():
            for request in actions:
                await write.write(request)
                await write.read()
    finally:
        write.cancel()


@needs_containerd
def test_content_streams_both_ways_and_a_digest_mismatch_is_containerds_error(ctrd: Containerd, namespace: str) -> None:
    data = b"pouch test content"
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    wrong = "sha256:" + hashlib.sha256(b"other").hexdigest()

    async def scenario() -> tuple[bytes, dict[str, CallError]]:
        errors: dict[str, CallError] = {}
        async with ContainerdClient(str(ctrd.address), namespace) as c:
            async with c.lease() as lease:
                await _commit(c, "good", data, digest, lease)
                read = [m.data async for m in c.stream(c.content.Read, content_pb2.ReadContentRequest(digest=digest))]
                for key, ref, expected in (("exists", "again", digest), ("mismatch", "bad", wrong)):
                    with pytest.raises(CallError) as e:
                        await _commit(c, ref, data, expected, lease)
                    errors[key] = e.value
                with pytest.raises(CallError) as e:
                    async for _ in c.stream(c.content.Read, content_pb2.ReadContentRequest(digest=wrong)):
                        pass
                errors["unknown"] = e.value
                await c.call(c.content.Abort, content_pb2.AbortRequest(ref="bad"))
                await c.call(c.content.Delete, content_pb2.DeleteContentRequest(digest=digest))
            await c.call(c.namespaces.Delete, namespace_pb2.DeleteNamespaceRequest(name=namespace))
        return b"".join(read), errors

    read, errors = run(scenario)
    assert read == data
    assert (errors["exists"].status, errors["exists"].message) == (409, f"content {digest}: already exists")
    mismatch = errors["mismatch"]
    assert (mismatch.status, mismatch.code) == (500, grpc.StatusCode.FAILED_PRECONDITION)
    assert mismatch.message == f"unexpected commit digest {digest}, expected {wrong}: failed precondition"
    assert (errors["unknown"].status, errors["unknown"].message) == (404, f"content digest {wrong}: not found")


@needs_containerd
def test_a_lease_lasts_for_its_block_and_holds_what_is_written_in_it(ctrd: Containerd, namespace: str) -> None:
    async def scenario() -> tuple[str, dict[str, str], list[tuple[str, str]], list[str]]:
        async with ContainerdClient(str(ctrd.address), namespace) as c:
            async with c.lease(labels={"io.pouch.test": "1"}) as lease:
                (held,) = (await c.call(c.leases.List, leases_pb2.ListRequest())).leases
                # An ingest begun with the lease's metadata is one of its resources.
                write = c.open(c.content.Write, lease=lease)
                with c.errors():
                    await write.write(content_pb2.WriteContentRequest(action=content_pb2.WriteAction.STAT, ref="r1"))
                    await write.read()
                await _finish(c, write)
                resources = await c.call(c.leases.ListResources, leases_pb2.ListResourcesRequest(id=lease))
            after = await c.call(c.leases.List, leases_pb2.ListRequest())
            try:  # the lease is gone: containerd's collector may have dropped the ingest already
                await c.call(c.content.Abort, content_pb2.AbortRequest(ref="r1"))
            except CallError as e:
                assert e.status == 404, e.message
            await c.call(c.namespaces.Delete, namespace_pb2.DeleteNamespaceRequest(name=namespace))
        assert held.id == lease
        return lease, dict(held.labels), [(r.id, r.type) for r in resources.resources], [x.id for x in after.leases]

    lease, labels, resources, after = run(scenario)
    assert re.fullmatch(r"\d+-[\w-]{4}", lease)
    assert labels["io.pouch.test"] == "1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", labels[LEASE_EXPIRE_LABEL])
    assert resources == [("r1", "ingests")]
    assert after == []


# ---- the generated API --------------------------------------------------------------------------


def test_the_generated_api_imports_as_one_package() -> None:
    import containerd_api
    from containerd_api.github.com.containerd.containerd.api.events import task_pb2

    names = [m.name for m in pkgutil.walk_packages(containerd_api.__path__, "containerd_api.")]
    for name in names:
        importlib.import_module(name)
    assert not {"github", "gogoproto"} & set(sys.modules)  # nothing at the top level but containerd_api
    # Descriptor names and type URLs are containerd's, whatever the Python package is called.
    assert images_pb2.DESCRIPTOR.name == "github.com/containerd/containerd/api/services/images/v1/images.proto"
    assert task_pb2.TaskExit.DESCRIPTOR.full_name == "containerd.events.TaskExit"
    assert images_pb2.GetImageRequest.__module__ == images_pb2.__name__


def _codegen(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # the venv's python and plugins
    return subprocess.run(
        [str(ROOT / "scripts" / "codegen.sh"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path, **env},
        timeout=300,
    )


def test_codegen_check_passes_and_names_what_is_stale(tmp_path: Path) -> None:
    done = _codegen("--check", "containerd_api")
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "generated"
    shutil.copytree(ROOT / "generated" / "containerd_api", copy / "containerd_api")
    changed = copy / "containerd_api" / "github/com/containerd/containerd/api/services/images/v1/images_pb2.py"
    changed.write_text(changed.read_text() + "# edited by hand\n")
    stale = _codegen("--check", "containerd_api", CODEGEN_OUTPUT=str(copy))
    assert stale.returncode == 1
    assert "images_pb2.py" in stale.stderr and "containerd_api is stale" in stale.stderr


def test_importing_the_ctrd_package_loads_no_grpc() -> None:
    """The client is imported where containerd is called: the package itself loads nothing."""
    code = "import sys, pouch_server.ctrd\nprint(sorted(m for m in sys.modules if m.startswith(('grpc', 'google.'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
