"""Image archives (pouch_server/managers/images/archive.py): ``load`` of OCI image layouts and
``docker save`` archives, and ``prepare_save``'s OCI layout, against a private containerd
(pouch_testing/containerd.py) with images built from Debian's busybox-static.

Each test works in containerd namespaces of its own, on uvloop as pouchd does, through a real
ImageManager. After every load, failed or not, no lease and no ingest may be left, nor the spooled
archive; after a failed one, no image record."""

from __future__ import annotations

import asyncio
import datetime
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import pytest
import uvloop

from containerd_api.github.com.containerd.containerd.api.services.content.v1 import content_pb2
from containerd_api.github.com.containerd.containerd.api.services.images.v1 import images_pb2
from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2
from containerd_api.github.com.containerd.containerd.api.services.snapshots.v1 import snapshots_pb2
from pouch_server.ctrd.client import ContainerdClient
from pouch_server.ctrd.engine import Engine
from pouch_server.errors import APIError
from pouch_server.managers.events import EventBus
from pouch_server.managers.images import archive, content
from pouch_server.managers.images.archive import NAME_WITH_TAG, load, prepare_save
from pouch_server.managers.images.distribution import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
)
from pouch_server.managers.images.manager import ImageManager
from pouch_server.managers.images.unpack import chain_ids
from pouch_testing.containerd import Containerd
from pouch_testing.images import (
    TestImage,
    build_busybox_image,
    build_image,
    build_multiplatform_image,
    busybox_layer,
    busybox_missing,
    docker_archive_tar,
    docker_layer_ids,
    make_layer,
    oci_layout_tar,
)

T = TypeVar("T")

SNAPSHOTTER = "overlayfs"
DEFAULT_REGISTRY = "registry.hub.docker.com"
MAX_BYTES = 256 << 20

needs_tools = pytest.mark.skipif(
    Containerd.available() is not None or busybox_missing() is not None,
    reason=str(Containerd.available() or busybox_missing()),
)


def run(make: Callable[[], Awaitable[T]]) -> T:
    """``make()`` awaited on a new uvloop event loop, as pouchd runs."""

    async def main() -> T:
        return await make()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main())


def today_names() -> set[str]:
    # A load that runs across midnight names its images by either day.
    now = datetime.date.today()
    return {archive.import_prefix(now), archive.import_prefix(now - datetime.timedelta(days=1))}


async def body(data: bytes, chunk: int = 64 << 10) -> AsyncIterator[bytes]:
    """A request body: ``data`` in chunks, as Starlette hands them over."""
    view = memoryview(data)
    for start in range(0, len(data), chunk):
        yield bytes(view[start : start + chunk])
        await asyncio.sleep(0)


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
    reason = busybox_missing()
    if reason:
        pytest.skip(reason)
    return build_busybox_image(tag_name="busybox:latest", extra_files={"etc/motd": b"loaded\n"})


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    path = tmp_path / "spool"
    path.mkdir()
    return path


@dataclass
class Env:
    """One namespace of the private containerd, with pouchd's ImageManager over it."""

    client: ContainerdClient
    manager: ImageManager
    spool: Path

    async def load(self, data: bytes, name: str | None = None, *, max_bytes: int = MAX_BYTES) -> list[str]:
        return await load(self.manager, body(data), name, spool_dir=self.spool, max_bytes=max_bytes)

    async def save(self, names: Sequence[str]) -> bytes:
        stream = await prepare_save(self.manager, names)
        return b"".join([chunk async for chunk in stream])

    async def leftovers(self) -> tuple[list[str], list[str], list[str], list[str]]:
        """(image records, leases, ingests, spooled files)."""
        client = self.client
        images = await client.call(client.images.List, images_pb2.ListImagesRequest())
        leases = await client.call(client.leases.List, leases_pb2.ListRequest())
        statuses = await client.call(client.content.ListStatuses, content_pb2.ListStatusesRequest())
        return (
            sorted(i.name for i in images.images),
            [lease.id for lease in leases.leases],
            [s.ref for s in statuses.statuses],
            sorted(os.listdir(self.spool)),
        )

    async def committed(self, chain_id: str) -> bool:
        try:
            info = await self.client.call(
                self.client.snapshots.Stat, snapshots_pb2.StatSnapshotRequest(snapshotter=SNAPSHOTTER, key=chain_id)
            )
        except APIError as e:
            assert e.status == 404
            return False
        return bool(info.info.kind == snapshots_pb2.Kind.COMMITTED)

    async def rootfs_has(self, chain_id: str, path: str) -> bool:
        """Whether ``path`` is in the rootfs the snapshot ``chain_id`` holds: a view of it, whose
        directories are read without mounting anything."""
        key = f"check-{uuid.uuid4().hex}"
        request = snapshots_pb2.ViewSnapshotRequest(snapshotter=SNAPSHOTTER, key=key, parent=chain_id)
        async with self.client.lease() as lease:  # the view goes with it
            view = await self.client.call(self.client.snapshots.View, request, lease=lease)
            dirs: list[str] = []
            for mount in view.mounts:
                if mount.type == "bind":
                    dirs.append(mount.source)
                for option in mount.options:
                    if option.startswith("lowerdir="):
                        dirs += option.removeprefix("lowerdir=").split(":")
            return any(os.path.lexists(os.path.join(d, path)) for d in dirs)


async def open_env(ctrd: Containerd, spool: Path, namespace: str | None = None) -> Env:
    client = ContainerdClient(str(ctrd.address), namespace or f"archive-{uuid.uuid4().hex[:8]}")
    manager = ImageManager(EventBus(), default_registry=DEFAULT_REGISTRY, snapshotter=SNAPSHOTTER)
    await manager.load(cast(Engine, SimpleNamespace(client=client)))
    return Env(client, manager, spool)


# ---- building archives ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes = b""
    kind: bytes = tarfile.REGTYPE
    link: str = ""


def make_tar(entries: Sequence[Entry]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e.name)
            info.type, info.linkname, info.mode = e.kind, e.link, 0o644
            if e.kind == tarfile.REGTYPE:
                info.size = len(e.data)
                tar.addfile(info, io.BytesIO(e.data))
            else:
                tar.addfile(info)
    return buf.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        out = {}
        for m in tar.getmembers():
            f = tar.extractfile(m) if m.isreg() else None
            out[m.name] = f.read() if f is not None else b""
        return out


def replace_member(data: bytes, name: str, new: bytes) -> bytes:
    """The tar ``data`` with the member ``name``'s bytes replaced by ``new`` (same size)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        m = tar.getmember(name)
        assert len(new) == m.size
        return data[: m.offset_data] + new + data[m.offset_data + m.size :]


def blob_name(digest: str) -> str:
    return f"blobs/sha256/{digest.removeprefix('sha256:')}"


# ---- names (no containerd) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "name", "expected"),
    [
        ("v1", None, "import-2026-12-04:v1"),
        ("busybox:latest", None, "busybox:latest"),
        ("docker.io/library/busybox:latest", None, "docker.io/library/busybox:latest"),
        ("x@sha256:" + "a" * 64, None, "x@sha256:" + "a" * 64),
        ("v1", "mybox", "mybox:v1"),
        ("mybox:v2", "mybox", "mybox:v2"),
        ("mybox/sub:v2", "mybox", "mybox/sub:v2"),
        ("myboxes:v2", "mybox", None),
        ("other/mybox:v2", "mybox", None),
    ],
)
def test_names_follow_pouchs_translators(ref: str, name: str | None, expected: str | None) -> None:
    assert archive.translate_name(ref, name, "import-2026-12-04") == expected


def test_an_entry_is_named_by_its_full_name_without_name_and_by_its_tag_with_one() -> None:
    both = {archive.ANNOTATION_IMAGE_NAME: "docker.io/library/busybox:1.36", archive.ANNOTATION_REF_NAME: "1.36"}
    assert archive.entry_name(both, None, "import-x") == "docker.io/library/busybox:1.36"
    assert archive.entry_name(both, "mybox", "import-x") == "mybox:1.36"
    full_only = {archive.ANNOTATION_IMAGE_NAME: "other/thing:v1"}
    assert archive.entry_name(full_only, "mybox", "import-x") is None
    assert archive.entry_name({}, None, "import-x") is None


def test_the_load_name_must_be_a_bare_name() -> None:
    assert archive.check_load_name(None) is None
    assert archive.check_load_name("") is None
    assert archive.check_load_name("registry.example:5000/my/box") == "registry.example:5000/my/box"
    for bad in ("busybox:latest", "busybox@sha256:" + "a" * 64):
        with pytest.raises(APIError) as e:
            archive.check_load_name(bad)
        assert (e.value.status, e.value.message) == (400, NAME_WITH_TAG)
    with pytest.raises(APIError) as e:
        archive.check_load_name("Not Valid!")
    assert (e.value.status, e.value.message) == (400, "failed to parse image name Not Valid!: invalid reference")
    assert archive.load_event_name(None, datetime.date(2026, 12, 4)) == "import-2026-12-04"
    assert archive.load_event_name("mybox") == "mybox"


# ---- loading and saving ---------------------------------------------------------------------------


@needs_tools
def test_an_oci_layout_loads_unpacked_and_named_then_saves_and_loads_elsewhere_the_same(
    ctrd: Containerd, busybox: TestImage, spool: Path
) -> None:
    tar = oci_layout_tar(busybox, ["v1", "test/busybox:v2"])
    chain = chain_ids(busybox.diff_ids)[-1]

    async def scenario() -> dict[str, Any]:
        env = await open_env(ctrd, spool)
        other = await open_env(ctrd, spool)
        try:
            names = await env.load(tar)
            state: dict[str, Any] = {"names": names, "left": await env.leftovers()}
            state["info"] = env.manager.info(busybox.id)
            state["records"] = {n: r.target for n, r in env.manager.records.items()}
            state["committed"] = await env.committed(chain)
            state["busybox"] = await env.rootfs_has(chain, "bin/busybox")
            state["motd"] = await env.rootfs_has(chain, "etc/motd")
            labels = {}
            for digest in (busybox.manifest_digest, busybox.config_digest, busybox.layers[0].digest):
                info = await content.info(env.client, digest)
                labels[digest] = dict(info.labels) if info is not None else None
            state["labels"] = labels
            saved = await env.save(["test/busybox:v2", names[0]])
            state["saved"] = saved
            state["left_after_save"] = await env.leftovers()
            state["again"] = await other.load(saved)
            state["other_info"] = other.manager.info(busybox.id)
            state["other_records"] = {n: r.target for n, r in other.manager.records.items()}
            state["other_committed"] = await other.committed(chain)
            return state
        finally:
            await env.client.close()
            await other.client.close()

    s = run(scenario)
    (first,) = [n for n in s["names"] if n.endswith(":v1")]
    assert first.removesuffix(":v1") in today_names()
    assert s["names"] == [first, "test/busybox:v2"]
    prefix = first.removesuffix(":v1")
    assert s["left"] == (
        sorted(
            [first, "test/busybox:v2", f"{prefix}@{busybox.manifest_digest}", f"test/busybox@{busybox.manifest_digest}"]
        ),
        [],
        [],
        [],
    )
    info = s["info"]
    assert info["Id"] == busybox.id
    assert info["RepoTags"] == sorted([first, "test/busybox:v2"])
    assert info["RepoDigests"] == sorted(
        [f"{prefix}@{busybox.manifest_digest}", f"test/busybox@{busybox.manifest_digest}"]
    )
    assert info["RootFS"]["Layers"] == busybox.diff_ids
    assert {(t.media_type, t.digest, t.size) for t in s["records"].values()} == {
        (OCI_MANIFEST, busybox.manifest_digest, busybox.manifest_size)
    }
    assert s["committed"] and s["busybox"] and s["motd"]
    labels = s["labels"]
    assert labels[busybox.manifest_digest] == {
        "containerd.io/gc.ref.content.config": busybox.config_digest,
        "containerd.io/gc.ref.content.l.0": busybox.layers[0].digest,
        "containerd.io/gc.ref.content.l.1": busybox.layers[1].digest,
    }
    assert labels[busybox.config_digest] == {f"containerd.io/gc.ref.snapshot.{SNAPSHOTTER}": chain}
    assert labels[busybox.layers[0].digest] == {"containerd.io/uncompressed": busybox.layers[0].diff_id}

    # The saved layout: containerd's exporter's entries and order, the blobs as built.
    saved = s["saved"]
    with tarfile.open(fileobj=io.BytesIO(saved), mode="r:") as t:
        names = [m.name for m in t.getmembers()]
    blobs = sorted(blob_name(d) for d in [*busybox.blobs, busybox.manifest_digest])
    assert names == ["blobs", "blobs/sha256", *blobs, "index.json", "manifest.json", "oci-layout"]
    assert len(saved) % 512 == 0 and saved.endswith(b"\0" * 1024)
    files = members(saved)
    for digest, data in [*busybox.blobs.items(), (busybox.manifest_digest, busybox.manifest)]:
        assert files[blob_name(digest)] == data
    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads(files["index.json"])
    assert index["schemaVersion"] == 2 and index["mediaType"] == OCI_INDEX
    target = {"mediaType": OCI_MANIFEST, "digest": busybox.manifest_digest, "size": busybox.manifest_size}
    assert index["manifests"] == [
        {
            **target,
            "annotations": {"io.containerd.image.name": "test/busybox:v2", "org.opencontainers.image.ref.name": "v2"},
        },
        {**target, "annotations": {"io.containerd.image.name": first, "org.opencontainers.image.ref.name": "v1"}},
    ]
    assert json.loads(files["manifest.json"]) == [
        {
            "Config": blob_name(busybox.config_digest),
            "RepoTags": ["test/busybox:v2", first],
            "Layers": [blob_name(layer.digest) for layer in busybox.layers],
        }
    ]

    # Loaded into another namespace: the same names, image and digests.
    assert s["again"] == ["test/busybox:v2", first]
    assert s["other_info"]["Id"] == busybox.id
    assert s["other_info"]["RepoTags"] == info["RepoTags"]
    assert s["other_info"]["RepoDigests"] == info["RepoDigests"]
    assert s["other_records"] == s["records"]
    assert s["other_committed"]


@needs_tools
def test_a_docker_archive_loads_with_containerds_manifest_and_round_trips(
    ctrd: Containerd, busybox: TestImage, spool: Path, tmp_path: Path
) -> None:
    tar = docker_archive_tar(busybox, ["busybox:latest", "registry.example:5000/team/box:v3"])
    chain = chain_ids(busybox.diff_ids)[-1]
    ctr_namespace = f"ctr-{uuid.uuid4().hex[:8]}"

    async def scenario() -> dict[str, Any]:
        env = await open_env(ctrd, spool)
        other = await open_env(ctrd, spool)
        try:
            names = await env.load(tar)
            state: dict[str, Any] = {"names": names, "left": await env.leftovers()}
            state["info"] = env.manager.info(busybox.id)
            state["target"] = env.manager.records["busybox:latest"].target
            state["manifest"] = await content.read(env.client, state["target"].digest, limit=1 << 20)
            state["committed"] = await env.committed(chain) and await env.rootfs_has(chain, "bin/sh")
            saved = await env.save(["busybox"])
            state["saved"] = members(saved)
            state["again"] = await other.load(saved)
            state["other_info"] = other.manager.info(busybox.id)
            state["other_target"] = other.manager.records["busybox:latest"].target
            return state
        finally:
            await env.client.close()
            await other.client.close()

    s = run(scenario)
    assert s["names"] == ["busybox:latest", "registry.example:5000/team/box:v3"]
    assert s["left"][1:] == ([], [], [])
    assert s["info"]["Id"] == busybox.id
    assert s["info"]["RepoTags"] == ["busybox:latest", "registry.example:5000/team/box:v3"]
    target = s["target"]
    assert target.media_type == DOCKER_MANIFEST
    manifest = json.loads(s["manifest"])
    assert manifest == {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG, "digest": busybox.config_digest, "size": busybox.config_size},
        "layers": [
            {"mediaType": DOCKER_LAYER, "digest": layer.diff_id, "size": len(layer.tar)} for layer in busybox.layers
        ],
    }
    assert s["info"]["RepoDigests"] == [
        f"busybox@{target.digest}",
        f"registry.example:5000/team/box@{target.digest}",
    ]
    assert s["committed"]
    # Saved: the uncompressed layers as loaded, Docker's manifest.json naming them.
    saved = s["saved"]
    assert json.loads(saved["manifest.json"]) == [
        {
            "Config": blob_name(busybox.config_digest),
            "RepoTags": ["busybox:latest"],
            "Layers": [blob_name(layer.diff_id) for layer in busybox.layers],
        }
    ]
    for layer in busybox.layers:
        assert saved[blob_name(layer.diff_id)] == layer.tar
    assert s["again"] == ["busybox:latest"]
    assert s["other_info"]["Id"] == busybox.id
    assert s["other_target"] == target

    # containerd's own importer writes the very same manifest for this archive.
    path = tmp_path / "docker.tar"
    path.write_bytes(tar)
    ctr = ["ctr", "--address", str(ctrd.address), "--namespace", ctr_namespace]
    subprocess.run([*ctr, "images", "import", "--no-unpack", str(path)], check=True, capture_output=True)
    listed = subprocess.run([*ctr, "images", "ls"], check=True, capture_output=True, text=True).stdout
    assert (
        f"docker.io/library/busybox:latest application/vnd.docker.distribution.manifest.v2+json {target.digest}"
        in " ".join(listed.split())
    )


@needs_tools
def test_a_multiplatform_index_loads_the_hosts_image_and_saves_what_it_has(ctrd: Containerd, spool: Path) -> None:
    index = build_multiplatform_image(tag_name="mp:v1")
    host = index.images[0]
    foreign = index.images[1]
    tar = oci_layout_tar(index, ["mp:v1"])

    async def scenario() -> dict[str, Any]:
        env = await open_env(ctrd, spool)
        other = await open_env(ctrd, spool)
        try:
            names = await env.load(tar)
            state: dict[str, Any] = {"names": names, "left": await env.leftovers()}
            state["target"] = env.manager.records["mp:v1"].target
            state["id"] = env.manager.lookup("mp:v1")[0].id
            state["foreign"] = await content.info(env.client, foreign.manifest_digest)
            state["index_labels"] = dict((await content.info(env.client, index.digest)).labels)  # type: ignore[union-attr]
            saved = await env.save([host.id.removeprefix("sha256:")[:12]])
            state["saved"] = members(saved)
            state["again"] = await other.load(saved)
            state["other_target"] = other.manager.records["mp:v1"].target
            return state
        finally:
            await env.client.close()
            await other.client.close()

    s = run(scenario)
    assert s["names"] == ["mp:v1"]
    assert s["left"] == (["mp:v1", f"mp@{index.digest}"], [], [], [])
    assert (s["target"].media_type, s["target"].digest) == (OCI_INDEX, index.digest)
    assert s["id"] == host.id
    assert s["foreign"] is None  # only the host's platform is loaded
    assert s["index_labels"] == {
        "containerd.io/gc.ref.content.m.0": host.manifest_digest,
        "containerd.io/gc.ref.content.m.1": foreign.manifest_digest,
    }
    saved = s["saved"]
    assert blob_name(index.digest) in saved and blob_name(host.manifest_digest) in saved
    assert blob_name(foreign.manifest_digest) not in saved
    assert json.loads(saved["manifest.json"])[0]["RepoTags"] == ["mp:v1"]
    assert s["again"] == ["mp:v1"]
    assert s["other_target"] == s["target"]


@needs_tools
def test_a_name_renames_tags_and_filters_full_references(ctrd: Containerd, busybox: TestImage, spool: Path) -> None:
    docker = docker_archive_tar(busybox, ["mybox:v1", "mybox/sub:v2", "other:v3", "myboxes:v4"])
    oci = oci_layout_tar(busybox, ["v5", "elsewhere/thing:v6"])
    # The layout pouch's own containerd (1.2) wrote for a Docker archive: a full ref as the ref name.
    legacy_index = {
        "schemaVersion": 2,
        "manifests": [
            {**busybox.descriptor(), "annotations": {archive.ANNOTATION_REF_NAME: "docker.io/library/mybox:v7"}},
            {**busybox.descriptor(), "annotations": {archive.ANNOTATION_REF_NAME: "mybox:v8"}},
        ],
    }
    legacy = make_tar(
        [
            Entry("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
            Entry("index.json", json.dumps(legacy_index).encode()),
            *[Entry(blob_name(d), b) for d, b in [*busybox.blobs.items(), (busybox.manifest_digest, busybox.manifest)]],
        ]
    )

    async def scenario() -> tuple[list[str], list[str], list[str], list[str], list[str]]:
        env = await open_env(ctrd, spool)
        try:
            return (
                await env.load(docker, "mybox"),
                await env.load(oci, "mybox"),
                await env.load(legacy, "mybox"),
                await env.load(legacy),
                env.manager.info(busybox.id)["RepoTags"],
            )
        finally:
            await env.client.close()

    from_docker, from_oci, from_legacy, unnamed, tags = run(scenario)
    assert from_docker == ["mybox:v1", "mybox/sub:v2"]
    assert from_oci == ["mybox:v5", "mybox:v6"]
    assert from_legacy == ["mybox:v8"]
    assert unnamed == ["docker.io/library/mybox:v7", "mybox:v8"]
    assert tags == sorted(
        ["mybox:v1", "mybox/sub:v2", "mybox:v5", "mybox:v6", "mybox:v8", "docker.io/library/mybox:v7"]
    )


@needs_tools
def test_an_archive_without_names_records_nothing(ctrd: Containerd, busybox: TestImage, spool: Path) -> None:
    async def scenario() -> tuple[list[str], list[str], Any]:
        env = await open_env(ctrd, spool)
        try:
            return (
                await env.load(docker_archive_tar(busybox, [])),
                await env.load(oci_layout_tar(busybox, [])),
                await env.leftovers(),
            )
        finally:
            await env.client.close()

    docker, oci, left = run(scenario)
    assert docker == oci == []
    assert left == ([], [], [], [])


@needs_tools
def test_a_name_with_a_tag_is_refused_before_the_body_is_read(ctrd: Containerd, spool: Path) -> None:
    read = []

    async def chunks() -> AsyncIterator[bytes]:
        read.append(True)
        yield b"never"

    async def scenario() -> APIError:
        env = await open_env(ctrd, spool)
        try:
            with pytest.raises(APIError) as e:
                await load(env.manager, chunks(), "busybox:v1", spool_dir=spool, max_bytes=MAX_BYTES)
            return e.value
        finally:
            await env.client.close()

    error = run(scenario)
    assert (error.status, error.message) == (400, NAME_WITH_TAG)
    assert read == [] and os.listdir(spool) == []


@needs_tools
def test_save_resolves_every_name_before_the_first_byte(ctrd: Containerd, busybox: TestImage, spool: Path) -> None:
    async def scenario() -> tuple[APIError, APIError]:
        env = await open_env(ctrd, spool)
        try:
            await env.load(oci_layout_tar(busybox, ["busybox:latest"]))
            with pytest.raises(APIError) as missing:
                await prepare_save(env.manager, ["busybox", "nosuch"])
            with pytest.raises(APIError) as none:
                await prepare_save(env.manager, [])
            return missing.value, none.value
        finally:
            await env.client.close()

    missing, none = run(scenario)
    assert (missing.status, missing.message) == (404, f"image {DEFAULT_REGISTRY}/library/nosuch: not found")
    assert none.status == 400


# ---- bad archives ---------------------------------------------------------------------------------


def _oci_tar(image: TestImage) -> bytes:
    return oci_layout_tar(image, ["busybox:latest"])


def _truncated_in_blob(image: TestImage) -> bytes:
    data = _oci_tar(image)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        layer = tar.getmember(blob_name(image.layers[0].digest))
    return data[: layer.offset_data + layer.size // 2]


def _truncated_in_header(image: TestImage) -> bytes:
    data = _oci_tar(image)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        last = tar.getmembers()[-1]
    return data[: last.offset + 200]


def _wrong_digest(image: TestImage) -> bytes:
    layer = image.layers[1]
    return replace_member(_oci_tar(image), blob_name(layer.digest), bytes(layer.size))


def _wrong_docker_layer(image: TestImage) -> bytes:
    data = docker_archive_tar(image)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        name = f"{docker_layer_ids(image)[-1]}/layer.tar"
        size = tar.getmember(name).size
    return replace_member(data, name, b"\1" * size)


def _layout(*extra: Entry, index: bytes | None = b'{"schemaVersion":2,"manifests":[]}') -> bytes:
    entries = [Entry("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), *extra]
    if index is not None:
        entries.append(Entry("index.json", index))
    return make_tar(entries)


def _broken_layer_content() -> bytes:
    """Digests all right, but a layer that is no tar: containerd's diff service fails on it."""
    bad = make_layer(b"this is not a tar archive\n" * 100, "broken")
    image = build_image([busybox_layer(), bad], tag_name="broken:v1")
    return oci_layout_tar(image, ["broken:v1"])


BAD: dict[str, tuple[Callable[[TestImage], bytes], int, str]] = {
    "empty": (lambda i: b"", 400, "no image archive was sent: the request body is empty"),
    "not a tar": (lambda i: b"hello, world\n" * 200, 400, "the archive is not a valid tar: invalid header"),
    "compressed": (lambda i: gzip.compress(_oci_tar(i)), 400, "the archive is compressed"),
    "truncated in a blob": (_truncated_in_blob, 400, "the archive is truncated"),
    "truncated in a header": (_truncated_in_header, 400, "the archive is damaged or truncated"),
    "no index": (lambda i: _layout(index=None), 400, "missing index.json in the OCI image layout 1.0.0"),
    "neither layout": (
        lambda i: make_tar([Entry("hello.txt", b"hi")]),
        400,
        "not an image archive: it has neither an OCI image layout",
    ),
    "bad layout version": (
        lambda i: make_tar([Entry("oci-layout", b'{"imageLayoutVersion":"9"}')]),
        400,
        "unsupported OCI image layout version '9'",
    ),
    "index not json": (lambda i: _layout(index=b"{nope"), 400, "index.json is not valid JSON"),
    "dot dot": (lambda i: _layout(Entry("../x", b"escape")), 400, "the archive's entry '../x' leaves the archive (..)"),
    "nested dot dot": (lambda i: _layout(Entry("blobs/../../x", b"escape")), 400, "leaves the archive (..)"),
    "absolute": (lambda i: _layout(Entry("/etc/x", b"abs")), 400, "the archive's entry '/etc/x' has an absolute path"),
    "symlink out": (
        lambda i: _layout(Entry("blobs/sha256/x", kind=tarfile.SYMTYPE, link="../../../etc/passwd")),
        400,
        "the archive's symlink 'blobs/sha256/x' points outside it ('../../../etc/passwd')",
    ),
    "absolute symlink": (
        lambda i: _layout(Entry("blobs/x", kind=tarfile.SYMTYPE, link="/etc/passwd")),
        400,
        "points outside it ('/etc/passwd')",
    ),
    "hard link out": (
        lambda i: _layout(Entry("blobs/x", kind=tarfile.LNKTYPE, link="../etc/passwd")),
        400,
        "leaves the archive (..)",
    ),
    "device": (lambda i: _layout(Entry("dev", kind=tarfile.CHRTYPE)), 400, "device or fifo 'dev'"),
    "missing blob": (
        lambda i: _layout(
            index=json.dumps(
                {
                    "schemaVersion": 2,
                    "manifests": [{**i.descriptor(), "annotations": {archive.ANNOTATION_REF_NAME: "v1"}}],
                }
            ).encode()
        ),
        400,
        "is missing from the archive (blobs/sha256/",
    ),
    "wrong digest": (_wrong_digest, 400, "does not match its digest"),
    "docker layer not its diff id": (_wrong_docker_layer, 400, "is not the config's diff ID"),
    "docker config missing": (
        lambda i: make_tar([Entry("manifest.json", b'[{"Config":"x.json","RepoTags":["a:b"],"Layers":[]}]')]),
        400,
        "manifest.json's image 0's config is missing from the archive (x.json)",
    ),
    "docker manifest not a list": (
        lambda i: make_tar([Entry("manifest.json", b'{"Config":"x"}')]),
        400,
        "manifest.json is not a list of images",
    ),
    "bad name": (
        lambda i: oci_layout_tar(i, ["Bad Name!"]),
        400,
        "index.json names the image 'import-",
    ),
    "broken layer content": (lambda i: _broken_layer_content(), 500, "failed to extract layer"),
}


@needs_tools
@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_archive_is_refused_leaving_nothing(ctrd: Containerd, busybox: TestImage, spool: Path, case: str) -> None:
    make, status, message = BAD[case]
    data = make(busybox)

    async def scenario() -> tuple[APIError, Any, dict[str, Any]]:
        env = await open_env(ctrd, spool)
        try:
            with pytest.raises(APIError) as e:
                await env.load(data)
            return e.value, await env.leftovers(), env.manager.records
        finally:
            await env.client.close()

    error, left, records = run(scenario)
    assert error.status == status, error.message
    assert message in error.message
    assert "\n" not in error.message
    assert left == ([], [], [], [])
    assert records == {}


@needs_tools
def test_an_archive_over_max_bytes_is_refused_with_413(ctrd: Containerd, busybox: TestImage, spool: Path) -> None:
    data = _oci_tar(busybox)
    consumed = []

    async def chunks() -> AsyncIterator[bytes]:
        async for chunk in body(data):
            consumed.append(len(chunk))
            yield chunk

    async def scenario() -> tuple[APIError, Any]:
        env = await open_env(ctrd, spool)
        try:
            with pytest.raises(APIError) as e:
                await load(env.manager, chunks(), None, spool_dir=spool, max_bytes=1 << 20)
            return e.value, await env.leftovers()
        finally:
            await env.client.close()

    error, left = run(scenario)
    assert (error.status, error.message) == (
        413,
        f"the image archive is larger than the {1 << 20} bytes pouchd accepts",
    )
    assert sum(consumed) <= (1 << 20) + (64 << 10)  # it stopped reading there
    assert left == ([], [], [], [])


@needs_tools
def test_a_load_cancelled_mid_body_removes_its_spool(ctrd: Containerd, busybox: TestImage, spool: Path) -> None:
    data = _oci_tar(busybox)

    async def scenario() -> tuple[list[str], Any]:
        env = await open_env(ctrd, spool)
        started = asyncio.Event()

        async def stalling() -> AsyncIterator[bytes]:
            yield data[: 3 << 20]
            started.set()
            await asyncio.sleep(3600)
            yield data[3 << 20 :]

        try:
            task = asyncio.create_task(load(env.manager, stalling(), None, spool_dir=spool, max_bytes=MAX_BYTES))
            await started.wait()
            await asyncio.sleep(0.2)
            during = os.listdir(spool)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return during, await env.leftovers()
        finally:
            await env.client.close()

    during, left = run(scenario)
    assert len(during) == 1
    assert left == ([], [], [], [])


# ---- the event loop stays free --------------------------------------------------------------------


@needs_tools
def test_the_loop_stays_responsive_while_50_mb_load_and_save(ctrd: Containerd, spool: Path) -> None:
    image = build_busybox_image(tag_name="big:v1", extra_layer_bytes=50 << 20, seed=11)
    tar = oci_layout_tar(image, ["big:v1"])
    assert len(tar) > 50 << 20

    async def scenario() -> tuple[float, float, list[str], int, str]:
        env = await open_env(ctrd, spool)
        gaps: list[float] = []
        stop = asyncio.Event()

        async def ticker() -> None:
            last = time.monotonic()
            while not stop.is_set():
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last - 0.01)
                last = now

        try:
            tick = asyncio.create_task(ticker())
            await asyncio.sleep(0.05)
            names = await env.load(tar)
            load_gap = max(gaps)
            gaps.clear()
            stream = await prepare_save(env.manager, ["big:v1"])
            size = 0
            h = hashlib.sha256()
            async for chunk in stream:
                size += len(chunk)
                h.update(chunk)
            save_gap = max(gaps)
            stop.set()
            await tick
            return load_gap, save_gap, names, size, h.hexdigest()
        finally:
            await env.client.close()

    load_gap, save_gap, names, size, _ = run(scenario)
    assert names == ["big:v1"]
    assert size > 50 << 20
    assert load_gap < 0.25, f"the event loop was blocked for {load_gap:.3f}s during the load"
    assert save_gap < 0.25, f"the event loop was blocked for {save_gap:.3f}s during the save"


@needs_tools
def test_a_docker_archive_whose_layers_are_links_inside_it_loads(
    ctrd: Containerd, busybox: TestImage, spool: Path
) -> None:
    """``docker save`` writes a layer shared by two images once, the other path a symlink to it."""
    config = busybox.config
    hexid = busybox.config_digest.removeprefix("sha256:")
    layers = [f"l{i}/layer.tar" for i in range(len(busybox.layers))]
    manifest = [{"Config": f"{hexid}.json", "RepoTags": ["linked:v1"], "Layers": ["first/layer.tar", *layers[1:]]}]
    tar = make_tar(
        [
            Entry(f"{hexid}.json", config),
            Entry("l0/layer.tar", busybox.layers[0].tar),
            *[Entry(p, layer.tar) for p, layer in zip(layers[1:], busybox.layers[1:], strict=True)],
            Entry("first/layer.tar", kind=tarfile.SYMTYPE, link="../l0/layer.tar"),
            Entry("manifest.json", json.dumps(manifest).encode()),
        ]
    )

    async def scenario() -> tuple[list[str], str]:
        env = await open_env(ctrd, spool)
        try:
            return await env.load(tar), env.manager.lookup("linked:v1")[0].id
        finally:
            await env.client.close()

    names, image_id = run(scenario)
    assert names == ["linked:v1"] and image_id == busybox.id


@needs_tools
def test_a_load_cancelled_while_writing_to_containerd_leaves_nothing(ctrd: Containerd, spool: Path) -> None:
    image = build_busybox_image(tag_name="big:v1", extra_layer_bytes=50 << 20, seed=11)
    tar = oci_layout_tar(image, ["big:v1"])

    async def scenario() -> tuple[list[str], Any, dict[str, Any]]:
        env = await open_env(ctrd, spool)
        try:
            task = asyncio.create_task(env.load(tar))
            request = content_pb2.ListStatusesRequest()
            ingests: list[str] = []
            while not ingests:
                assert not task.done()
                await asyncio.sleep(0.005)
                statuses = await env.client.call(env.client.content.ListStatuses, request)
                ingests = [s.ref for s in statuses.statuses]
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return ingests, await env.leftovers(), env.manager.records
        finally:
            await env.client.close()

    ingests, left, records = run(scenario)
    assert ingests  # it was cancelled mid-write
    assert left == ([], [], [], [])
    assert records == {}
