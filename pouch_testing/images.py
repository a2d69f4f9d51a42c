"""Test images built here, from Debian's ``busybox-static``: no network, no Docker, reproducible.

:func:`build_busybox_image` makes a real, runnable image (``/bin/busybox`` and its applets as
symlinks, ``/etc/passwd``) as an OCI or a Docker schema 2 image, optionally with a layer of extra
files and a layer of random bytes (for the benchmarks' ~5 MB and ~50 MB images).
:func:`build_index` / :func:`build_multiplatform_image` put images of several platforms under one
index (manifest list). The writers make what ``pouch load`` and ``ctr images import`` read: an OCI
image layout (:func:`oci_layout_tar`) or ``docker save``'s archive (:func:`docker_archive_tar`);
:func:`push` uploads an image to a registry over its HTTP API.

The same input gives the same bytes, so the same digests: PAX tars with every mtime, uid and gid 0,
gzip without a timestamp. Standard library only, except :func:`push` (httpx).
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import io
import json
import os
import platform
import random
import subprocess
import tarfile
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

if TYPE_CHECKING:
    import httpx

Media = Literal["oci", "docker"]

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"

MEDIA_TYPES: dict[Media, dict[str, str]] = {
    "oci": {"index": OCI_INDEX, "manifest": OCI_MANIFEST, "config": OCI_CONFIG, "layer": OCI_LAYER},
    "docker": {
        "index": DOCKER_MANIFEST_LIST,
        "manifest": DOCKER_MANIFEST,
        "config": DOCKER_CONFIG,
        "layer": DOCKER_LAYER,
    },
}

BUSYBOX = Path("/bin/busybox")
CREATED = "2024-01-01T00:00:00Z"
DEFAULT_ENV = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",)
# The rootfs's directories besides the applets' (tmp is sticky and world-writable, as on a host).
BASE_DIRS = ("bin", "dev", "etc", "home", "proc", "root", "sbin", "sys", "tmp", "usr", "usr/bin", "usr/sbin", "var")
PASSWD = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
GROUP = b"root:x:0:\nnobody:x:65534:\n"
# Python's machine names as Go's GOARCH (the image config's "architecture"), with the variant.
_GOARCH = {
    "x86_64": ("amd64", None),
    "amd64": ("amd64", None),
    "aarch64": ("arm64", "v8"),
    "arm64": ("arm64", "v8"),
    "armv7l": ("arm", "v7"),
    "ppc64le": ("ppc64le", None),
    "s390x": ("s390x", None),
    "riscv64": ("riscv64", None),
    "i686": ("386", None),
}
OTHER_ARCH = {"amd64": ("arm64", "v8")}  # any other host: its foreign image is amd64


def sha256(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def host_platform() -> tuple[str, str | None]:
    """This machine's (GOARCH, variant): the platform Debian's busybox is built for."""
    return _GOARCH.get(platform.machine(), (platform.machine(), None))


def busybox_missing() -> str | None:
    """Why :func:`build_busybox_image` cannot run here, or None (for ``pytest.skip``)."""
    if not BUSYBOX.is_file():
        return f"{BUSYBOX} is missing (Debian package busybox-static)"
    return None


def _json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces (the digests depend on the bytes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


# ---- layers --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer: its uncompressed tar (whose digest is the config's diff_id), the gzip blob
    the registry and the manifest know by ``digest``, and the history line that made it."""

    tar: bytes
    blob: bytes
    created_by: str
    digest: str = field(init=False)
    diff_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", sha256(self.blob))
        object.__setattr__(self, "diff_id", sha256(self.tar))

    @property
    def size(self) -> int:
        """The compressed blob's size (the manifest's)."""
        return len(self.blob)

    def descriptor(self, media: Media) -> dict[str, Any]:
        return {"mediaType": MEDIA_TYPES[media]["layer"], "digest": self.digest, "size": self.size}


class _TarWriter:
    """A reproducible PAX tar in memory: every entry root's, mtime 0."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name: str, kind: bytes, mode: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime, info.uid, info.gid = kind, mode, 0, 0, 0
        info.uname = info.gname = ""
        return info

    def dir(self, name: str, mode: int = 0o755) -> None:
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode))

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        info = self._info(name, tarfile.REGTYPE, mode)
        info.size = len(data)
        self.tar.addfile(info, io.BytesIO(data))

    def symlink(self, name: str, target: str) -> None:
        info = self._info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self.tar.addfile(info)

    def close(self) -> bytes:
        self.tar.close()
        return self.buf.getvalue()


def _parents(paths: Iterable[str]) -> list[str]:
    """Every directory above ``paths``, parents first."""
    dirs: set[str] = set()
    for p in paths:
        parts = p.strip("/").split("/")[:-1]
        dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(dirs, key=lambda d: (d.count("/"), d))


def make_layer(tar: bytes, created_by: str, *, compresslevel: int = 6) -> Layer:
    """A layer from an uncompressed tar (gzip level 6, Go's and Docker's default)."""
    return Layer(tar, gzip.compress(tar, compresslevel=compresslevel, mtime=0), created_by)


def files_layer(files: Mapping[str, bytes], *, created_by: str | None = None, mode: int = 0o644) -> Layer:
    """A layer of regular files (``{"path/in/rootfs": content}``) and their parent directories."""
    w = _TarWriter()
    normalized = {p.strip("/"): data for p, data in files.items()}
    for d in _parents(normalized):
        w.dir(d)
    for name in sorted(normalized):
        w.file(name, normalized[name], mode)
    tar = w.close()
    return make_layer(tar, created_by or f"/bin/sh -c #(nop) COPY file:{hashlib.sha256(tar).hexdigest()} in / ")


@functools.lru_cache(maxsize=2)
def _busybox_layer(mtime_ns: int, size: int) -> Layer:
    """The busybox rootfs layer (cached by the binary's mtime and size: built once per process)."""
    del mtime_ns, size  # only the cache's key
    applets = subprocess.run([str(BUSYBOX), "--list-full"], check=True, capture_output=True, text=True).stdout.split()
    # linuxrc is the init of an initramfs, no command; the binary itself is added as a file.
    links = sorted({a.strip("/") for a in applets} - {"linuxrc", "bin/busybox"})
    w = _TarWriter()
    for d in sorted(set(BASE_DIRS) | set(_parents(links)), key=lambda d: (d.count("/"), d)):
        w.dir(d, 0o1777 if d == "tmp" else 0o700 if d == "root" else 0o755)
    w.file("bin/busybox", BUSYBOX.read_bytes(), 0o755)
    for link in links:
        w.symlink(link, "/bin/busybox")
    w.file("etc/passwd", PASSWD)
    w.file("etc/group", GROUP)
    tar = w.close()
    return make_layer(tar, f"/bin/sh -c #(nop) ADD file:{hashlib.sha256(tar).hexdigest()} in / ")


def busybox_layer() -> Layer:
    """The rootfs layer: ``/bin/busybox``, its applets as symlinks to it, /etc/passwd and group."""
    reason = busybox_missing()
    if reason:
        raise FileNotFoundError(reason)
    st = BUSYBOX.stat()
    return _busybox_layer(st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=2)
def _random_layer(size: int, seed: int) -> Layer:
    data = random.Random(seed).randbytes(size)
    return random_layer(size, data=data)


def random_layer(size: int, *, seed: int | None = None, data: bytes | None = None) -> Layer:
    """A layer of one file, ``/data/random-<size>.bin``, of ``size`` random bytes: the same for
    the same ``seed``, new ones without. Random bytes do not compress, so the blob is about
    ``size`` too; gzip stores them (level 0), which is as big and much faster."""
    if data is None:
        if seed is not None:
            return _random_layer(size, seed)
        data = os.urandom(size)
    w = _TarWriter()
    w.dir("data")
    w.file(f"data/random-{size}.bin", data)
    tar = w.close()
    return make_layer(tar, f"/bin/sh -c #(nop) ADD file:{hashlib.sha256(tar).hexdigest()} in /data/ ", compresslevel=0)


# ---- images --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TestImage:
    """One image (one platform): its layers, config and manifest, as bytes and digests.

    ``blobs`` holds what a registry stores as blobs: the config and the layers, by digest (the
    manifest is :attr:`manifest`, stored by the registry as a manifest)."""

    __test__ = False  # a class named Test*: not for pytest to collect

    tag_name: str
    media: Media
    layers: tuple[Layer, ...]
    config: bytes
    manifest: bytes
    architecture: str
    os: str
    variant: str | None
    config_digest: str = field(init=False)
    manifest_digest: str = field(init=False)
    blobs: dict[str, bytes] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "config_digest", sha256(self.config))
        object.__setattr__(self, "manifest_digest", sha256(self.manifest))
        blobs = {self.config_digest: self.config}
        blobs.update((layer.digest, layer.blob) for layer in self.layers)
        object.__setattr__(self, "blobs", blobs)

    @property
    def id(self) -> str:
        """The image ID: the config's digest."""
        return self.config_digest

    @property
    def config_size(self) -> int:
        return len(self.config)

    @property
    def manifest_size(self) -> int:
        return len(self.manifest)

    @property
    def config_media_type(self) -> str:
        return MEDIA_TYPES[self.media]["config"]

    @property
    def manifest_media_type(self) -> str:
        return MEDIA_TYPES[self.media]["manifest"]

    @property
    def diff_ids(self) -> list[str]:
        return [layer.diff_id for layer in self.layers]

    @property
    def config_json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.config)
        return parsed

    @property
    def uncompressed_size(self) -> int:
        """The layers' tars together (the size of the unpacked rootfs's content, about)."""
        return sum(len(layer.tar) for layer in self.layers)

    @property
    def content_size(self) -> int:
        """Manifest, config and compressed layers: what containerd's ``Image.Size`` counts."""
        return self.manifest_size + self.config_size + sum(layer.size for layer in self.layers)

    @property
    def platform(self) -> dict[str, str]:
        """The OCI platform: ``{"architecture", "os"}`` and ``"variant"`` when it has one."""
        p = {"architecture": self.architecture, "os": self.os}
        if self.variant:
            p["variant"] = self.variant
        return p

    def descriptor(self, *, with_platform: bool = False) -> dict[str, Any]:
        """The manifest's descriptor (as an index or ``index.json`` lists it)."""
        d: dict[str, Any] = {
            "mediaType": self.manifest_media_type,
            "digest": self.manifest_digest,
            "size": self.manifest_size,
        }
        if with_platform:
            d["platform"] = self.platform
        return d


def build_image(
    layers: Sequence[Layer],
    *,
    tag_name: str = "busybox:latest",
    media: Media = "oci",
    created: str = CREATED,
    labels: Mapping[str, str] | None = None,
    cmd: Sequence[str] | None = ("sh",),
    entrypoint: Sequence[str] | None = None,
    env: Sequence[str] = DEFAULT_ENV,
    working_dir: str | None = None,
    user: str | None = None,
    architecture: str | None = None,
    os_name: str = "linux",
    variant: str | None = None,
    cmd_history: bool = False,
) -> TestImage:
    """An image of ``layers``: the config (history 1:1 with the layers, plus with ``cmd_history``
    the empty-layer ``CMD`` line a Dockerfile build adds) and its manifest. The platform is the
    host's unless ``architecture`` is given."""
    if media not in MEDIA_TYPES:
        raise ValueError(f"media must be 'oci' or 'docker', not {media!r}")
    if architecture is None:
        architecture, host_variant = host_platform()
        variant = variant or host_variant
    container: dict[str, Any] = {"Env": list(env)}
    if cmd is not None:
        container["Cmd"] = list(cmd)
    if entrypoint is not None:
        container["Entrypoint"] = list(entrypoint)
    if labels:
        container["Labels"] = dict(labels)
    if working_dir:
        container["WorkingDir"] = working_dir
    if user:
        container["User"] = user
    history: list[dict[str, Any]] = [{"created": created, "created_by": layer.created_by} for layer in layers]
    if cmd_history:
        history.append(
            {
                "created": created,
                "created_by": f"/bin/sh -c #(nop)  CMD {json.dumps(list(cmd or []))}",
                "empty_layer": True,
            }
        )
    config: dict[str, Any] = {
        "architecture": architecture,
        "os": os_name,
        "created": created,
        "config": container,
        "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]},
        "history": history,
    }
    if variant:
        config["variant"] = variant
    config_bytes = _json(config)
    types = MEDIA_TYPES[media]
    manifest = {
        "schemaVersion": 2,
        "mediaType": types["manifest"],
        "config": {"mediaType": types["config"], "digest": sha256(config_bytes), "size": len(config_bytes)},
        "layers": [layer.descriptor(media) for layer in layers],
    }
    return TestImage(
        tag_name=tag_name,
        media=media,
        layers=tuple(layers),
        config=config_bytes,
        manifest=_json(manifest),
        architecture=architecture,
        os=os_name,
        variant=variant,
    )


def build_busybox_image(
    *,
    tag_name: str = "busybox:latest",
    media: Media = "oci",
    created: str = CREATED,
    labels: Mapping[str, str] | None = None,
    extra_files: Mapping[str, bytes] | None = None,
    extra_layer_bytes: int = 0,
    seed: int | None = None,
    cmd: Sequence[str] | None = ("sh",),
    entrypoint: Sequence[str] | None = None,
    env: Sequence[str] = DEFAULT_ENV,
    working_dir: str | None = None,
    user: str | None = None,
    cmd_history: bool = False,
) -> TestImage:
    """A runnable busybox image for this host's platform: the busybox layer, then a layer of
    ``extra_files`` when given, then one of ``extra_layer_bytes`` random bytes when > 0 (the same
    bytes for the same ``seed``; new ones, so a new image, without). Raises FileNotFoundError
    without busybox-static (check :func:`busybox_missing` first)."""
    layers = [busybox_layer()]
    if extra_files:
        layers.append(files_layer(extra_files))
    if extra_layer_bytes < 0:
        raise ValueError("extra_layer_bytes must be >= 0")
    if extra_layer_bytes:
        layers.append(random_layer(extra_layer_bytes, seed=seed))
    return build_image(
        layers,
        tag_name=tag_name,
        media=media,
        created=created,
        labels=labels,
        cmd=cmd,
        entrypoint=entrypoint,
        env=env,
        working_dir=working_dir,
        user=user,
        cmd_history=cmd_history,
    )


@dataclass(frozen=True, eq=False)
class TestIndex:
    """An index (OCI image index, or Docker manifest list) over images of different platforms.

    ``blobs`` holds every image's config and layers; ``manifests`` every image's manifest by
    digest (a registry stores those, and the index, as manifests)."""

    __test__ = False

    tag_name: str
    media: Media
    images: tuple[TestImage, ...]
    index: bytes
    digest: str = field(init=False)
    blobs: dict[str, bytes] = field(init=False)
    manifests: dict[str, TestImage] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", sha256(self.index))
        blobs: dict[str, bytes] = {}
        for image in self.images:
            blobs.update(image.blobs)
        object.__setattr__(self, "blobs", blobs)
        object.__setattr__(self, "manifests", {image.manifest_digest: image for image in self.images})

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.media]["index"]

    @property
    def size(self) -> int:
        return len(self.index)

    def descriptor(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}

    def for_platform(self, architecture: str, os_name: str = "linux") -> TestImage:
        """The image of that platform (KeyError when the index has none)."""
        for image in self.images:
            if image.architecture == architecture and image.os == os_name:
                return image
        raise KeyError(f"no {os_name}/{architecture} image in the index")


def build_index(images: Sequence[TestImage], *, tag_name: str | None = None, media: Media | None = None) -> TestIndex:
    """An index of ``images``, each listed with its platform (``media``: the first image's)."""
    if not images:
        raise ValueError("an index needs at least one image")
    media = media or images[0].media
    index = {
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPES[media]["index"],
        "manifests": [image.descriptor(with_platform=True) for image in images],
    }
    return TestIndex(tag_name=tag_name or images[0].tag_name, media=media, images=tuple(images), index=_json(index))


def build_multiplatform_image(*, tag_name: str = "busybox:latest", media: Media = "oci", **busybox: Any) -> TestIndex:
    """An index of two images: the runnable busybox one for this host's platform (listed first),
    and a small one for another platform (linux/arm64, or linux/amd64 on an arm64 host) whose
    only layer is ``/etc/platform`` naming it; so a pull or load that picked the wrong one shows.
    ``busybox`` goes to :func:`build_busybox_image`."""
    host = build_busybox_image(tag_name=tag_name, media=media, **busybox)
    arch, variant = OTHER_ARCH.get(host.architecture, ("amd64", None))
    name = f"linux/{arch}" + (f"/{variant}" if variant else "")
    other = build_image(
        [files_layer({"etc/platform": f"{name}\n".encode()})],
        tag_name=tag_name,
        media=media,
        architecture=arch,
        variant=variant,
    )
    return build_index([host, other], tag_name=tag_name, media=media)


# ---- archives ------------------------------------------------------------------------------------

AnyImage = TestImage | TestIndex


def _write(files: Sequence[tuple[str, bytes | None]], dest: Path | None) -> bytes | Path:
    """A tar of ``files`` (``None``: a directory), to ``dest`` or as bytes."""
    w = _TarWriter()
    for name, data in files:
        if data is None:
            w.dir(name)
        else:
            w.file(name, data)
    tar = w.close()
    if dest is None:
        return tar
    dest.write_bytes(tar)
    return dest


def _ref_annotations(ref: str) -> dict[str, str]:
    """A full reference (``repo:tag``, ``host/repo:tag``) as containerd's exporter writes it: the
    name in ``io.containerd.image.name``, its tag as the OCI ref name; a bare tag as the OCI ref."""
    if "/" not in ref and ":" not in ref:
        return {"org.opencontainers.image.ref.name": ref}
    name, _, digest = ref.partition("@")
    tail = name.rsplit("/", 1)[-1]
    tag = tail.partition(":")[2] or (digest if digest else "latest")
    return {"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": tag}


@overload
def oci_layout_tar(image: AnyImage, ref_names: Sequence[str] = ..., *, dest: None = None) -> bytes: ...
@overload
def oci_layout_tar(image: AnyImage, ref_names: Sequence[str] = ..., *, dest: Path) -> Path: ...


def oci_layout_tar(
    image: AnyImage, ref_names: Sequence[str] = ("latest",), *, dest: Path | None = None
) -> bytes | Path:
    """An OCI image layout as a tar (``oci-layout``, ``index.json``, ``blobs/sha256/<hex>``), the
    image (or index) listed in ``index.json`` once per ref name (none: listed once, unnamed). A bare
    tag (``v1``) is written as ``org.opencontainers.image.ref.name``; a full reference
    (``busybox:latest``) also as ``io.containerd.image.name``, as ``ctr export`` does."""
    blobs: dict[str, bytes] = dict(image.blobs)
    if isinstance(image, TestIndex):
        blobs[image.digest] = image.index
        blobs.update((d, child.manifest) for d, child in image.manifests.items())
        desc = image.descriptor()
    else:
        blobs[image.manifest_digest] = image.manifest
        desc = image.descriptor()
    entries = [{**desc, "annotations": _ref_annotations(ref)} for ref in ref_names] or [desc]
    files: list[tuple[str, bytes | None]] = [
        ("oci-layout", _json({"imageLayoutVersion": "1.0.0"})),
        ("index.json", _json({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})),
        ("blobs", None),
        ("blobs/sha256", None),
    ]
    files += [(f"blobs/sha256/{d.removeprefix('sha256:')}", data) for d, data in sorted(blobs.items())]
    return _write(files, dest)


def docker_layer_ids(image: TestImage) -> list[str]:
    """The directory names ``docker save`` gives the layers: a v1 ID per layer, chained on its
    parent's (like Docker's, a hash over the layer and everything below it)."""
    ids: list[str] = []
    parent = ""
    for layer in image.layers:
        parent = hashlib.sha256(f"{parent} {layer.diff_id}".encode()).hexdigest()
        ids.append(parent)
    return ids


@overload
def docker_archive_tar(
    image: TestImage,
    repo_tags: Sequence[str] = ...,
    *,
    more: Sequence[tuple[TestImage, Sequence[str]]] = ...,
    dest: None = None,
) -> bytes: ...
@overload
def docker_archive_tar(
    image: TestImage,
    repo_tags: Sequence[str] = ...,
    *,
    more: Sequence[tuple[TestImage, Sequence[str]]] = ...,
    dest: Path,
) -> Path: ...


def docker_archive_tar(
    image: TestImage,
    repo_tags: Sequence[str] | None = None,
    *,
    more: Sequence[tuple[TestImage, Sequence[str]]] = (),
    dest: Path | None = None,
) -> bytes | Path:
    """``docker save``'s archive (before Docker 25): ``manifest.json``
    (``[{"Config": "<hex>.json", "RepoTags": [...], "Layers": ["<id>/layer.tar", ...]}]``), each
    config as ``<hex>.json``, each layer uncompressed as ``<id>/layer.tar`` with ``<id>/VERSION``
    and ``<id>/json``, and ``repositories``. ``repo_tags`` default to ``[image.tag_name]``;
    ``more`` adds further images with their tags (shared layers are written once)."""
    entries = [
        (image, list(repo_tags) if repo_tags is not None else [image.tag_name]),
        *((i, list(t)) for i, t in more),
    ]
    files: list[tuple[str, bytes | None]] = []
    written: set[str] = set()
    manifest: list[dict[str, Any]] = []
    repositories: dict[str, dict[str, str]] = {}
    for img, tags in entries:
        ids = docker_layer_ids(img)
        for i, (layer, layer_id) in enumerate(zip(img.layers, ids, strict=True)):
            if layer_id in written:
                continue
            written.add(layer_id)
            v1: dict[str, Any] = {"id": layer_id, "created": CREATED, "container_config": {"Cmd": None}}
            if i:
                v1["parent"] = ids[i - 1]
            files += [
                (layer_id, None),
                (f"{layer_id}/VERSION", b"1.0"),
                (f"{layer_id}/json", _json(v1)),
                (f"{layer_id}/layer.tar", layer.tar),
            ]
        hexid = img.config_digest.removeprefix("sha256:")
        if f"{hexid}.json" not in written:
            written.add(f"{hexid}.json")
            files.append((f"{hexid}.json", img.config))
        manifest.append({"Config": f"{hexid}.json", "RepoTags": tags, "Layers": [f"{i}/layer.tar" for i in ids]})
        for tag in tags:
            repo, _, name = tag.rpartition(":")
            if not repo or "/" in name:  # "host:5000/repo": the colon is the port's
                repo, name = tag, "latest"
            repositories.setdefault(repo, {})[name] = ids[-1]
    files.append(("manifest.json", _json(manifest)))
    if repositories:
        files.append(("repositories", _json(repositories)))
    return _write(files, dest)


# ---- push ----------------------------------------------------------------------------------------


class PushError(RuntimeError):
    """The registry refused a step of the push (the message names it, with the registry's answer)."""


def push(
    image: AnyImage,
    registry_address: str,
    repo: str,
    tag: str,
    *,
    auth: tuple[str, str] | None = None,
    insecure: bool = True,
    timeout: float = 60.0,
) -> str:
    """Push ``image`` (an index with its images) to ``registry_address`` (``host:port``) as
    ``repo:tag`` over the registry API v2: each blob the registry lacks by ``POST`` and a
    monolithic ``PUT``, then the manifests (an index's images by digest, then the index) by ``PUT``
    with their media type. ``auth`` answers a Basic challenge, or a Bearer one through its token
    service; ``insecure``: plain HTTP, else HTTPS. The pushed manifest's digest; PushError when a
    step is refused."""
    import httpx

    scheme = "http" if insecure else "https"
    base = f"{scheme}://{registry_address}/v2/{repo}"
    with httpx.Client(auth=_challenge_auth(auth), timeout=timeout) as client:

        def check(r: httpx.Response, what: str, ok: int) -> httpx.Response:
            if r.status_code != ok:
                raise PushError(f"{what}: {r.status_code} {r.text.strip()[:300]}")
            return r

        for digest, data in image.blobs.items():
            if client.head(f"{base}/blobs/{digest}").status_code == 200:
                continue
            started = check(client.post(f"{base}/blobs/uploads/"), f"start upload of {digest}", 202)
            location = httpx.URL(base).join(started.headers["Location"])
            location = location.copy_merge_params({"digest": digest})
            check(
                client.put(location, content=data, headers={"Content-Type": "application/octet-stream"}),
                f"upload of {digest}",
                201,
            )
        manifests: list[tuple[str, str, bytes]] = []
        if isinstance(image, TestIndex):
            manifests += [(d, i.manifest_media_type, i.manifest) for d, i in image.manifests.items()]
            manifests.append((tag, image.media_type, image.index))
            expected = image.digest
        else:
            manifests.append((tag, image.manifest_media_type, image.manifest))
            expected = image.manifest_digest
        for ref, media_type, body in manifests:
            r = check(
                client.put(f"{base}/manifests/{ref}", content=body, headers={"Content-Type": media_type}),
                f"manifest {repo}:{ref}",
                201,
            )
        digest = r.headers.get("Docker-Content-Digest", expected)
        if digest != expected:
            raise PushError(f"the registry stored the manifest as {digest}, not {expected}")
        return expected


def _challenge_auth(credentials: tuple[str, str] | None) -> httpx.Auth:
    """An httpx auth flow answering the registry's ``WWW-Authenticate`` challenge: Basic with the
    credentials, Bearer with a token from its realm (asked with them, when given)."""
    import httpx

    class ChallengeAuth(httpx.Auth):
        def __init__(self) -> None:
            self.header: str | None = None  # the answer that worked, sent up front from then on

        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
            if self.header:
                request.headers["Authorization"] = self.header
            response = yield request
            if response.status_code != 401:
                return
            scheme, _, params = response.headers.get("WWW-Authenticate", "").partition(" ")
            basic = "Basic " + base64.b64encode(":".join(credentials).encode()).decode() if credentials else None
            if scheme.lower() == "basic" and basic:
                self.header = basic
            elif scheme.lower() == "bearer":
                fields = dict(_challenge_params(params))
                query = {k: v for k, v in fields.items() if k in ("service", "scope")}
                headers = {"Authorization": basic} if basic else {}
                answer = httpx.get(fields.get("realm", ""), params=query, headers=headers, timeout=30)
                if answer.status_code != 200:
                    return
                body = answer.json()
                self.header = f"Bearer {body.get('token') or body.get('access_token')}"
            else:
                return
            request.headers["Authorization"] = self.header
            yield request

    return ChallengeAuth()


def _challenge_params(params: str) -> Iterable[tuple[str, str]]:
    """``realm="x",service="y"`` as pairs (values are quoted and hold no quotes here)."""
    for part in params.split('",'):
        key, _, value = part.partition("=")
        yield key.strip().lower(), value.strip().strip('"')
