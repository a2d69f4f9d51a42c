"""Layers into snapshots through containerd's diff service, as containerd's image Unpack does
(image.go ``Unpack``, rootfs/apply.go ``ApplyLayerWithOpts`` at v1.6.20).

For layer *i*, whose snapshot is named by the chain ID of the diff IDs up to it:

- a committed snapshot of that name already there is used as it is (and held by the lease);
- else ``Snapshots.Prepare`` an extraction snapshot ``extract-<nanos>-<random> <chainID>`` on the
  previous layer's, ``Diff.Apply`` the layer blob onto its mounts, check that the digest of what
  was applied is the config's diff ID, and ``Snapshots.Commit`` it under the chain ID; on any
  failure the extraction snapshot is removed. Another unpack committing the same chain ID first
  is no failure;
- the layer blob is labelled ``containerd.io/uncompressed=<diffID>``.

At the end the config blob is labelled ``containerd.io/gc.ref.snapshot.<snapshotter>=<top chain
ID>``, which keeps the snapshots from containerd's garbage collector for as long as the image is.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

import grpc

from containerd_api.github.com.containerd.containerd.api.services.diff.v1 import diff_pb2
from containerd_api.github.com.containerd.containerd.api.services.leases.v1 import leases_pb2
from containerd_api.github.com.containerd.containerd.api.services.snapshots.v1 import snapshots_pb2
from pouch_server.ctrd.client import CallError, ContainerdClient
from pouch_server.errors import APIError
from pouch_server.managers.images.content import CALL_TIMEOUT, proto_descriptor, update_labels
from pouch_server.managers.images.distribution import Descriptor

log = logging.getLogger("pouchd.images")

UNCOMPRESSED_LABEL: Final = "containerd.io/uncompressed"
GC_REF_SNAPSHOT: Final = "containerd.io/gc.ref.snapshot"


def chain_ids(diff_ids: Sequence[str]) -> list[str]:
    """The chain ID of each layer (OCI identity.ChainID): the first is its diff ID, each next one
    ``sha256(parent + " " + diff ID)``."""
    chain: list[str] = []
    for diff_id in diff_ids:
        if not chain:
            chain.append(diff_id)
        else:
            chain.append("sha256:" + hashlib.sha256(f"{chain[-1]} {diff_id}".encode()).hexdigest())
    return chain


def extract_key(chain_id: str) -> str:
    """An extraction snapshot's key, made as containerd makes one (snapshots.UnpackKeyFormat)."""
    unique = f"{time.time_ns() % 1_000_000_000}-{base64.urlsafe_b64encode(os.urandom(3)).decode()}"
    return f"extract-{unique} {chain_id}"


async def _snapshot_exists(client: ContainerdClient, snapshotter: str, key: str) -> bool:
    try:
        await client.call(
            client.snapshots.Stat,
            snapshots_pb2.StatSnapshotRequest(snapshotter=snapshotter, key=key),
            timeout=CALL_TIMEOUT,
        )
    except CallError as e:
        if e.code is grpc.StatusCode.NOT_FOUND:
            return False
        raise APIError(e.status, f"failed to stat snapshot {key}: {e.message}") from None
    return True


async def _remove(client: ContainerdClient, snapshotter: str, key: str) -> None:
    try:
        await client.call(
            client.snapshots.Remove, snapshots_pb2.RemoveSnapshotRequest(snapshotter=snapshotter, key=key), timeout=10.0
        )
    except CallError as e:
        log.warning("extraction snapshot removal failed for %s: %s", key, e.message)


async def apply_layer(
    client: ContainerdClient,
    layer: Descriptor,
    diff_id: str,
    *,
    parent: str,
    chain_id: str,
    snapshotter: str,
    lease: str,
) -> bool:
    """Make the committed snapshot ``chain_id``: ``layer`` applied on ``parent`` (``""``: none).
    True when applied now, False when it was there already (now held by ``lease``)."""
    if await _snapshot_exists(client, snapshotter, chain_id):
        resource = leases_pb2.Resource(id=chain_id, type=f"snapshots/{snapshotter}")
        await client.call(
            client.leases.AddResource,
            leases_pb2.AddResourceRequest(id=lease, resource=resource),
            timeout=CALL_TIMEOUT,
        )
        return False
    while True:
        key = extract_key(chain_id)
        try:
            prepared = await client.call(
                client.snapshots.Prepare,
                snapshots_pb2.PrepareSnapshotRequest(snapshotter=snapshotter, key=key, parent=parent),
                lease=lease,
                timeout=CALL_TIMEOUT,
            )
        except CallError as e:
            if e.code is grpc.StatusCode.ALREADY_EXISTS:
                continue  # the same key (same nanosecond and bytes): another one
            raise APIError(e.status, f'failed to prepare extraction snapshot "{key}": {e.message}') from None
        break
    committed = False
    try:
        try:
            applied = await client.call(
                client.diff.Apply,
                diff_pb2.ApplyRequest(diff=proto_descriptor(layer), mounts=prepared.mounts),
                lease=lease,
            )
        except CallError as e:
            raise APIError(500, f"failed to extract layer {diff_id}: {e.message}") from None
        if applied.applied.digest != diff_id:
            raise APIError(500, f'wrong diff id calculated on extraction "{applied.applied.digest}"')
        try:
            await client.call(
                client.snapshots.Commit,
                snapshots_pb2.CommitSnapshotRequest(snapshotter=snapshotter, name=chain_id, key=key),
                lease=lease,
                timeout=CALL_TIMEOUT,
            )
        except CallError as e:
            if e.code is not grpc.StatusCode.ALREADY_EXISTS:
                raise APIError(500, f"failed to commit snapshot {key}: {e.message}") from None
            return False  # another unpack of the same layers committed it first
        committed = True
    finally:
        if not committed:
            await _remove(client, snapshotter, key)
    return True


async def unpack(
    client: ContainerdClient,
    layers: Sequence[Descriptor],
    diff_ids: Sequence[str],
    *,
    config: Descriptor,
    snapshotter: str,
    lease: str,
    ready: Callable[[int], Awaitable[None]] | None = None,
) -> str:
    """Unpack ``layers`` (whose uncompressed digests are ``diff_ids``) into ``snapshotter``'s
    snapshots and label the content for containerd's garbage collector; the top chain ID (the
    image's rootfs). ``ready(i)`` is awaited before layer ``i`` is applied (a pull unpacks a
    layer as soon as it is fetched)."""
    if len(diff_ids) != len(layers):
        raise APIError(500, "mismatched image rootfs and manifest layers")
    chain = chain_ids(diff_ids)
    for i, (layer, diff_id) in enumerate(zip(layers, diff_ids, strict=True)):
        if ready is not None:
            await ready(i)
        applied = await apply_layer(
            client,
            layer,
            diff_id,
            parent=chain[i - 1] if i else "",
            chain_id=chain[i],
            snapshotter=snapshotter,
            lease=lease,
        )
        if applied:  # its uncompressed digest is now known to be the diff ID
            await update_labels(client, layer.digest, {UNCOMPRESSED_LABEL: diff_id}, lease=lease)
    top = chain[-1] if chain else ""
    if top:
        await update_labels(client, config.digest, {f"{GC_REF_SNAPSHOT}.{snapshotter}": top}, lease=lease)
    return top
