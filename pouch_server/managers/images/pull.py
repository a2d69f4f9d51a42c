"""The whole pull, as containerd 1.6's client does it (pull.go, client.go ``fetch`` and
``createNewImage``, image.go ``Unpack``), with pouch's progress (ctrd/image.go):

1. a lease (24 h, labelled ``io.pouch.pull=1``) that every containerd call of the pull is made
   under, so that nothing it writes is collected before the image record holds it, and that goes
   at the end whatever happened;
2. resolve the reference at the registry (mirrors first, when given: :func:`~.distribution.resolve`);
   from then on :attr:`Progress.resolved <.progress.Progress.resolved>` is set;
3. the index (if the reference names one) and the manifest for the platform, each read whole and
   checked; one already in the store is read from there;
4. once the manifest is parsed, side by side: the manifest written, the config read and written
   (each with the labels that make it hold its children, ``containerd.io/gc.ref.content.*``, and
   where it came from, ``containerd.io/distribution.source.<host>``), the layers fetched 3 at a
   time, each streamed from the registry into the content store in 1 MiB chunks, and each
   fetched layer unpacked into a snapshot (:mod:`.unpack`) once the config has given the diff
   IDs. containerd's client writes the manifest and the config before it fetches a layer; the
   lease makes the order irrelevant to its garbage collector, and a layer's fetch starts
   ~25 ms sooner;
5. **last**, the image record (created, or updated if the name is taken).

So an interrupted pull (an error, the request's task cancelled, containerd gone) leaves no
record, and what it wrote goes with its lease. Blobs already in the store are not fetched again
(``exists`` in the progress).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

import grpc

from containerd_api.github.com.containerd.containerd.api.services.content.v1 import content_pb2
from containerd_api.github.com.containerd.containerd.api.services.images.v1 import images_pb2
from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2
from pouch_server.ctrd.client import CallError, ContainerdClient
from pouch_server.errors import APIError, first_error
from pouch_server.managers.images import content
from pouch_server.managers.images.distribution import (
    HOST_PLATFORM,
    Candidate,
    Descriptor,
    Manifest,
    Platform,
    PullLimits,
    Remote,
    child_gc_labels,
    choose_manifest,
    diff_ids,
    parse_index,
    parse_manifest,
    ref_text,
    resolve,
    schema1_error,
    sniff_media_type,
    source_label,
)
from pouch_server.managers.images.progress import Progress
from pouch_server.managers.images.reference import Reference
from pouch_server.managers.images.unpack import unpack
from pouch_server.managers.registry.addresses import Endpoint
from pouch_server.managers.registry.credentials import Credentials

#: The label on a pull's lease: a pouchd that finds such leases at start-up was killed mid-pull,
#: and may delete them (they would otherwise hold what that pull wrote for 24 hours).
PULL_LEASE_LABEL: Final = "io.pouch.pull"

T = TypeVar("T")

# Documents larger than this are parsed in a thread, not on the event loop.
_PARSE_INLINE: Final = 256 << 10


@dataclass(frozen=True)
class PulledImage:
    """What a pull recorded."""

    name: str  # the containerd image record written
    target: Descriptor  # the record's target: the resolved manifest or index
    image_id: str  # the config's digest
    size: int  # the target, the chosen manifest (under an index), the config and the compressed
    # layers, summed: pouch's image Size (containerd's images.Image.Size)
    manifest: Descriptor  # the platform's manifest (the target itself when no index)
    chain_id: str  # the top layer's snapshot: the image's rootfs


async def pull(
    client: ContainerdClient,
    ref: Reference,
    *,
    record_name: str,
    snapshotter: str,
    endpoints: Sequence[Endpoint],
    credentials: Credentials | None,
    progress: Progress,
    platform: Platform = HOST_PLATFORM,
    mirrors: Sequence[Candidate] = (),
    labels: Mapping[str, str] | None = None,
    limits: PullLimits | None = None,
) -> PulledImage:
    """Pull ``ref`` from its registry at ``endpoints`` (tried in order; see
    :func:`~pouch_server.managers.registry.client.endpoints_for`), after the ``mirrors``
    candidates, into containerd: content, snapshots in ``snapshotter``, and the image record
    ``record_name`` (with ``labels``). ``progress`` follows it; it is ended (finished or failed)
    when this returns or raises.

    Raises APIError: 404 when no candidate is known (``<ref> not found: not found``), 403 when
    the registry refuses the credentials, 500 for the rest (the message names the registry or the
    blob); a failure before :attr:`progress.resolved <.progress.Progress.resolved>` is set is one
    a handler answers with its status, a later one goes into the stream."""
    limits = limits or PullLimits()
    candidates = [*mirrors, Candidate(ref, tuple(endpoints))]
    try:
        async with client.lease(labels={PULL_LEASE_LABEL: "1"}) as lease:
            resolved = await resolve(candidates, credentials, limits)
            async with resolved.remote:
                progress.start(ref_text(resolved.ref))
                puller = _Puller(client, lease, resolved.remote, resolved.ref, progress, limits)
                image = await puller.run(resolved.descriptor, platform, snapshotter)
                await _record(client, record_name, image.target, labels, lease)
    except APIError as e:
        text = credentials.scrub(e.message) if credentials is not None else e.message
        progress.fail(text)
        raise APIError(e.status, text) from None
    except BaseException:
        progress.fail("the pull was interrupted")
        raise
    progress.finish()
    return dataclasses.replace(image, name=record_name)


async def drop_pull_leases(client: ContainerdClient) -> list[str]:
    """Delete the leases of pulls that never ended in the client's namespace (pouchd killed
    mid-pull, or containerd gone when the pull tried to delete its lease): what they held (partial
    ingests, blobs, snapshots no image uses) goes with containerd's next garbage collection,
    instead of in 24 hours. For pouchd's start-up, before it pulls: a pull running now would lose
    its lease. The IDs deleted."""
    answer = await client.call(client.leases.List, leases_pb2.ListRequest(), timeout=content.CALL_TIMEOUT)
    stale = [lease.id for lease in answer.leases if PULL_LEASE_LABEL in lease.labels]
    for i, lease_id in enumerate(stale):
        # Collect once, after the last one (sync: the call returns when it is done).
        request = leases_pb2.DeleteRequest(id=lease_id, sync=i == len(stale) - 1)
        try:
            await client.call(client.leases.Delete, request, timeout=content.CALL_TIMEOUT)
        except CallError as e:
            if e.code is not grpc.StatusCode.NOT_FOUND:
                raise
    return stale


async def _record(
    client: ContainerdClient, name: str, target: Descriptor, labels: Mapping[str, str] | None, lease: str
) -> None:
    """Create the image record, or update it when the name is taken (pull.go createNewImage)."""
    image = images_pb2.Image(name=name, labels=dict(labels or {}), target=content.proto_descriptor(target))
    while True:
        try:
            await client.call(
                client.images.Create,
                images_pb2.CreateImageRequest(image=image),
                lease=lease,
                timeout=content.CALL_TIMEOUT,
            )
            return
        except CallError as e:
            if e.code is not grpc.StatusCode.ALREADY_EXISTS:
                raise
        try:
            await client.call(
                client.images.Update,
                images_pb2.UpdateImageRequest(image=image),
                lease=lease,
                timeout=content.CALL_TIMEOUT,
            )
            return
        except CallError as again:
            if again.code is not grpc.StatusCode.NOT_FOUND:  # removed meanwhile: create it again
                raise


class _Puller:
    """One pull's fetch and unpack, after the reference resolved (see the module's docstring)."""

    def __init__(
        self,
        client: ContainerdClient,
        lease: str,
        remote: Remote,
        ref: Reference,
        progress: Progress,
        limits: PullLimits,
    ) -> None:
        self.client = client
        self.lease = lease
        self.remote = remote
        self.ref = ref
        self.name = ref.name
        self.progress = progress
        self.limits = limits

    async def run(self, root: Descriptor, platform: Platform, snapshotter: str) -> PulledImage:
        progress = self.progress
        prefetched: bytes | None = None
        if root.kind not in ("index", "manifest"):
            # A registry that named no manifest type: the document says which it is.
            prefetched = await self.remote.fetch(root, self.name, self.limits.max_manifest)
            root = dataclasses.replace(root, media_type=sniff_media_type(prefetched, root))
            if root.kind not in ("index", "manifest"):
                raise schema1_error(root.media_type)
        progress.add(root.ref_key)
        manifest_desc = root
        if root.kind == "index":
            data = await self._document(root, self.limits.max_manifest, _index_children, prefetched)
            index = await _parse(parse_index, data, root)
            manifest_desc = choose_manifest(index, root, platform)
            progress.add(manifest_desc.ref_key)
            prefetched = None
        data, found = await self._obtain(manifest_desc, self.limits.max_manifest, prefetched)
        manifest = await _parse(parse_manifest, data, manifest_desc)
        config_desc = manifest.config
        progress.add(config_desc.ref_key)
        for layer in manifest.layers:
            progress.add(layer.ref_key)
        chain_id = await self._content(manifest_desc, data, found, manifest, snapshotter)
        size = root.size + (manifest_desc.size if manifest_desc is not root else 0)
        size += config_desc.size + sum(layer.size for layer in manifest.layers)
        return PulledImage("", root, config_desc.digest, size, manifest_desc, chain_id)

    async def _obtain(
        self, desc: Descriptor, limit: int, prefetched: bytes | None = None
    ) -> tuple[bytes, content_pb2.Info | None]:
        """A manifest, index or config, whole, and its info when the content store has it: then
        from there (held by the lease from now on), else from the registry (or ``prefetched``)."""
        await content.hold(self.client, self.lease, desc.digest)
        found = await content.info(self.client, desc.digest)
        if found is not None:
            self.progress.exists(desc.ref_key)
            return await content.read(self.client, desc.digest, limit=limit), found
        self.progress.downloading(desc.ref_key, 0, desc.size, time.time_ns())
        data = prefetched if prefetched is not None else await self.remote.fetch(desc, self.name, limit)
        return data, None

    async def _store(
        self,
        desc: Descriptor,
        data: bytes,
        children: Callable[[bytes, Descriptor], Sequence[Descriptor]] | None,
        found: content_pb2.Info | None,
    ) -> None:
        """Write what :meth:`_obtain` fetched, or label what it found: where it came from and,
        for a manifest or index, its ``children``'s GC references."""
        labels = await self._labels(desc, data, children, found.labels if found is not None else {})
        if found is not None:
            await content.update_labels(self.client, desc.digest, labels, lease=self.lease)
            return
        written = await content.write_blob(
            self.client,
            data,
            ref=desc.ref_key,
            digest=desc.digest,
            lease=self.lease,
            labels=labels,
            chunk_size=self.limits.chunk_size,
        )
        if not written:  # written meanwhile by someone else: our labels still belong on it
            await content.update_labels(self.client, desc.digest, labels, lease=self.lease)
        self.progress.done(desc.ref_key, desc.size)

    async def _document(
        self,
        desc: Descriptor,
        limit: int,
        children: Callable[[bytes, Descriptor], Sequence[Descriptor]] | None,
        prefetched: bytes | None = None,
    ) -> bytes:
        """:meth:`_obtain`, then :meth:`_store`."""
        data, found = await self._obtain(desc, limit, prefetched)
        await self._store(desc, data, children, found)
        return data

    def _source_label(self, existing: Mapping[str, str]) -> dict[str, str]:
        return source_label(self.ref.domain, self.ref.path, existing)

    async def _labels(
        self,
        desc: Descriptor,
        data: bytes,
        children: Callable[[bytes, Descriptor], Sequence[Descriptor]] | None,
        existing: Mapping[str, str],
    ) -> dict[str, str]:
        labels = child_gc_labels(await _parse(children, data, desc)) if children is not None else {}
        labels.update(self._source_label(existing))
        return labels

    async def _layer(self, layer: Descriptor, slots: asyncio.Semaphore, fetched: asyncio.Event) -> None:
        key = layer.ref_key
        async with slots:
            written = await content.ingest(
                self.client,
                ref=key,
                digest=layer.digest,
                size=layer.size,
                source=lambda: self.remote.blob(layer, self.name),
                lease=self.lease,
                labels=self._source_label({}),
                on_progress=lambda current, total, started: self.progress.downloading(key, current, total, started),
            )
        if written:
            self.progress.done(key, layer.size)
        else:
            self.progress.exists(key)
            found = await content.info(self.client, layer.digest)
            if found is not None:
                await content.update_labels(
                    self.client, layer.digest, self._source_label(found.labels), lease=self.lease
                )
        fetched.set()

    async def _content(
        self,
        manifest_desc: Descriptor,
        data: bytes,
        found: content_pb2.Info | None,
        manifest: Manifest,
        snapshotter: str,
    ) -> str:
        """Side by side: the manifest stored, the config read and stored, the layers fetched (a
        few at a time, each once), each unpacked as it arrives once the config has given the diff
        IDs; the top chain ID."""
        slots = asyncio.Semaphore(self.limits.concurrent_downloads)
        fetched: dict[str, asyncio.Event] = {}
        for layer in manifest.layers:
            fetched.setdefault(layer.digest, asyncio.Event())

        async def ready(i: int) -> None:
            await fetched[manifest.layers[i].digest].wait()

        async def unpack_layers() -> str:
            config = await self._document(manifest.config, self.limits.max_config, None)
            ids = await _parse(diff_ids, config, manifest.config)
            if len(ids) != len(manifest.layers):
                raise APIError(500, "mismatched image rootfs and manifest layers")
            return await unpack(
                self.client,
                manifest.layers,
                ids,
                config=manifest.config,
                snapshotter=snapshotter,
                lease=self.lease,
                ready=ready,
            )

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._store(manifest_desc, data, _manifest_children, found))
                for layer in {layer.digest: layer for layer in manifest.layers}.values():
                    group.create_task(self._layer(layer, slots, fetched[layer.digest]))
                unpacking = group.create_task(unpack_layers())
        except BaseExceptionGroup as group_error:
            raise first_error(group_error) from None
        return unpacking.result()


def _index_children(data: bytes, desc: Descriptor) -> Sequence[Descriptor]:
    # Every manifest listed, not just the one pulled (images.SetChildrenMappedLabels labels them all).
    return parse_index(data, desc).manifests


def _manifest_children(data: bytes, desc: Descriptor) -> Sequence[Descriptor]:
    manifest = parse_manifest(data, desc)
    return [manifest.config, *manifest.layers]


async def _parse(parse: Callable[[bytes, Descriptor], T], data: bytes, desc: Descriptor) -> T:
    """``parse(data, desc)``, in a thread when the document is large."""
    if len(data) > _PARSE_INLINE:
        return await asyncio.to_thread(parse, data, desc)
    return parse(data, desc)
