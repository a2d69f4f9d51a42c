"""Image archives: ``POST /images/load`` and ``GET /images/save`` (pouch's daemon/mgr/image_load.go
and image_save.go, over containerd's images/archive importer and exporter at v1.6.20).

**Load** (:func:`load`) reads an OCI image layout (``oci-layout`` + ``index.json`` +
``blobs/sha256/<hex>``) or ``docker save``'s archive (``manifest.json`` listing each image's
``Config``, ``RepoTags`` and uncompressed ``Layers``), in four steps:

1. the request body is spooled to a file (bounded: 413 past ``max_bytes``), removed at the end
   whatever happens;
2. in a thread, the tar is read and checked whole (:func:`plan`): member paths (no absolute
   path, no ``..``, no link leaving the archive), the format, every JSON document, every blob's
   size and digest, each config's diff IDs against its layers; the images' names. Any fault is a
   400 naming it, before anything reaches containerd;
3. under one lease, every blob is streamed from the spool file into containerd's content store
   with its expected digest (manifests and indexes labelled for containerd's GC as a pull labels
   them), and every image is unpacked into the manager's snapshotter;
4. **last**, the records (with their managed ``@digest`` siblings), through the manager.

So a load that fails leaves no record, and what it wrote goes with its lease.

A Docker archive's image gets the Docker schema 2 manifest containerd's importer writes for it
(config ``application/vnd.docker.container.image.v1+json``, an uncompressed layer
``application/vnd.docker.image.rootfs.diff.tar``), byte for byte, so it has the same digest as
after ``ctr images import``.

**Names** follow pouch's translators (images/archive/reference.go ``AddRefPrefix`` and
``FilterRefPrefix``): an entry's name is its ``io.containerd.image.name`` annotation, else its
``org.opencontainers.image.ref.name``; without ``name``, a tag-only name becomes
``import-YYYY-MM-DD:<tag>`` and a full reference is kept; with ``name``, the OCI ref name is read
first (so ``pouch load NAME`` renames an image the archive tags ``latest`` to ``NAME:latest``), a
tag-only one becomes ``NAME:<tag>`` and a full reference is kept only when it starts with
``NAME`` (followed by ``/``, ``:`` or ``@``). Docker's ``RepoTags`` are full references, kept as
written (pouch's containerd normalised them to ``docker.io/library/...``, names no pouch lookup
finds with pouchd's default registry). An image without a name is not loaded.

**Save** (:func:`prepare_save`) streams the OCI layout containerd's exporter writes, in its order:
``blobs/``, ``blobs/sha256/``, the blobs, ``index.json`` (each image's target annotated with its
full name and tag), ``manifest.json``, ``oci-layout``; every blob read from containerd chunk by
chunk, never a whole image in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import json
import logging
import os
import posixpath
import re
import tarfile
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from containerd_api.github.com.containerd.containerd.api.services.content.v1 import content_pb2
from pouch_server.ctrd.client import ContainerdClient
from pouch_server.errors import APIError
from pouch_server.managers.images import content, reference
from pouch_server.managers.images.distribution import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_LAYER_GZIP,
    DOCKER_MANIFEST,
    HOST_PLATFORM,
    OCI_INDEX,
    Descriptor,
    Platform,
    PullLimits,
    child_gc_labels,
    choose_manifest,
    diff_ids,
    parse_index,
    parse_manifest,
    sha256,
)
from pouch_server.managers.images.pull import PULL_LEASE_LABEL
from pouch_server.managers.images.unpack import unpack

if TYPE_CHECKING:
    from pouch_server.managers.images.manager import ImageManager

log = logging.getLogger("pouchd.images")

#: The annotations naming an image in an OCI layout's ``index.json``.
ANNOTATION_IMAGE_NAME: Final = "io.containerd.image.name"
ANNOTATION_REF_NAME: Final = "org.opencontainers.image.ref.name"
OCI_LAYOUT_VERSION: Final = "1.0.0"
#: An OCI layer with zstd compression (a Docker archive's zstd layer gets this type).
OCI_LAYER_ZSTD: Final = "application/vnd.oci.image.layer.v1.tar+zstd"

#: The bytes read or written at once: spool writes, hashing, containerd writes.
CHUNK: Final = 1 << 20
#: ``index.json``, ``manifest.json`` and ``oci-layout`` are read whole up to this (containerd's
#: importer's jsonLimit); manifests and configs up to a pull's limits.
JSON_LIMIT: Final = 20 << 20
#: More entries than this is no image archive (and tarfile keeps each in memory).
MAX_MEMBERS: Final = 50_000
#: Links followed at most to reach a file (Linux's own limit).
MAX_LINK_DEPTH: Final = 40

NAME_WITH_TAG: Final = "the image name should not contains any digest or tag information"

_LIMITS: Final = PullLimits()
_BLOB_PATH = re.compile(r"blobs/sha256/([a-f0-9]{64})")
_HEX_JSON = re.compile(r"([a-f0-9]{64})\.json")
_GZIP_MAGIC: Final = b"\x1f\x8b\x08"
_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
_BLOCK: Final = tarfile.BLOCKSIZE


def _bad(message: str) -> APIError:
    return APIError(400, message)


# ---- names -------------------------------------------------------------------------------------


def import_prefix(today: datetime.date | None = None) -> str:
    """The name pouch gives a load without ``name`` (``import-2026-12-04``, local time)."""
    return f"import-{(today or datetime.date.today()).isoformat()}"


def load_event_name(name: str | None, today: datetime.date | None = None) -> str:
    """The ID and ``Name`` of pouch's ``load`` event: ``name``, or :func:`import_prefix`."""
    return name or import_prefix(today)


def check_load_name(name: str | None) -> str | None:
    """The ``name`` query of a load, checked as pouch does (None when empty): APIError(400) when
    it does not parse or has a tag or digest."""
    if not name:
        return None
    try:
        parsed = reference.parse(name)
    except ValueError as e:
        raise _bad(f"failed to parse image name {name}: {e}") from None
    if not parsed.name_only:
        raise _bad(NAME_WITH_TAG)
    return name


def _is_prefix(ref: str, prefix: str) -> bool:
    # archive.isImagePrefix: "busybox" prefixes "busybox:1" and "busybox/x", not "busyboxes".
    return ref.startswith(prefix) and (len(ref) == len(prefix) or ref[len(prefix)] in "/:@")


def translate_name(ref: str, name: str | None, prefix: str) -> str | None:
    """pouch's translators: a tag-only ``ref`` becomes ``<name or prefix>:<ref>``; a full one
    (holding ``/``, ``:`` or ``@``) is kept, with ``name`` only when it starts with ``name``."""
    if any(c in ref for c in "/:@"):
        if name is not None and not _is_prefix(ref, name):
            return None
        return ref
    return f"{name or prefix}:{ref}"


def entry_name(annotations: Mapping[str, str], name: str | None, prefix: str) -> str | None:
    """The record name of an ``index.json`` entry (see the module's notes), not yet checked."""
    full = annotations.get(ANNOTATION_IMAGE_NAME, "")
    tag = annotations.get(ANNOTATION_REF_NAME, "")
    ref = (full or tag) if name is None else (tag or full)
    return translate_name(ref, name, prefix) if ref else None


def _record_name(text: str, where: str) -> str:
    """``text`` as a record name (``:latest`` added when it has neither tag nor digest), or a 400."""
    try:
        parsed = reference.parse(text).with_default_tag()
    except ValueError as e:
        raise _bad(f"{where} names the image {text[:300]!r}, which is not a valid reference: {e}") from None
    if parsed.name.rsplit("/", 1)[-1] == reference.CANONICAL_ALGORITHM:
        raise _bad(f"{where} names the image {text[:300]!r}, whose name reads as an image ID")
    return parsed.record_name


# ---- the plan: the archive read and checked (in a thread) -------------------------------------------


@dataclass(frozen=True)
class Blob:
    """One blob to write: its bytes at ``offset`` in the spool file, or ``data`` (a manifest
    pouchd made); ``labels`` to commit it with."""

    desc: Descriptor
    offset: int = -1
    data: bytes | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Unpack:
    """One image's layers to unpack (its platform's manifest)."""

    config: Descriptor
    layers: tuple[Descriptor, ...]
    diff_ids: tuple[str, ...]


@dataclass
class Plan:
    """What a load writes: ``blobs`` by digest in write order, ``unpacks`` by manifest digest,
    ``records`` (name → target) in archive order (a name given twice keeps its first place and
    its last target, as containerd's importer leaves it)."""

    format: str  # "oci" or "docker"
    blobs: dict[str, Blob] = field(default_factory=dict)
    unpacks: dict[str, Unpack] = field(default_factory=dict)
    records: dict[str, Descriptor] = field(default_factory=dict)


class _Archive:
    """The spool file's members: regular files by normalised path (offset, size), and links."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.size = os.fstat(self.fd).st_size
        self.files: dict[str, tuple[int, int]] = {}
        self.links: dict[str, str] = {}
        self.verified: dict[tuple[int, int], str] = {}  # (offset, size) → sha256 digest

    def close(self) -> None:
        os.close(self.fd)

    def pread(self, size: int, offset: int) -> bytes:
        data = os.pread(self.fd, size, offset)
        if len(data) != size:
            raise _bad("the archive is truncated: unexpected end of data")
        return data

    # -- reading the tar --
    def scan(self) -> None:
        with open(self.fd, "rb", closefd=False) as f:
            head = f.read(4)
            if not head:
                raise _bad("the archive is empty")
            if head.startswith(_GZIP_MAGIC) or head.startswith(_ZSTD_MAGIC):
                raise _bad("the archive is compressed: load takes an uncompressed tar (decompress it first)")
            f.seek(0)
            try:
                with tarfile.open(fileobj=f, mode="r:") as tar:
                    count = 0
                    while (member := tar.next()) is not None:
                        count += 1
                        if count > MAX_MEMBERS:
                            raise _bad(f"the archive has more than {MAX_MEMBERS} entries: not an image archive")
                        self._add(member)
                    end = tar.offset
            except (tarfile.TarError, EOFError) as e:
                raise _bad(f"the archive is not a valid tar: {e}") from None
        self._check_end(end)

    def _check_end(self, offset: int) -> None:
        """After the last entry only zeros (the end blocks and padding) may follow: anything else
        is a damaged or truncated header, which tarfile takes as the end."""
        while offset < self.size:
            chunk = os.pread(self.fd, min(CHUNK, self.size - offset), offset)
            if chunk.strip(b"\0"):
                raise _bad(f"the archive is damaged or truncated: no valid tar header at offset {offset}")
            offset += len(chunk)

    def _add(self, member: tarfile.TarInfo) -> None:
        name = _member_path(member.name, "entry")
        if member.issparse():
            raise _bad(f"the archive holds a sparse file {member.name!r}: not an image archive")
        if member.isreg():
            if member.offset_data + member.size > self.size:
                raise _bad(f"the archive is truncated: {member.name!r} ends past its end")
            self.files[name] = (member.offset_data, member.size)
            self.links.pop(name, None)
        elif member.issym():
            if member.linkname.startswith("/"):
                raise _bad(f"the archive's symlink {member.name!r} points outside it ({member.linkname!r})")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
            if target == ".." or target.startswith("../"):
                raise _bad(f"the archive's symlink {member.name!r} points outside it ({member.linkname!r})")
            self.links[name] = target
            self.files.pop(name, None)
        elif member.islnk():
            self.links[name] = _member_path(member.linkname, f"hard link {member.name!r} to")
            self.files.pop(name, None)
        elif not member.isdir():
            raise _bad(f"the archive holds a device or fifo {member.name!r}: not an image archive")

    # -- members --
    def find(self, path: str) -> tuple[int, int] | None:
        """The regular file at ``path`` (links followed), or None."""
        for _ in range(MAX_LINK_DEPTH):
            found = self.files.get(path)
            if found is not None:
                return found
            target = self.links.get(path)
            if target is None:
                return None
            path = target
        raise _bad(f"the archive's link {path!r} is part of a loop, or of a chain too long")

    def member(self, path: str, what: str) -> tuple[int, int]:
        found = self.find(path)
        if found is None:
            raise _bad(f"{what} is missing from the archive ({path})")
        return found

    def read(self, path: str, limit: int, what: str) -> bytes:
        offset, size = self.member(path, what)
        if size > limit:
            raise _bad(f"{what} ({path}) is {size} bytes, more than the {limit} allowed")
        return self.pread(size, offset)

    def json(self, path: str, what: str) -> Any:
        """The JSON document at ``path`` (at most JSON_LIMIT bytes)."""
        return _loads(self.read(path, JSON_LIMIT, what), path)

    def digest(self, offset: int, size: int) -> str:
        """The sha256 of the bytes at ``offset`` (hashed once, in chunks)."""
        found = self.verified.get((offset, size))
        if found is None:
            h = hashlib.sha256()
            done = 0
            while done < size:
                n = min(CHUNK, size - done)
                h.update(self.pread(n, offset + done))
                done += n
            found = self.verified[(offset, size)] = "sha256:" + h.hexdigest()
        return found


def _loads(data: bytes, path: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise _bad(f"{path} is not valid JSON") from None


def _member_path(name: str, what: str) -> str:
    """An entry's path, normalised; a 400 for an absolute one or one holding ``..``."""
    if name.startswith("/"):
        raise _bad(f"the archive's {what} {name!r} has an absolute path")
    if ".." in name.split("/"):
        raise _bad(f"the archive's {what} {name!r} leaves the archive (..)")
    return posixpath.normpath(name) if name else name


class _Planner:
    """Reads one archive into a :class:`Plan` (see the module's notes)."""

    def __init__(self, archive: _Archive, name: str | None, prefix: str, host: Platform = HOST_PLATFORM) -> None:
        self.archive = archive
        self.name = name
        self.prefix = prefix
        self.host = host

    def run(self) -> Plan:
        archive = self.archive
        if archive.find("oci-layout") is not None:
            return self._oci()
        if archive.find("manifest.json") is not None:
            return self._docker()
        raise _bad(
            "not an image archive: it has neither an OCI image layout (oci-layout, index.json) "
            "nor a Docker manifest.json"
        )

    # -- OCI image layout --
    def _oci(self) -> Plan:
        layout = self.archive.json("oci-layout", "oci-layout")
        version = layout.get("imageLayoutVersion") if isinstance(layout, dict) else None
        if version != OCI_LAYOUT_VERSION:
            raise _bad(f"unsupported OCI image layout version {str(version)[:40]!r} (want {OCI_LAYOUT_VERSION})")
        if self.archive.find("index.json") is None:
            raise _bad(f"missing index.json in the OCI image layout {OCI_LAYOUT_VERSION}")
        data = self.archive.read("index.json", JSON_LIMIT, "index.json")
        _loads(data, "index.json")  # its own error for bad JSON, before parse_index's
        root = Descriptor(OCI_INDEX, sha256(data), len(data))
        index = _checked(lambda: parse_index(data, root), "index.json")
        plan = Plan("oci")
        for entry in index.manifests:
            raw = entry_name(entry.annotations, self.name, self.prefix)
            if raw is None:
                continue
            record = _record_name(raw, "index.json")
            target = Descriptor(entry.media_type, entry.digest, entry.size)
            if target.kind == "index":
                self._oci_index(plan, target, record)
            elif target.kind == "manifest":
                self._oci_manifest(plan, target)
            else:
                raise _bad(f"index.json lists {entry.media_type} {entry.digest}: not an image manifest or index")
            plan.records[record] = target
        return plan

    def _blob(self, desc: Descriptor, what: str) -> int:
        """The offset of ``desc``'s blob, its size and digest checked."""
        path = f"blobs/sha256/{desc.digest.removeprefix('sha256:')}"
        offset, size = self.archive.member(path, f"the {what} {desc.digest}")
        if size != desc.size:
            raise _bad(f"blob {path} is {size} bytes, its descriptor says {desc.size}")
        if size == 0:
            raise _bad(f"blob {path} is empty")
        actual = self.archive.digest(offset, size)
        if actual != desc.digest:
            raise _bad(f"blob {path} does not match its digest (its content is {actual}): the archive is damaged")
        return offset

    def _document(self, desc: Descriptor, limit: int, what: str) -> tuple[int, bytes]:
        """A manifest, index or config: its offset and bytes (checked as :meth:`_blob`)."""
        if desc.size > limit:  # before hashing it
            raise _bad(f"the {what} {desc.digest} is {desc.size} bytes, more than the {limit} allowed")
        offset = self._blob(desc, what)
        return offset, self.archive.pread(desc.size, offset)

    def _oci_index(self, plan: Plan, desc: Descriptor, record: str) -> None:
        offset, data = self._document(desc, _LIMITS.max_manifest, "index")
        index = _checked(lambda: parse_index(data, desc), f"index {desc.digest}")
        try:
            chosen = choose_manifest(index, desc, self.host)
        except APIError:
            raise _bad(f"the image {record} has no manifest for the platform {self.host}") from None
        # Only the host's platform is loaded (containerd's importer filters platforms too); the
        # index still names every manifest for the GC, which ignores the ones not there.
        self._oci_manifest(plan, Descriptor(chosen.media_type, chosen.digest, chosen.size))
        plan.blobs.setdefault(desc.digest, Blob(desc, offset, labels=child_gc_labels(index.manifests)))

    def _oci_manifest(self, plan: Plan, desc: Descriptor) -> None:
        if desc.digest in plan.unpacks:
            return
        offset, data = self._document(desc, _LIMITS.max_manifest, "manifest")
        manifest = _checked(lambda: parse_manifest(data, desc), f"manifest {desc.digest}")
        config_offset, config = self._document(manifest.config, _LIMITS.max_config, "image config")
        ids = _checked(lambda: diff_ids(config, manifest.config), f"image config {manifest.config.digest}")
        if len(ids) != len(manifest.layers):
            raise _bad(
                f"the image config {manifest.config.digest} lists {len(ids)} diff IDs for {len(manifest.layers)} layers"
            )
        layers = []
        for layer, diff_id in zip(manifest.layers, ids, strict=True):
            plain = Descriptor(layer.media_type, layer.digest, layer.size)
            layer_offset = self._blob(plain, "layer")
            if _uncompressed(layer.media_type) and layer.digest != diff_id:
                raise _bad(f"the uncompressed layer {layer.digest} is not the config's diff ID {diff_id}")
            plan.blobs.setdefault(layer.digest, Blob(plain, layer_offset))
            layers.append(plain)
        config_desc = Descriptor(manifest.config.media_type, manifest.config.digest, manifest.config.size)
        plan.blobs.setdefault(config_desc.digest, Blob(config_desc, config_offset))
        labels = child_gc_labels([manifest.config, *manifest.layers])
        plan.blobs.setdefault(desc.digest, Blob(desc, offset, labels=labels))
        plan.unpacks[desc.digest] = Unpack(config_desc, tuple(layers), tuple(ids))

    # -- docker save's archive --
    def _docker(self) -> Plan:
        doc = self.archive.json("manifest.json", "manifest.json")
        if not isinstance(doc, list) or not doc:
            raise _bad("manifest.json is not a list of images")
        plan = Plan("docker")
        for i, item in enumerate(doc):
            where = f"manifest.json's image {i}"
            if not isinstance(item, dict):
                raise _bad(f"{where} is not an object")
            config_path, tags, layer_paths = item.get("Config"), item.get("RepoTags"), item.get("Layers")
            if not isinstance(config_path, str) or not config_path:
                raise _bad(f"{where} has no Config")
            if not isinstance(layer_paths, list) or not all(isinstance(p, str) and p for p in layer_paths):
                raise _bad(f"{where} has no valid Layers list")
            if tags is None:
                tags = []
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise _bad(f"{where} has an invalid RepoTags list")
            names = []
            for tag in tags:
                translated = translate_name(_record_name(tag, "manifest.json"), self.name, self.prefix)
                if translated is not None:
                    names.append(_record_name(translated, "manifest.json"))
            if not names:
                continue  # containerd's importer records an image only by a name
            target = self._docker_image(plan, config_path, layer_paths, where)
            for record in names:
                plan.records[record] = target
        return plan

    def _docker_member(self, path: str, what: str, limit: int | None = None) -> tuple[str, int, int]:
        """A path manifest.json names: (its digest, offset, size)."""
        clean = _member_path(path, what)
        offset, size = self.archive.member(clean, what)
        if size == 0:
            raise _bad(f"{what} ({path}) is empty")
        if limit is not None and size > limit:
            raise _bad(f"{what} ({path}) is {size} bytes, more than the {limit} allowed")
        digest = self.archive.digest(offset, size)
        named = _BLOB_PATH.fullmatch(clean) or _HEX_JSON.fullmatch(clean)
        if named is not None and digest != f"sha256:{named.group(1)}":
            raise _bad(f"{path} does not match its digest (its content is {digest}): the archive is damaged")
        return digest, offset, size

    def _docker_image(self, plan: Plan, config_path: str, layer_paths: Sequence[str], where: str) -> Descriptor:
        config_digest, config_offset, config_size = self._docker_member(
            config_path, f"{where}'s config", _LIMITS.max_config
        )
        config_desc = Descriptor(DOCKER_CONFIG, config_digest, config_size)
        config = self.archive.pread(config_size, config_offset)
        ids = _checked(lambda: diff_ids(config, config_desc), f"{where}'s config {config_path}")
        if len(ids) != len(layer_paths):
            raise _bad(f"{where}'s config lists {len(ids)} diff IDs for {len(layer_paths)} layers")
        layers: list[Descriptor] = []
        offsets: list[int] = []
        for path, diff_id in zip(layer_paths, ids, strict=True):
            digest, offset, size = self._docker_member(path, f"{where}'s layer")
            media_type = _layer_type(self.archive.pread(min(4, size), offset))
            if media_type == DOCKER_LAYER and digest != diff_id:
                raise _bad(f"{where}'s layer {path} is not the config's diff ID {diff_id}: the archive is damaged")
            layers.append(Descriptor(media_type, digest, size))
            offsets.append(offset)
        manifest = docker_manifest(config_desc, layers)
        desc = Descriptor(DOCKER_MANIFEST, sha256(manifest), len(manifest))
        if desc.digest not in plan.unpacks:
            for layer, offset in zip(layers, offsets, strict=True):
                plan.blobs.setdefault(layer.digest, Blob(layer, offset))
            plan.blobs.setdefault(config_digest, Blob(config_desc, config_offset))
            labels = child_gc_labels([config_desc, *layers])
            plan.blobs.setdefault(desc.digest, Blob(desc, data=manifest, labels=labels))
            plan.unpacks[desc.digest] = Unpack(config_desc, tuple(layers), tuple(ids))
        return desc


def _checked(parse: Callable[[], Any], where: str) -> Any:
    """``parse()``, its APIError (about the archive's content) answered 400 naming ``where``."""
    try:
        return parse()
    except APIError as e:
        raise _bad(f"{where} in the archive: {e.message}") from None


def _uncompressed(media_type: str) -> bool:
    return media_type.endswith(".tar")


def _layer_type(head: bytes) -> str:
    """A Docker archive layer's media type by its first bytes (containerd's detectLayerMediaType;
    zstd gets the OCI type, which containerd's diff service reads)."""
    if head.startswith(_GZIP_MAGIC):
        return DOCKER_LAYER_GZIP
    if head.startswith(_ZSTD_MAGIC):
        return OCI_LAYER_ZSTD
    return DOCKER_LAYER


def _go_descriptor(desc: Descriptor) -> dict[str, Any]:
    # ocispec.Descriptor's JSON, in Go's field order.
    return {"mediaType": desc.media_type, "digest": desc.digest, "size": desc.size}


def docker_manifest(config: Descriptor, layers: Sequence[Descriptor]) -> bytes:
    """The Docker schema 2 manifest containerd's importer writes for a Docker archive's image
    (Go's ``json.Marshal``: fields in struct order, no spaces)."""
    doc = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": _go_descriptor(config),
        "layers": [_go_descriptor(layer) for layer in layers],
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def plan(path: Path, name: str | None, prefix: str) -> Plan:
    """Read and check the archive at ``path`` (blocking: run it in a thread). APIError(400)
    naming the first fault found."""
    archive = _Archive(path)
    try:
        archive.scan()
        return _Planner(archive, name, prefix).run()
    finally:
        archive.close()


# ---- load ---------------------------------------------------------------------------------------


def _append(path: Path, data: bytes) -> None:
    # Opened per write, never created: a write whose thread runs on after a cancelled load has
    # removed the file neither meets a descriptor closed (or reused) under it nor makes it again.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _pread(path: Path, offset: int, size: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(size)
    if len(data) != size:
        raise APIError(500, "the spooled archive changed while it was loaded")
    return data


async def _spool(chunks: AsyncIterator[bytes], path: Path, max_bytes: int) -> int:
    """Write ``chunks`` to ``path`` (buffered to CHUNK, each write in a thread); its size."""
    total = 0
    buffer = bytearray()
    async for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise APIError(413, f"the image archive is larger than the {max_bytes} bytes pouchd accepts")
        buffer += chunk
        if len(buffer) >= CHUNK:
            await asyncio.to_thread(_append, path, bytes(buffer))
            buffer.clear()
    if buffer:
        await asyncio.to_thread(_append, path, bytes(buffer))
    return total


def _source(path: Path, offset: int, size: int) -> content.Source:
    @contextlib.asynccontextmanager
    async def source() -> AsyncIterator[AsyncIterator[bytes]]:
        async def chunks() -> AsyncIterator[bytes]:
            done = 0
            while done < size:
                n = min(CHUNK, size - done)
                yield await asyncio.to_thread(_pread, path, offset + done, n)
                done += n

        yield chunks()

    return source


async def _write(client: ContainerdClient, path: Path, blob: Blob, lease: str) -> None:
    desc = blob.desc
    labels = dict(blob.labels)
    if blob.data is not None:
        written = await content.write_blob(
            client, blob.data, ref=desc.ref_key, digest=desc.digest, lease=lease, labels=labels
        )
    else:
        written = await content.ingest(
            client,
            ref=desc.ref_key,
            digest=desc.digest,
            size=desc.size,
            source=_source(path, blob.offset, desc.size),
            lease=lease,
            labels=labels,
        )
    if not written and labels:  # there already (held by the lease now): our labels belong on it
        await content.update_labels(client, desc.digest, labels, lease=lease)


async def load(
    manager: ImageManager,
    chunks: AsyncIterator[bytes],
    name: str | None,
    *,
    spool_dir: Path,
    max_bytes: int,
) -> list[str]:
    """Load the image archive ``chunks`` carry (see the module's notes) into ``manager``'s
    containerd namespace and snapshotter, naming the images by the archive and ``name``: the
    records written, in archive order ([] when no image had a name). The body is spooled in
    ``spool_dir`` (removed at the end). APIError: 400 for a bad ``name`` (before the body is
    read) or archive, 413 past ``max_bytes``, 500 when containerd fails; nothing is recorded
    then."""
    name = check_load_name(name)
    client = manager.client
    try:
        # One syscall, here: in a thread, a cancellation could leave the file it made behind.
        fd, raw_path = tempfile.mkstemp(prefix="load-", suffix=".tar", dir=spool_dir)
    except OSError as e:
        raise APIError(500, f"cannot spool the image archive in {spool_dir}: {e.strerror or e}") from None
    os.close(fd)
    path = Path(raw_path)
    try:
        try:
            size = await _spool(chunks, path, max_bytes)
        except OSError as e:
            raise APIError(500, f"cannot spool the image archive in {spool_dir}: {e.strerror or e}") from None
        if size == 0:
            raise _bad("no image archive was sent: the request body is empty")
        found = await asyncio.to_thread(plan, path, name, import_prefix())
        async with client.lease(labels={PULL_LEASE_LABEL: "1"}) as lease:
            # The pull's lease label: a pouchd killed mid-load has it dropped at its next start.
            for blob in found.blobs.values():
                await _write(client, path, blob, lease)
            for image in found.unpacks.values():
                await unpack(
                    client,
                    image.layers,
                    image.diff_ids,
                    config=image.config,
                    snapshotter=manager.snapshotter,
                    lease=lease,
                )
            for record, target in found.records.items():
                await manager.record_with_digest(record, target)
        return list(found.records)
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# ---- save ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    """One entry of the saved tar: a directory, bytes, or a blob read from containerd."""

    name: str
    mode: int
    size: int = 0
    data: bytes | None = None
    digest: str | None = None  # a blob's

    @property
    def is_dir(self) -> bool:
        return self.data is None and self.digest is None


@dataclass
class _SavedImage:
    manifest: Descriptor
    config: Descriptor
    layers: tuple[Descriptor, ...]
    tags: list[str] = field(default_factory=list)


def _header(entry: _File) -> bytes:
    info = tarfile.TarInfo(entry.name)
    info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = entry.mode, 0, 0, 0, "", ""
    if entry.is_dir:
        info.type = tarfile.DIRTYPE
    else:
        info.type, info.size = tarfile.REGTYPE, entry.size
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _padding(size: int) -> bytes:
    return b"\0" * (-size % _BLOCK)


async def _present(client: ContainerdClient, digests: Sequence[str]) -> bool:
    for digest in digests:
        if await content.info(client, digest) is None:
            return False
    return True


class _Saver:
    """What a save writes, gathered before its first byte."""

    def __init__(self, client: ContainerdClient, default_registry: str) -> None:
        self.client = client
        self.default_registry = default_registry
        self.blobs: dict[str, Descriptor] = {}
        self.images: dict[str, _SavedImage] = {}  # by manifest digest
        self.entries: list[dict[str, Any]] = []  # index.json's manifests

    async def add(self, record: str, target: Descriptor) -> None:
        annotations = {ANNOTATION_IMAGE_NAME: record}
        parsed = reference.parse(record)
        if parsed.tag is not None:
            annotations[ANNOTATION_REF_NAME] = parsed.tag
        self.entries.append({**_go_descriptor(target), "annotations": annotations})
        chosen: _SavedImage | None
        if target.kind == "index":
            chosen = await self._index(target)
        elif target.kind == "manifest":
            chosen = await self._manifest(target, required=True)
        else:
            raise APIError(500, f"the image {record} is a {target.media_type}, which cannot be saved")
        if chosen is not None and parsed.tag is not None and parsed.digest is None:
            tag = reference.familiar(record, self.default_registry)
            if tag not in chosen.tags:
                chosen.tags.append(tag)

    async def _read(self, desc: Descriptor, limit: int) -> bytes:
        try:
            return await content.read(self.client, desc.digest, limit=limit)
        except APIError as e:
            if e.status == 404:
                raise APIError(500, f"content {desc.digest} of the image is missing: {e.message}") from None
            raise

    async def _index(self, desc: Descriptor) -> _SavedImage:
        index = parse_index(await self._read(desc, _LIMITS.max_manifest), desc)
        chosen = choose_manifest(index, desc, HOST_PLATFORM)
        self.blobs.setdefault(desc.digest, Descriptor(desc.media_type, desc.digest, desc.size))
        host = await self._manifest(chosen, required=True)
        assert host is not None
        for other in index.manifests:
            # Other platforms' manifests a pull never fetched are left out; complete ones go in.
            if other.digest != chosen.digest and other.kind == "manifest":
                await self._manifest(other, required=False)
        return host

    async def _manifest(self, desc: Descriptor, *, required: bool) -> _SavedImage | None:
        found = self.images.get(desc.digest)
        if found is not None:
            return found
        if not required and await content.info(self.client, desc.digest) is None:
            return None
        manifest = parse_manifest(await self._read(desc, _LIMITS.max_manifest), desc)
        children = [manifest.config, *manifest.layers]
        if not required and not await _present(self.client, [c.digest for c in children]):
            return None
        plain = [Descriptor(c.media_type, c.digest, c.size) for c in children]
        for child in plain:
            if await content.info(self.client, child.digest) is None:
                raise APIError(500, f"content {child.digest} of the image is missing: not found")
            self.blobs.setdefault(child.digest, child)
        self.blobs.setdefault(desc.digest, Descriptor(desc.media_type, desc.digest, desc.size))
        image = _SavedImage(desc, plain[0], tuple(plain[1:]))
        if required:
            self.images[desc.digest] = image
        return image

    def files(self) -> list[_File]:
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.entries}
        # Docker's manifest.json beside the OCI layout, as containerd's exporter and Docker 25's
        # `docker save` write it: `docker load` into a dockerd (any version) reads this file, and
        # decompresses the layers it names.
        docker = [
            {
                "Config": _blob_path(image.config.digest),
                "RepoTags": image.tags,
                "Layers": [_blob_path(layer.digest) for layer in image.layers],
            }
            for image in self.images.values()
        ]
        documents = {
            "index.json": (_compact(index), 0o644),
            "manifest.json": (_compact(docker), 0o644),
            "oci-layout": (_compact({"imageLayoutVersion": OCI_LAYOUT_VERSION}), 0o444),
        }
        files = [_File("blobs/", 0o755), _File("blobs/sha256/", 0o755)]
        files += [_File(_blob_path(d), 0o444, desc.size, digest=d) for d, desc in sorted(self.blobs.items())]
        files += [_File(n, mode, len(data), data=data) for n, (data, mode) in documents.items()]
        return files


def _compact(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _blob_path(digest: str) -> str:
    return f"blobs/sha256/{digest.removeprefix('sha256:')}"


async def prepare_save(manager: ImageManager, names: Sequence[str]) -> AsyncIterator[bytes]:
    """The OCI image layout tar of the images ``names`` name (each looked up as pouch does; by
    ID, its primary reference), as a stream of bytes. Everything is resolved and checked here,
    before the first byte: APIError 400 for no name or one that does not parse, 404 for an
    unknown image, 500 for content containerd lacks."""
    if not names:
        raise _bad("no image to save: give at least one name")
    saver = _Saver(manager.client, manager.store.default_registry)
    seen: set[str] = set()
    for text in names:
        details, matched = manager.lookup(text)
        record_name = matched or manager.store.primary_reference(details.id)
        record = manager.records.get(record_name)
        if record is None:
            raise APIError(404, f"image {text}: not found")
        if record_name in seen:
            continue
        seen.add(record_name)
        await saver.add(record_name, record.target)
    return _stream(manager.client, saver.files())


async def _stream(client: ContainerdClient, files: Sequence[_File]) -> AsyncIterator[bytes]:
    """The tar of ``files``: each blob read from containerd in the chunks it sends, under a lease
    that holds every blob until the last byte (an image removed meanwhile stays readable)."""
    async with client.lease(labels={PULL_LEASE_LABEL: "1"}) as lease:
        for entry in files:
            if entry.digest is not None:
                await content.hold(client, lease, entry.digest)
        pending = b""
        for entry in files:
            pending += _header(entry)
            if entry.data is not None:
                pending += entry.data + _padding(entry.size)
                continue
            if entry.digest is None:
                continue
            sent = 0
            request = content_pb2.ReadContentRequest(digest=entry.digest)
            # An async generator (closed here at once, which cancels the call, when we stop early).
            read = cast(AsyncGenerator[Any, None], client.stream(client.content.Read, request, lease=lease))
            async with contextlib.aclosing(read) as messages:
                async for message in messages:
                    sent += len(message.data)
                    if sent > entry.size:
                        break
                    yield pending + message.data if pending else message.data
                    pending = b""
            if sent != entry.size:
                raise APIError(500, f"content {entry.digest} is not the {entry.size} bytes its image says")
            pending = _padding(entry.size)
        yield pending + b"\0" * (2 * _BLOCK)  # the end of the archive: two zero blocks


__all__ = [
    "ANNOTATION_IMAGE_NAME",
    "ANNOTATION_REF_NAME",
    "NAME_WITH_TAG",
    "Plan",
    "check_load_name",
    "docker_manifest",
    "entry_name",
    "import_prefix",
    "load",
    "load_event_name",
    "plan",
    "prepare_save",
    "translate_name",
]
