"""The pull (pouch_server/managers/images/pull.py and its parts: distribution, content, unpack, the
registry client) against real parts only: a private containerd (pouch_testing/containerd.py), a
real docker-registry on 127.0.0.1, with and without auth, and a registry that lies or stalls
(pouch_testing/registry.py FaultyRegistry), serving images built from Debian's busybox-static.

Each test works in a containerd namespace of its own, on uvloop as pouchd does. After every pull,
failed or not, no pull lease and no ingest may be left; after a failed one, no image record."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import signal
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import grpc
import httpx
import pytest
import uvloop

from containerd_api.github.com.containerd.containerd.api.services.content.v1 import content_pb2
from containerd_api.github.com.containerd.containerd.api.services.images.v1 import images_pb2
from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2
from containerd_api.github.com.containerd.containerd.api.services.snapshots.v1 import snapshots_pb2
from pouch_server.ctrd.client import CallError, ContainerdClient
from pouch_server.errors import APIError
from pouch_server.managers.images import content
from pouch_server.managers.images.distribution import (
    DOCKER_SCHEMA1_SIGNED,
    OCI_INDEX,
    OCI_MANIFEST,
    Candidate,
    Descriptor,
    Index,
    Platform,
    PullLimits,
    child_gc_labels,
    choose_manifest,
    ref_text,
    sniff_media_type,
    source_label,
)
from pouch_server.managers.images.distribution import (
    HOST_PLATFORM as DISTRIBUTION_HOST_PLATFORM,
)
from pouch_server.managers.images.progress import Progress
from pouch_server.managers.images.pull import PULL_LEASE_LABEL, PulledImage, drop_pull_leases, pull
from pouch_server.managers.images.reference import Reference
from pouch_server.managers.images.unpack import chain_ids
from pouch_server.managers.registry.addresses import Endpoint, InsecurePolicy, uses_proxy
from pouch_server.managers.registry.client import ANSWER_LIMIT, answer_limit, endpoints_for, registry_error
from pouch_server.managers.registry.credentials import Credentials
from pouch_server.managers.registry.transport import MAX_BODY
from pouch_testing.containerd import Containerd
from pouch_testing.images import (
    TestImage,
    build_busybox_image,
    build_multiplatform_image,
    busybox_missing,
    host_platform,
    push,
)
from pouch_testing.pouchd import free_port
from pouch_testing.registry import Fault, FaultyRegistry, Registry, TokenServer, missing_tools

T = TypeVar("T")

SNAPSHOTTER = "overlayfs"
USER, PASSWORD = "puller", "pull-s3cret"
ARCH, VARIANT = host_platform()
HOST_PLATFORM = f"linux/{ARCH}" + (f"/{VARIANT}" if VARIANT else "")

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
        push(busybox, r.address, "test/busybox", "v1")
        yield r


@pytest.fixture(scope="module")
def auth_registry(tmp_path_factory: pytest.TempPathFactory, busybox: TestImage) -> Iterator[Registry]:
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    with Registry(tmp_path_factory.mktemp("auth-registry"), htpasswd={USER: PASSWORD}) as r:
        push(busybox, r.address, "private/busybox", "v1", auth=(USER, PASSWORD))
        yield r


@pytest.fixture
def namespace() -> str:
    return f"pull-{uuid.uuid4().hex[:8]}"


def http(address: str) -> list[Endpoint]:
    return [Endpoint("http", address)]


async def do_pull(
    client: ContainerdClient,
    ref: Reference,
    address: str,
    *,
    record: str = "test:latest",
    progress: Progress | None = None,
    **kw: Any,
) -> PulledImage:
    kw.setdefault("credentials", None)
    return await pull(
        client,
        ref,
        record_name=record,
        snapshotter=SNAPSHOTTER,
        endpoints=http(address),
        progress=progress or Progress(),
        **kw,
    )


async def leftovers(client: ContainerdClient) -> tuple[list[str], list[str], list[str]]:
    """(image records, pull leases, ingests) in the client's namespace."""
    images = await client.call(client.images.List, images_pb2.ListImagesRequest())
    leases = await client.call(client.leases.List, leases_pb2.ListRequest())
    statuses = await client.call(client.content.ListStatuses, content_pb2.ListStatusesRequest())
    return (
        [i.name for i in images.images],
        [lease.id for lease in leases.leases if PULL_LEASE_LABEL in lease.labels],
        [s.ref for s in statuses.statuses],
    )


async def collect_garbage(client: ContainerdClient) -> None:
    """Make containerd's garbage collector run now: deleting a lease with sync waits for a run."""
    created = await client.call(client.leases.Create, leases_pb2.CreateRequest(id=f"gc-{uuid.uuid4().hex}"))
    await client.call(client.leases.Delete, leases_pb2.DeleteRequest(id=created.lease.id, sync=True))


async def labels_of(client: ContainerdClient, digest: str) -> dict[str, str] | None:
    info = await content.info(client, digest)
    return None if info is None else dict(info.labels)


async def snapshot(client: ContainerdClient, key: str) -> snapshots_pb2.Info | None:
    try:
        answer = await client.call(
            client.snapshots.Stat, snapshots_pb2.StatSnapshotRequest(snapshotter=SNAPSHOTTER, key=key)
        )
    except CallError as e:
        assert e.code is grpc.StatusCode.NOT_FOUND
        return None
    return answer.info


# ---- a pull, what it leaves, and containerd's garbage collector -----------------------------------


@needs_tools
def test_pull_records_the_image_labels_its_content_and_unpacks_it(
    ctrd: Containerd, registry: Registry, busybox: TestImage, namespace: str
) -> None:
    ref = Reference(registry.address, "test/busybox", "v1")
    layer = busybox.layers[0]
    chain = chain_ids(busybox.diff_ids)[-1]
    source_key = "containerd.io/distribution.source.127.0.0.1"

    async def scenario() -> dict[str, Any]:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            progress = Progress()
            pulled = await do_pull(client, ref, registry.address, record="test/busybox:v1", progress=progress)
            record = (await client.call(client.images.Get, images_pb2.GetImageRequest(name="test/busybox:v1"))).image
            state = {
                "pulled": pulled,
                "record": record,
                "left": await leftovers(client),
                "manifest": await labels_of(client, busybox.manifest_digest),
                "config": await labels_of(client, busybox.config_digest),
                "layer": await labels_of(client, layer.digest),
                "snapshot": await snapshot(client, chain),
                "stream": progress.tail(),
                "resolved": progress.resolved.is_set(),
            }
            # The lease is gone; the record alone keeps everything from the garbage collector.
            await collect_garbage(client)
            state["after_gc"] = [await content.info(client, d) is not None for d in busybox.blobs] + [
                await content.info(client, busybox.manifest_digest) is not None,
                await snapshot(client, chain) is not None,
            ]
            # Without the record, the next collection takes it all: the labels were what held it.
            await client.call(client.images.Delete, images_pb2.DeleteImageRequest(name="test/busybox:v1", sync=True))
            state["after_delete"] = [await content.info(client, d) is not None for d in busybox.blobs] + [
                await content.info(client, busybox.manifest_digest) is not None,
                await snapshot(client, chain) is not None,
            ]
            return state

    s = run(scenario)
    pulled: PulledImage = s["pulled"]
    assert pulled.name == "test/busybox:v1"
    assert pulled.target == Descriptor(OCI_MANIFEST, busybox.manifest_digest, busybox.manifest_size)
    assert pulled.manifest == pulled.target
    assert pulled.image_id == busybox.config_digest
    assert pulled.size == busybox.content_size
    assert pulled.chain_id == chain
    record = s["record"]
    assert (record.target.media_type, record.target.digest, record.target.size) == (
        OCI_MANIFEST,
        busybox.manifest_digest,
        busybox.manifest_size,
    )
    assert s["left"] == (["test/busybox:v1"], [], [])
    assert s["manifest"] == {
        "containerd.io/gc.ref.content.config": busybox.config_digest,
        "containerd.io/gc.ref.content.l.0": layer.digest,
        source_key: "test/busybox",
    }
    assert s["config"] == {f"containerd.io/gc.ref.snapshot.{SNAPSHOTTER}": chain, source_key: "test/busybox"}
    assert s["layer"] == {"containerd.io/uncompressed": layer.diff_id, source_key: "test/busybox"}
    info = s["snapshot"]
    assert info is not None and info.name == chain and info.kind == snapshots_pb2.Kind.COMMITTED
    assert s["after_gc"] == [True] * (len(busybox.blobs) + 2)
    assert s["after_delete"] == [False] * (len(busybox.blobs) + 2)
    # The progress: the image line, then each descriptor, all done.
    assert s["resolved"]
    table = objects(s["stream"])
    assert [(o["id"], o["status"]) for o in table] == [
        (f"{registry.address}/test/busybox:v1", "resolved"),
        (f"manifest-{busybox.manifest_digest}", "done"),
        (f"config-{busybox.config_digest}", "done"),
        (f"layer-{layer.digest}", "done"),
    ]
    assert table[3]["progressDetail"] == {"current": layer.size, "total": layer.size}


@needs_tools
def test_a_second_pull_fetches_nothing_and_updates_the_record(
    ctrd: Containerd, registry: Registry, busybox: TestImage, namespace: str
) -> None:
    ref = Reference(registry.address, "test/busybox", "v1")

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            first, second = Progress(), Progress()
            await do_pull(client, ref, registry.address, progress=first)
            await do_pull(client, ref, registry.address, progress=second)
            return objects(first.tail()), objects(second.tail()), await leftovers(client)

    first, second, left = run(scenario)
    assert [o["status"] for o in first[1:]] == ["done"] * 3
    assert [o["status"] for o in second[1:]] == ["exists"] * 3
    assert all("progressDetail" not in o and o["updated_at"] == "0001-01-01T00:00:00Z" for o in second[1:])
    assert left == (["test:latest"], [], [])


@needs_tools
def test_pull_by_digest(ctrd: Containerd, registry: Registry, busybox: TestImage, namespace: str) -> None:
    ref = Reference(registry.address, "test/busybox", digest=busybox.manifest_digest)

    async def scenario() -> tuple[PulledImage, str]:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            progress = Progress()
            pulled = await do_pull(client, ref, registry.address, progress=progress)
            return pulled, progress.name

    pulled, name = run(scenario)
    assert pulled.target.digest == busybox.manifest_digest
    assert name == f"{registry.address}/test/busybox@{busybox.manifest_digest}"


@needs_tools
@pytest.mark.parametrize("media", ["oci", "docker"])
def test_an_index_gives_the_platforms_manifest(
    ctrd: Containerd, registry: Registry, namespace: str, media: str
) -> None:
    """An OCI index or a Docker manifest list: the target is the index, the image the host
    platform's (or the one asked for); the index holds every manifest it lists."""
    index = build_multiplatform_image(tag_name="test/multi:v1", media=media)  # type: ignore[arg-type]
    push(index, registry.address, f"test/multi-{media}", "v1")
    ref = Reference(registry.address, f"test/multi-{media}", "v1")
    host = index.images[0]
    other = index.images[1]

    async def scenario() -> tuple[PulledImage, PulledImage, dict[str, str] | None, list[str]]:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            mine = await do_pull(client, ref, registry.address, record="multi:host")
            theirs = await do_pull(
                client, ref, registry.address, record="multi:other", platform=Platform(other.os, other.architecture)
            )
            progress = Progress()
            await do_pull(client, ref, registry.address, record="multi:again", progress=progress)
            ids = [o["id"] for o in objects(progress.tail())[1:]]
            return mine, theirs, await labels_of(client, index.digest), ids

    mine, theirs, labels, ids = run(scenario)
    assert mine.target == Descriptor(index.media_type, index.digest, index.size)
    assert mine.manifest.digest == host.manifest_digest and mine.image_id == host.config_digest
    assert mine.size == index.size + host.content_size
    assert theirs.image_id == other.config_digest and theirs.target == mine.target
    assert labels is not None
    assert {k: v for k, v in labels.items() if k.startswith("containerd.io/gc.ref")} == {
        "containerd.io/gc.ref.content.m.0": host.manifest_digest,
        "containerd.io/gc.ref.content.m.1": other.manifest_digest,
    }
    assert ids == [
        f"index-{index.digest}",
        f"manifest-{host.manifest_digest}",
        f"config-{host.config_digest}",
        *(f"layer-{layer.digest}" for layer in host.layers),
    ]


@needs_tools
def test_concurrent_pulls_of_one_image_both_succeed(
    ctrd: Containerd, registry: Registry, busybox: TestImage, namespace: str
) -> None:
    """The same blobs at once: one pull writes each, the other waits for the locked ingest and
    finds it there; both record their image."""
    ref = Reference(registry.address, "test/busybox", "v1")

    async def scenario() -> tuple[list[PulledImage], Any]:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            pulled = await asyncio.gather(
                do_pull(client, ref, registry.address, record="one:v1"),
                do_pull(client, ref, registry.address, record="two:v1"),
            )
            return list(pulled), await leftovers(client)

    pulled, left = run(scenario)
    assert {p.image_id for p in pulled} == {busybox.config_digest}
    assert sorted(left[0]) == ["one:v1", "two:v1"] and left[1:] == ([], [])


# ---- registry failures ----------------------------------------------------------------------------


@needs_tools
def test_an_unknown_tag_is_pouchs_not_found(ctrd: Containerd, registry: Registry, namespace: str) -> None:
    ref = Reference(registry.address, "test/busybox", "nosuch")

    async def scenario() -> tuple[APIError, bool, Any]:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            progress = Progress()
            with pytest.raises(APIError) as e:
                await do_pull(client, ref, registry.address, progress=progress)
            return e.value, progress.resolved.is_set(), await leftovers(client)

    error, resolved, left = run(scenario)
    assert (error.status, error.message) == (404, f"{registry.address}/test/busybox:nosuch not found: not found")
    assert not resolved  # a handler answers this with its status, before any stream
    assert left == ([], [], [])


@needs_tools
def test_mirrors_are_tried_first_and_a_miss_falls_through(
    ctrd: Containerd, registry: Registry, busybox: TestImage, namespace: str
) -> None:
    mirror = FaultyRegistry(busybox, repo="library/elsewhere", tag="v9")  # knows another name only
    with mirror:

        async def scenario() -> tuple[PulledImage, str]:
            async with ContainerdClient(str(ctrd.address), namespace) as client:
                progress = Progress()
                candidate = Candidate(Reference(mirror.address, "test/busybox", "v1"), tuple(http(mirror.address)))
                pulled = await do_pull(
                    client,
                    Reference(registry.address, "test/busybox", "v1"),
                    registry.address,
                    mirrors=[candidate],
                    progress=progress,
                )
                return pulled, progress.name

        pulled, name = run(scenario)
    assert ("HEAD", "/v2/test/busybox/manifests/v1") in mirror.requests
    assert pulled.image_id == busybox.config_digest and name == f"{registry.address}/test/busybox:v1"


@needs_tools
def test_an_unreachable_registry_is_named(ctrd: Containerd, namespace: str) -> None:
    address = f"127.0.0.1:{free_port()}"

    async def scenario() -> APIError:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            endpoints = await endpoints_for(address, InsecurePolicy([]))  # loopback: https unverified, then http
            with pytest.raises(APIError) as e:
                await pull(
                    client,
                    Reference(address, "test/busybox", "v1"),
                    record_name="x:v1",
                    snapshotter=SNAPSHOTTER,
                    endpoints=endpoints,
                    credentials=None,
                    progress=Progress(),
                )
            return e.value

    error = run(scenario)
    assert error.status == 500
    assert error.message == (
        f"cannot reach a registry at {address}: https://{address}: connection refused; "
        f"http://{address}: connection refused"
    )


@needs_tools
def test_a_manifest_over_the_limit_is_refused(ctrd: Containerd, registry: Registry, namespace: str) -> None:
    async def scenario() -> APIError:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            with pytest.raises(APIError) as e:
                await do_pull(
                    client,
                    Reference(registry.address, "test/busybox", "v1"),
                    registry.address,
                    limits=PullLimits(max_manifest=100),
                )
            return e.value

    error = run(scenario)
    assert re.fullmatch(
        rf"rejecting \d+ byte manifest for {registry.address}/test/busybox:v1: larger than 100", error.message
    )


@needs_tools
def test_schema1_is_refused_clearly(ctrd: Containerd, busybox: TestImage, namespace: str) -> None:
    body = json.dumps({"schemaVersion": 1, "name": "test/busybox", "tag": "old", "fsLayers": []}).encode()
    with FaultyRegistry(busybox) as reg:
        reg.manifests["old"] = (DOCKER_SCHEMA1_SIGNED, body, "sha256:" + "ab" * 32)

        async def scenario() -> APIError:
            async with ContainerdClient(str(ctrd.address), namespace) as client:
                with pytest.raises(APIError) as e:
                    await do_pull(client, Reference(reg.address, "test/busybox", "old"), reg.address)
                return e.value

        error = run(scenario)
    assert error.message.startswith(f"{DOCKER_SCHEMA1_SIGNED} not supported: Docker image manifest schema 1")


@needs_tools
def test_wrong_bytes_fail_the_commit_and_leave_nothing(ctrd: Containerd, busybox: TestImage, namespace: str) -> None:
    layer = busybox.layers[0]
    with FaultyRegistry(busybox, faults={layer.digest: Fault.corrupt()}) as reg:

        async def scenario() -> tuple[APIError, bytes, Any, bool]:
            async with ContainerdClient(str(ctrd.address), namespace) as client:
                progress = Progress()
                with pytest.raises(APIError) as e:
                    await do_pull(
                        client, Reference(reg.address, "test/busybox", "latest"), reg.address, progress=progress
                    )
                return (
                    e.value,
                    progress.tail(),
                    await leftovers(client),
                    await content.info(client, layer.digest) is None,
                )

        error, stream, left, no_layer = run(scenario)
    assert re.fullmatch(
        rf'failed commit on ref "layer-{layer.digest}": unexpected commit digest sha256:[0-9a-f]{{64}}, '
        rf"expected {layer.digest}: failed precondition",
        error.message,
    ), error.message
    assert left == ([], [], []) and no_layer
    # The stream ends with the last table, then pouch's error object.
    last = objects(stream)[-1]
    assert last["errorDetail"] == {"code": 500, "message": error.message} and last["error"] == error.message


@needs_tools
def test_a_manifest_with_wrong_bytes_is_refused_before_it_is_read(
    ctrd: Containerd, busybox: TestImage, namespace: str
) -> None:
    with FaultyRegistry(busybox, faults={busybox.manifest_digest: Fault.corrupt()}) as reg:

        async def scenario() -> tuple[APIError, Any]:
            async with ContainerdClient(str(ctrd.address), namespace) as client:
                with pytest.raises(APIError) as e:
                    await do_pull(client, Reference(reg.address, "test/busybox", "latest"), reg.address)
                return e.value, await leftovers(client)

        error, left = run(scenario)
    assert error.message.startswith(f"registry {reg.address} sent wrong content for {busybox.manifest_digest}: ")
    assert left == ([], [], [])


@needs_tools
@pytest.mark.parametrize("fault", ["truncate", "error"])
def test_a_broken_blob_answer_is_named(ctrd: Containerd, busybox: TestImage, namespace: str, fault: str) -> None:
    layer = busybox.layers[0]
    faults = {layer.digest: Fault.truncate() if fault == "truncate" else Fault.error(503)}
    with FaultyRegistry(busybox, faults=faults) as reg:

        async def scenario() -> tuple[APIError, Any]:
            async with ContainerdClient(str(ctrd.address), namespace) as client:
                with pytest.raises(APIError) as e:
                    await do_pull(client, Reference(reg.address, "test/busybox", "latest"), reg.address)
                return e.value, await leftovers(client)

        error, left = run(scenario)
    if fault == "truncate":
        assert error.message.startswith(f"lost the connection to registry {reg.address} while fetching {layer.digest}")
    else:
        assert error.message == (
            f"unexpected status code http://{reg.address}/v2/test/busybox/blobs/{layer.digest}: "
            "503 Service Unavailable - Server message: unknown: injected fault"
        )
    assert left == ([], [], [])


@needs_tools
def test_a_stalled_blob_times_out_naming_the_registry(ctrd: Containerd, busybox: TestImage, namespace: str) -> None:
    layer = busybox.layers[0]
    with FaultyRegistry(busybox, faults={layer.digest: Fault.stall()}) as reg:

        async def scenario() -> tuple[APIError, float, Any]:
            async with ContainerdClient(str(ctrd.address), namespace) as client:
                started = time.monotonic()
                with pytest.raises(APIError) as e:
                    await do_pull(
                        client,
                        Reference(reg.address, "test/busybox", "latest"),
                        reg.address,
                        limits=PullLimits(idle_timeout=0.5),
                    )
                return e.value, time.monotonic() - started, await leftovers(client)

        error, elapsed, left = run(scenario)
    assert error.message == f"registry {reg.address} sent nothing for 0.5s while sending {layer.digest}"
    assert elapsed < 5
    assert left == ([], [], [])


@needs_tools
def test_cancelling_a_stalled_pull_stops_it_at_once_and_leaves_nothing(
    ctrd: Containerd, busybox: TestImage, namespace: str
) -> None:
    """What happens when the client of ``pouch pull`` goes away: the handler's task is cancelled."""
    layer = busybox.layers[0]
    with FaultyRegistry(busybox, faults={layer.digest: Fault.stall()}) as reg:

        async def scenario() -> tuple[float, Any, bool]:
            async with ContainerdClient(str(ctrd.address), namespace) as client:
                progress = Progress()
                task = asyncio.create_task(
                    do_pull(client, Reference(reg.address, "test/busybox", "latest"), reg.address, progress=progress)
                )
                while ("GET", reg.blob_path(layer.digest)) not in reg.requests:
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.2)  # well into the stalled body
                task.cancel()
                started = time.monotonic()
                with pytest.raises(asyncio.CancelledError):
                    await task
                return time.monotonic() - started, await leftovers(client), progress.ended.is_set()

        elapsed, left, ended = run(scenario)
    assert elapsed < 1.0
    assert left == ([], [], [])
    assert ended  # a handler streaming the progress stops too


@needs_tools
def test_containerd_dying_mid_pull_leaves_no_record_and_its_lease_can_be_dropped(tmp_path: Path) -> None:
    """containerd killed while a layer is being written: the pull fails, no image is recorded;
    the pull's lease (which it could not delete) holds the partial ingest until
    :func:`drop_pull_leases` (pouchd's start-up) drops it."""
    image = build_busybox_image(tag_name="test/dying:v1", extra_layer_bytes=6 << 20, seed=5)
    layer = image.layers[-1]
    c = Containerd(tmp_path / "c").start()
    try:
        with FaultyRegistry(image, faults={layer.digest: Fault.stall(after=3 << 20)}) as reg:

            async def interrupted() -> APIError:
                async with ContainerdClient(str(c.address), "dying") as client:
                    progress = Progress()
                    task = asyncio.create_task(
                        do_pull(
                            client,
                            Reference(reg.address, "test/busybox", "latest"),
                            reg.address,
                            progress=progress,
                            limits=PullLimits(idle_timeout=1.0),
                        )
                    )
                    while (entry := progress.entries.get(f"layer-{layer.digest}")) is None or (entry.detail or (0, 0))[
                        0
                    ] < 2 << 20:
                        assert not task.done()
                        await asyncio.sleep(0.01)
                    await asyncio.to_thread(c.stop, signal.SIGKILL)
                    with pytest.raises(APIError) as e:
                        await task
                    return e.value

            error = run(interrupted)
        c.start()

        async def after_restart() -> tuple[Any, list[str], Any]:
            async with ContainerdClient(str(c.address), "dying") as client:
                # gRPC shares connections between channels: wait out its back-off from the kill.
                await client.version(wait_for_ready=True)
                before = await leftovers(client)
                dropped = await drop_pull_leases(client)
                return before, dropped, await leftovers(client)

        before, dropped, after = run(after_restart)
    finally:
        c.stop()
    assert error.status == 500
    assert before[0] == [] and len(before[1]) == 1 and f"layer-{layer.digest}" in before[2]
    assert dropped == before[1]
    assert after == ([], [], [])


# ---- the content store -----------------------------------------------------------------------------


@needs_tools
@pytest.mark.parametrize("how", ["cancelled", "failing"])
def test_an_ingest_stopped_mid_blob_closes_its_source_and_aborts(ctrd: Containerd, namespace: str, how: str) -> None:
    """Cancelled (the request went away) or failing in its own loop (here: its progress callback
    raising) while the source is still sending: the read-ahead reader stops before the source
    closes, no task is left, and the ingest is aborted."""
    data = b"x" * (3 << 20)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def source() -> AsyncIterator[AsyncIterator[bytes]]:
        async def chunks() -> AsyncIterator[bytes]:
            try:
                yield data[: 1 << 20]
                await asyncio.Event().wait()  # a registry that stops sending
            finally:
                events.append("chunks closed")

        try:
            yield chunks()
        finally:
            events.append("source closed")

    def on_progress(current: int, total: int, started: int | None) -> None:
        written.append(current)
        if how == "failing" and current:
            raise RuntimeError("progress failed")

    written: list[int] = []

    async def scenario() -> tuple[Any, set[asyncio.Task[Any]]]:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            async with client.lease() as lease:
                task = asyncio.create_task(
                    content.ingest(
                        client,
                        ref=f"stopped-{how}",
                        digest=digest,
                        size=len(data),
                        source=source,
                        lease=lease,
                        on_progress=on_progress,
                    )
                )
                if how == "cancelled":
                    while not written or written[-1] < 1 << 20:
                        await asyncio.sleep(0.01)
                    task.cancel()
                with pytest.raises(asyncio.CancelledError if how == "cancelled" else RuntimeError):
                    await task
                others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
                return await leftovers(client), others

    left, others = run(scenario)
    assert events == ["chunks closed", "source closed"]  # the reader stopped before its source closed
    assert left == ([], [], []) and others == set()


@needs_tools
def test_an_ingest_waits_for_a_locked_ref(ctrd: Containerd, namespace: str) -> None:
    """containerd answers UNAVAILABLE "locked" while another writer holds the ref: the ingest
    tries again (with back-off) until it is free, as containerd's client does."""
    data = b"locked content"
    digest = "sha256:" + hashlib.sha256(data).hexdigest()

    async def scenario() -> tuple[bool, bool, bytes]:
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            async with client.lease() as lease:
                holder = client.open(client.content.Write, lease=lease)
                await holder.write(content_pb2.WriteContentRequest(action=content_pb2.STAT, ref="busy"))
                await holder.read()
                task = asyncio.create_task(content.write_blob(client, data, ref="busy", digest=digest, lease=lease))
                await asyncio.sleep(0.3)
                waited = not task.done()
                await holder.done_writing()
                while await holder.read() is not grpc.aio.EOF:
                    pass
                written = await task
                return waited, written, await content.read(client, digest, limit=100)

    waited, written, read = run(scenario)
    assert waited and written and read == data


# ---- authentication -------------------------------------------------------------------------------


@needs_tools
def test_a_registry_with_auth_refuses_without_and_serves_with_credentials(
    ctrd: Containerd, auth_registry: Registry, busybox: TestImage, namespace: str
) -> None:
    ref = Reference(auth_registry.address, "private/busybox", "v1")
    refused = (
        f"pull access denied for {auth_registry.address}/private/busybox, repository does not exist or may "
        "require authorization: unauthorized: authentication required"
    )

    async def scenario() -> tuple[dict[str, APIError], PulledImage, Any]:
        errors: dict[str, APIError] = {}
        async with ContainerdClient(str(ctrd.address), namespace) as client:
            for key, creds in (("none", None), ("wrong", Credentials(USER, "wrong-password"))):
                with pytest.raises(APIError) as e:
                    await do_pull(client, ref, auth_registry.address, credentials=creds)
                errors[key] = e.value
            pulled = await do_pull(client, ref, auth_registry.address, credentials=Credentials(USER, PASSWORD))
            return errors, pulled, await leftovers(client)

    errors, pulled, left = run(scenario)
    for error in errors.values():
        assert (error.status, error.message) == (403, refused)
    assert pulled.image_id == busybox.config_digest
    assert left == (["test:latest"], [], [])


@needs_tools
def test_a_token_registry_gets_a_pull_scoped_token(
    ctrd: Containerd, busybox: TestImage, namespace: str, tmp_path: Path
) -> None:
    tokens = TokenServer({USER: PASSWORD}, grant_scopes=True)
    try:
        with Registry(tmp_path / "registry", token=tokens) as reg:
            push(busybox, reg.address, "tok/busybox", "v1", auth=(USER, PASSWORD))
            tokens.requests.clear()
            ref = Reference(reg.address, "tok/busybox", "v1")

            refresh = tokens.new_refresh_token(USER)

            async def scenario() -> tuple[APIError, PulledImage, PulledImage]:
                async with ContainerdClient(str(ctrd.address), namespace) as client:
                    with pytest.raises(APIError) as e:
                        await do_pull(client, ref, reg.address)
                    pulled = await do_pull(client, ref, reg.address, credentials=Credentials(USER, PASSWORD))
                    by_identity = await do_pull(
                        client, ref, reg.address, record="again:v1", credentials=Credentials(identity_token=refresh)
                    )
                    return e.value, pulled, by_identity

            error, pulled, by_identity = run(scenario)
    finally:
        tokens.stop()
    assert (error.status, error.message) == (
        403,
        f"failed to fetch anonymous token from {tokens.realm}: 401 Unauthorized",
    )
    assert pulled.image_id == by_identity.image_id == busybox.config_digest
    granted = [r for r in tokens.requests if r.basic_user == USER]
    # One token for the whole pull (kept for the host), scoped to pulling this repository.
    assert len(granted) == 1 and granted[0].params["scope"] == "repository:tok/busybox:pull"
    # An identity token is traded for an access token by OAuth2's refresh_token grant.
    posted = [r for r in tokens.requests if r.method == "POST"]
    assert len(posted) == 1
    assert posted[0].params == {
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        "client_id": "pouch",
        "service": "pouch-test-registry",
        "scope": "repository:tok/busybox:pull",
    }


# ---- the event loop stays free -----------------------------------------------------------------


@needs_tools
def test_a_50_mb_pull_never_holds_the_event_loop(ctrd: Containerd, registry: Registry, namespace: str) -> None:
    """pouchd answers /_ping within 250 ms during a 50 MB pull: the loop is never held longer
    (measured as the lateness of a 5 ms timer, the whole pull long)."""
    big = build_busybox_image(tag_name="test/big:v1", extra_layer_bytes=50 << 20, seed=4)
    push(big, registry.address, "test/big", "v1")

    async def scenario() -> tuple[float, float, PulledImage]:
        loop = asyncio.get_running_loop()
        worst = 0.0
        done = False

        async def watch() -> None:
            nonlocal worst
            while not done:
                before = loop.time()
                await asyncio.sleep(0.005)
                worst = max(worst, loop.time() - before - 0.005)

        async with ContainerdClient(str(ctrd.address), namespace) as client:
            watcher = asyncio.create_task(watch())
            started = time.monotonic()
            try:
                pulled = await do_pull(client, Reference(registry.address, "test/big", "v1"), registry.address)
            finally:
                done = True
                await watcher
            return worst, time.monotonic() - started, pulled

    worst, elapsed, pulled = run(scenario)
    assert pulled.size == big.content_size
    assert worst < 0.25, f"the loop was held {worst * 1000:.0f} ms (pull took {elapsed:.1f}s)"


# ---- the pieces -------------------------------------------------------------------------------------


def test_chain_ids_are_the_oci_identity() -> None:
    a, b = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    assert chain_ids([a, b]) == [a, "sha256:" + hashlib.sha256(f"{a} {b}".encode()).hexdigest()]
    assert chain_ids([]) == []


def test_child_gc_labels_number_each_kind() -> None:
    d = "sha256:" + "1" * 64
    children = [
        Descriptor("application/vnd.oci.image.config.v1+json", d, 1),
        Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", "sha256:" + "2" * 64, 1),
        Descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", "sha256:" + "3" * 64, 1),
        Descriptor(OCI_MANIFEST, "sha256:" + "4" * 64, 1),
        Descriptor(OCI_INDEX, "sha256:" + "5" * 64, 1),
    ]
    assert child_gc_labels(children) == {
        "containerd.io/gc.ref.content.config": d,
        "containerd.io/gc.ref.content.l.0": "sha256:" + "2" * 64,
        "containerd.io/gc.ref.content.l.1": "sha256:" + "3" * 64,
        "containerd.io/gc.ref.content.m.0": "sha256:" + "4" * 64,
        "containerd.io/gc.ref.content.0": "sha256:" + "5" * 64,
    }


def test_platform_choice_is_containerds() -> None:
    def manifest(n: int, platform: Platform | None) -> Descriptor:
        return Descriptor(OCI_MANIFEST, f"sha256:{n:064x}", 1, platform)

    index_desc = Descriptor(OCI_INDEX, "sha256:" + "f" * 64, 1)
    arm, i386, amd = Platform("linux", "arm64"), Platform("linux", "386"), Platform("linux", "amd64")
    index = Index((manifest(1, arm), manifest(2, i386), manifest(3, amd), manifest(4, amd), manifest(5, None)))
    assert choose_manifest(index, index_desc, Platform.parse("linux/amd64")).digest == f"sha256:{3:064x}"
    assert choose_manifest(index, index_desc, Platform.parse("linux/aarch64")).digest == f"sha256:{1:064x}"
    assert choose_manifest(Index(index.manifests[1:2]), index_desc, amd).digest == f"sha256:{2:064x}"  # 386 runs
    assert choose_manifest(Index(index.manifests[4:]), index_desc, amd).digest == f"sha256:{5:064x}"
    with pytest.raises(APIError, match="no match for platform linux/s390x in manifest"):
        choose_manifest(Index(index.manifests[:4]), index_desc, Platform.parse("linux/s390x"))
    assert Platform.parse("Linux/x86_64") == amd
    with pytest.raises(APIError, match="invalid platform"):
        Platform.parse("linux")


@pytest.mark.parametrize(
    ("machine", "platform"),
    [
        ("x86_64", "linux/amd64"),
        ("aarch64", "linux/arm64"),
        ("armv7l", "linux/arm/v7"),
        ("armv6l", "linux/arm/v6"),
        ("i686", "linux/386"),
        ("ppc64le", "linux/ppc64le"),
        ("s390x", "linux/s390x"),
        ("riscv64", "linux/riscv64"),
    ],
)
def test_the_host_platform_is_the_machines(machine: str, platform: str) -> None:
    """What pouchd pulls and loads for: containerd's platforms.DefaultSpec of ``uname -m``."""
    assert str(Platform.host(machine)) == platform


def test_pouchd_pulls_for_this_machine() -> None:
    assert str(DISTRIBUTION_HOST_PLATFORM) == HOST_PLATFORM


def test_distribution_source_labels_gather_repositories() -> None:
    key = "containerd.io/distribution.source.127.0.0.1"
    assert source_label("127.0.0.1:5000", "test/b", {}) == {key: "test/b"}
    assert source_label("127.0.0.1:5000", "test/a", {key: "test/b"}) == {key: "test/a,test/b"}
    assert source_label("[::1]:5000", "x", {}) == {"containerd.io/distribution.source.::1": "x"}
    assert source_label("h", "r" * 5000, {}) == {}


def test_registry_error_bodies_read_as_docker_words_them() -> None:
    body = b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}'
    assert registry_error(body) == "manifest unknown: manifest unknown"
    assert registry_error(b"<html>nope</html>") == ""
    assert registry_error(b'{"errors":"no"}') == ""


def test_vague_manifest_types_are_sniffed() -> None:
    vague = Descriptor("application/json", "sha256:" + "0" * 64, 1)
    assert sniff_media_type(b'{"schemaVersion":2,"manifests":[]}', vague) == OCI_INDEX
    config = b'{"config":{"mediaType":"application/vnd.docker.container.image.v1+json"},"layers":[]}'
    assert sniff_media_type(config, vague) == "application/vnd.docker.distribution.manifest.v2+json"
    assert (
        sniff_media_type(b'{"schemaVersion":1,"fsLayers":[]}', vague)
        == "application/vnd.docker.distribution.manifest.v1+json"
    )


def test_ref_text_is_pouchs_name_of_a_pull() -> None:
    assert ref_text(Reference("r.io", "a/b")) == "r.io/a/b:latest"
    assert ref_text(Reference("r.io", "a/b", "v1", "sha256:" + "1" * 64)) == "r.io/a/b@sha256:" + "1" * 64


def test_answers_are_bounded_by_what_their_request_expects() -> None:
    def answer(status: int, method: str = "GET", extensions: dict[str, Any] | None = None) -> httpx.Response:
        request = httpx.Request(method, "http://r.test/v2/x/blobs/sha256:00", extensions=extensions or {})
        return httpx.Response(status, request=request)

    assert answer_limit(answer(200, extensions={ANSWER_LIMIT: None})) is None  # a layer: the puller counts
    assert answer_limit(answer(200, extensions={ANSWER_LIMIT: 405})) == 405  # a manifest or config: its size
    assert answer_limit(answer(404, extensions={ANSWER_LIMIT: None})) == MAX_BODY  # an error body
    assert answer_limit(answer(200)) == MAX_BODY  # a token, or anything else
    assert answer_limit(answer(200, "HEAD")) is None


def test_endpoints_follow_the_insecure_registries() -> None:
    async def scenario() -> list[tuple[Endpoint, ...]]:
        policy = InsecurePolicy(["reg.test:5000"])
        return [await endpoints_for(d, policy) for d in ("reg.test:5000", "secure.test", "127.0.0.1:5000")]

    insecure, secure, loopback = asyncio.run(scenario())
    assert insecure == (Endpoint("https", "reg.test:5000", verify=False), Endpoint("http", "reg.test:5000"))
    assert secure == (Endpoint("https", "secure.test"),)
    assert loopback == (Endpoint("https", "127.0.0.1:5000", verify=False), Endpoint("http", "127.0.0.1:5000"))


def test_endpoints_take_the_image_proxy_unless_loopback_or_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """pouch's rules (ctrd/image_proxy_util.go): the proxy for every endpoint of a registry but
    one on loopback, ``localhost`` or named by ``NO_PROXY``; an address without a scheme is
    ``http://``."""
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.delenv("no_proxy", raising=False)

    async def endpoints(domain: str, proxy: str) -> tuple[Endpoint, ...]:
        return await endpoints_for(domain, InsecurePolicy(["reg.test:5000"]), proxy)

    far = asyncio.run(endpoints("reg.test:5000", "10.0.0.1:3128"))
    assert [e.proxy for e in far] == ["http://10.0.0.1:3128"] * 2
    assert asyncio.run(endpoints("secure.test", "https://proxy.test"))[0].proxy == "https://proxy.test"
    for near in ("127.0.0.1:5000", "localhost:5000", "[::1]:5000", "127.8.0.1"):
        assert [e.proxy for e in asyncio.run(endpoints(near, "10.0.0.1:3128"))] == ["", ""], near
    assert [e.proxy for e in asyncio.run(endpoints("reg.test:5000", ""))] == ["", ""]
    for bad in ("socks5://10.0.0.1:1080", "http://", "ftp://x", "a b"):
        with pytest.raises(APIError, match="invalid image proxy"):
            asyncio.run(endpoints("reg.test:5000", bad))


@pytest.mark.parametrize(
    ("no_proxy", "netloc", "proxied"),
    [
        ("", "reg.example.com:5000", True),
        ("*", "reg.example.com:5000", False),
        ("example.com", "reg.example.com:5000", False),
        ("example.com", "example.com", False),
        ("example.com", "badexample.com", True),
        (".example.com", "example.com", False),
        (".example.com", "a.b.example.com", False),
        ("other.org, reg.example.com:443", "reg.example.com:5000", False),
        ("10.1.2.3", "10.1.2.3:5000", False),
        ("10.1.2.3", "10.1.2.4:5000", True),
        ("[fd00::1]:80", "[fd00::1]:5000", False),
    ],
)
def test_no_proxy_is_read_as_go_reads_it(no_proxy: str, netloc: str, proxied: bool) -> None:
    assert uses_proxy(netloc, no_proxy) is proxied
