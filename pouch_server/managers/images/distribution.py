"""The registry side of a pull, as containerd's docker resolver and fetcher do it
(remotes/docker/resolver.go, fetcher.go, images/handlers.go, platforms/ at v1.6.20): resolve a
reference to a descriptor, fetch manifests whole and blobs as streams, read manifests and indexes,
and pick an index's manifest for a platform.

- **Resolve**: ``HEAD /v2/<repo>/manifests/<tag|digest>`` with every manifest type pouchd reads in
  ``Accept``; the digest from ``Docker-Content-Digest`` (the reference's own, for a digest
  reference), the size from ``Content-Length``, the type from ``Content-Type``; without digest or
  size, a ``GET`` of the manifest. A 404 moves on to the next candidate (a mirror, then the
  registry); an endpoint that cannot be reached to the next endpoint (HTTPS, then plain HTTP
  for an insecure registry).
- **Limits** (:class:`PullLimits`): a manifest or index at most 4 MiB (containerd's own limit is
  about that), an image config at most 8 MiB, both read whole and checked against their digest;
  a layer is streamed in chunks (1 MiB), never held whole, and must be exactly its descriptor's
  size. Connecting gets 5 s, a manifest's or config's request 30 s in all, and a blob's answer
  may send nothing for at most 30 s (then the pull fails, naming the registry).
- **Media types**: Docker schema 2 and OCI manifests and indexes (manifest lists). Docker's
  schema 1 is refused with a clear message, as containerd 1.6 does without conversion.

Digests are ``sha256:`` only (what every registry serves); anything else a registry names is
refused before it reaches a URL or containerd.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import platform
import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

import httpx

from pouch_server.errors import APIError
from pouch_server.managers.images.reference import Reference
from pouch_server.managers.registry.addresses import Endpoint
from pouch_server.managers.registry.client import ANSWER_LIMIT, MAX_MANIFEST, pull_client, registry_error
from pouch_server.managers.registry.credentials import Credentials
from pouch_server.managers.registry.transport import CONNECT_TIMEOUT, BadAnswer, describe_transport_error

# ---- media types (images/mediatypes.go, OCI image-spec) -------------------------------------------

DOCKER_MANIFEST: Final = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST: Final = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_SCHEMA1: Final = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_SCHEMA1_SIGNED: Final = "application/vnd.docker.distribution.manifest.v1+prettyjws"
DOCKER_CONFIG: Final = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP: Final = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_LAYER_FOREIGN_GZIP: Final = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
DOCKER_LAYER: Final = "application/vnd.docker.image.rootfs.diff.tar"
OCI_MANIFEST: Final = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX: Final = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG: Final = "application/vnd.oci.image.config.v1+json"
OCI_LAYER: Final = "application/vnd.oci.image.layer.v1.tar"

MANIFEST_TYPES: Final = frozenset({DOCKER_MANIFEST, OCI_MANIFEST})
INDEX_TYPES: Final = frozenset({DOCKER_MANIFEST_LIST, OCI_INDEX})
SCHEMA1_TYPES: Final = frozenset({DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED})
CONFIG_TYPES: Final = frozenset({DOCKER_CONFIG, OCI_CONFIG, "application/octet-stream"})

#: What a resolve accepts, in containerd's order (registry 2.8 refuses an OCI manifest to a client
#: that does not name the OCI types).
RESOLVE_ACCEPT: Final = ", ".join([DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX, "*/*"])

#: The labels containerd's pull sets on a manifest or index for its children (images.ChildGCLabels):
#: without them containerd's garbage collector drops config and layers once the pull's lease ends.
GC_REF_CONTENT: Final = "containerd.io/gc.ref.content"
#: The label naming where a blob came from (remotes/docker AppendDistributionSourceLabel).
DISTRIBUTION_SOURCE: Final = "containerd.io/distribution.source"
#: containerd refuses a label whose key and value are longer than this together (labels.Validate).
MAX_LABEL: Final = 4096

_DIGEST = re.compile(r"sha256:[a-f0-9]{64}")
_LAYER = re.compile(
    r"application/vnd\.(?:oci\.image\.layer(?:\.nondistributable)?\.v1\.tar"
    r"|docker\.image\.rootfs(?:\.foreign)?\.diff\.tar)(?:\.gzip|\+gzip|\+zstd)?"
)


def is_layer(media_type: str) -> bool:
    return _LAYER.fullmatch(media_type) is not None


def is_config(media_type: str) -> bool:
    return media_type in CONFIG_TYPES


def is_digest(value: object) -> bool:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# ---- limits ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PullLimits:
    """The bounds of one pull (see the module's docstring)."""

    connect_timeout: float = CONNECT_TIMEOUT
    #: A manifest's, config's or token's request, first byte to last; a blob's answer's headers.
    request_timeout: float = 30.0
    #: The longest a blob's answer may send nothing.
    idle_timeout: float = 30.0
    max_manifest: int = MAX_MANIFEST
    max_config: int = 8 << 20
    #: Layers fetched at once (containerd's and Docker's default: 3).
    concurrent_downloads: int = 3
    #: The most bytes sent to containerd in one message.
    chunk_size: int = 1 << 20


# ---- descriptors, manifests, indexes --------------------------------------------------------------


@dataclass(frozen=True)
class Platform:
    """An OCI platform, normalised as containerd's platforms.Normalize does."""

    os: str
    architecture: str
    variant: str = ""

    @classmethod
    def parse(cls, text: str) -> Platform:
        """``os/arch[/variant]`` (``linux/amd64``, ``linux/arm64/v8``)."""
        parts = text.strip().split("/")
        if not 2 <= len(parts) <= 3 or not all(parts):
            raise APIError(400, f"invalid platform {text!r}: want os/arch[/variant]")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else "").normalized()

    def normalized(self) -> Platform:
        os_name = self.os.lower()
        if os_name == "macos":
            os_name = "darwin"
        arch, variant = self.architecture.lower(), self.variant.lower()
        if arch in ("i386",):
            arch = "386"
        elif arch in ("x86_64", "x86-64", "amd64"):
            arch = "amd64"
            variant = "" if variant == "v1" else variant
        elif arch in ("aarch64", "arm64"):
            arch = "arm64"
            variant = "" if variant in ("8", "v8") else variant
        elif arch == "armhf":
            arch, variant = "arm", "v7"
        elif arch == "armel":
            arch, variant = "arm", "v6"
        elif arch == "arm":
            variant = {"": "v7", "7": "v7", "5": "v5", "6": "v6", "8": "v8"}.get(variant, variant)
        return Platform(os_name, arch, variant)

    def compatible(self) -> list[Platform]:
        """What this platform runs, best first (platforms.Only: amd64 also runs 386; arm64 also
        arm v8 down to v5; arm vN also down to v5)."""
        vector = [self]
        if self.architecture == "amd64":
            if self.variant.startswith("v") and self.variant[1:].isdigit():
                vector += [Platform(self.os, "amd64", f"v{v}") for v in range(int(self.variant[1:]) - 1, 0, -1)]
            vector.append(Platform(self.os, "386"))
        elif self.architecture == "arm64":
            vector += Platform(self.os, "arm", self.variant or "v8").normalized().compatible()
        elif self.architecture == "arm" and self.variant.startswith("v") and self.variant[1:].isdigit():
            vector += [Platform(self.os, "arm", f"v{v}") for v in range(int(self.variant[1:]) - 1, 4, -1)]
        return vector

    def __str__(self) -> str:
        return f"{self.os}/{self.architecture}" + (f"/{self.variant}" if self.variant else "")

    @classmethod
    def host(cls, machine: str | None = None) -> Platform:
        """The platform of this machine (``uname -m``, or ``machine``): what containerd's
        platforms.DefaultSpec names (``x86_64`` → linux/amd64, ``aarch64`` → linux/arm64,
        ``armv7l`` → linux/arm/v7, ``i686`` → linux/386; others as the kernel names them)."""
        machine = (machine or platform.machine()).lower()
        if machine in ("i386", "i486", "i586", "i686"):
            return cls("linux", "386")
        if machine.startswith("armv") and machine[4:5].isdigit():
            return cls("linux", "arm", f"v{machine[4]}").normalized()
        return cls("linux", machine).normalized()


#: The platform pouchd pulls, loads and runs images for: this machine's.
HOST_PLATFORM: Final = Platform.host()


@dataclass(frozen=True)
class Descriptor:
    """What a manifest, an index or a registry says of one piece of content."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None
    annotations: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def kind(self) -> str:
        """``index``, ``manifest``, ``config``, ``layer`` or ``unknown``."""
        if self.media_type in INDEX_TYPES:
            return "index"
        if self.media_type in MANIFEST_TYPES:
            return "manifest"
        if is_layer(self.media_type):
            return "layer"
        if is_config(self.media_type):
            return "config"
        return "unknown"

    @property
    def ref_key(self) -> str:
        """The ingest reference containerd's fetch writes it under, and pouch's progress id
        (remotes.MakeRefKey): ``layer-sha256:...``."""
        key = self.digest
        name = self.annotations.get("org.opencontainers.image.ref.name")
        if name:
            key = f"{name}@{key}"
        return f"{self.kind}-{key}"


@dataclass(frozen=True)
class Manifest:
    config: Descriptor
    layers: tuple[Descriptor, ...]


@dataclass(frozen=True)
class Index:
    manifests: tuple[Descriptor, ...]


def parse_descriptor(value: object, where: str) -> Descriptor:
    """A descriptor of a manifest or index (``where`` names it in errors)."""
    if not isinstance(value, dict):
        raise APIError(500, f"invalid {where}: a descriptor is not an object")
    media_type, digest, size = value.get("mediaType"), value.get("digest"), value.get("size")
    if not isinstance(media_type, str) or not media_type or len(media_type) > 255:
        raise APIError(500, f"invalid {where}: a descriptor has no valid mediaType")
    if not is_digest(digest):
        raise APIError(500, f"invalid {where}: unsupported digest {str(digest)[:80]!r} (want sha256:<64 hex>)")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise APIError(500, f"invalid {where}: descriptor {digest} has no valid size")
    platform = None
    raw = value.get("platform")
    if isinstance(raw, dict) and isinstance(raw.get("os"), str) and isinstance(raw.get("architecture"), str):
        raw_variant = raw.get("variant")
        variant = raw_variant if isinstance(raw_variant, str) else ""
        platform = Platform(raw["os"], raw["architecture"], variant).normalized()
    raw_annotations = value.get("annotations")
    annotations: dict[str, str] = {}
    if isinstance(raw_annotations, dict):
        annotations = {k: v for k, v in raw_annotations.items() if isinstance(k, str) and isinstance(v, str)}
    assert isinstance(digest, str)
    return Descriptor(media_type, digest, size, platform, annotations)


def _document(data: bytes, desc: Descriptor) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        doc = None
    if not isinstance(doc, dict):
        raise APIError(500, f"invalid manifest {desc.digest}: not a JSON object")
    return doc


def sniff_media_type(data: bytes, desc: Descriptor) -> str:
    """The media type of a manifest or index a registry served with a vague Content-Type
    (``application/json``, none): the document's ``mediaType``, else its shape."""
    if desc.media_type in MANIFEST_TYPES | INDEX_TYPES | SCHEMA1_TYPES:
        return desc.media_type
    doc = _document(data, desc)
    named = doc.get("mediaType")
    if isinstance(named, str) and named in MANIFEST_TYPES | INDEX_TYPES:
        return named
    if doc.get("schemaVersion") == 1 or "fsLayers" in doc:
        return DOCKER_SCHEMA1
    if isinstance(doc.get("manifests"), list):
        return OCI_INDEX
    config = doc.get("config")
    if isinstance(config, dict) and isinstance(doc.get("layers"), list):
        return DOCKER_MANIFEST if config.get("mediaType") == DOCKER_CONFIG else OCI_MANIFEST
    raise APIError(500, f"unsupported media type {desc.media_type or '(none)'} for {desc.digest}")


def schema1_error(media_type: str) -> APIError:
    return APIError(
        500,
        f"{media_type} not supported: Docker image manifest schema 1 is deprecated, "
        "push the image again with a current Docker or containerd",
    )


def _check_document_type(doc: dict[str, Any], desc: Descriptor) -> None:
    """A document whose content contradicts its media type (images.validateMediaType)."""
    if doc.get("fsLayers"):
        raise schema1_error(DOCKER_SCHEMA1)
    named = doc.get("mediaType")
    if desc.media_type in MANIFEST_TYPES and (doc.get("manifests") or named in INDEX_TYPES):
        raise APIError(500, f"media-type: expected manifest but found index ({named}) at {desc.digest}")
    if desc.media_type in INDEX_TYPES and (doc.get("config") or doc.get("layers") or named in MANIFEST_TYPES):
        raise APIError(500, f"media-type: expected index but found manifest ({named}) at {desc.digest}")


def parse_manifest(data: bytes, desc: Descriptor) -> Manifest:
    doc = _document(data, desc)
    _check_document_type(doc, desc)
    where = f"manifest {desc.digest}"
    config = parse_descriptor(doc.get("config"), where)
    if config.kind != "config":
        raise APIError(500, f"invalid {where}: unsupported config media type {config.media_type}")
    raw_layers = doc.get("layers")
    if not isinstance(raw_layers, list):
        raise APIError(500, f"invalid {where}: no layers")
    layers = tuple(parse_descriptor(layer, where) for layer in raw_layers)
    for layer in layers:
        if layer.kind != "layer":
            raise APIError(500, f"invalid {where}: unsupported layer media type {layer.media_type}")
    return Manifest(config, layers)


def parse_index(data: bytes, desc: Descriptor) -> Index:
    doc = _document(data, desc)
    _check_document_type(doc, desc)
    raw = doc.get("manifests")
    if not isinstance(raw, list):
        raise APIError(500, f"invalid index {desc.digest}: no manifests")
    return Index(tuple(parse_descriptor(m, f"index {desc.digest}") for m in raw))


def choose_manifest(index: Index, desc: Descriptor, platform: Platform) -> Descriptor:
    """The index's manifest for ``platform`` (images.FilterPlatforms, then LimitManifests(1)):
    the best compatible platform, the index's order among equals; a manifest naming no platform
    is kept, after every one that matches."""
    vector = platform.compatible()

    def rank(d: Descriptor) -> int:
        return len(vector) if d.platform is None else vector.index(d.platform)

    candidates = [d for d in index.manifests if d.kind == "manifest" and (d.platform is None or d.platform in vector)]
    if not candidates:
        raise APIError(404, f"no match for platform {platform} in manifest {desc.digest}: not found")
    return min(candidates, key=rank)  # min is stable: the first of the best


def child_gc_labels(children: Sequence[Descriptor]) -> dict[str, str]:
    """The labels that make a manifest or index hold its children in containerd's content store
    (images.SetChildrenMappedLabels with ChildGCLabels): ``...config``, ``...l.<i>``, ``...m.<i>``."""
    labels: dict[str, str] = {}
    counts: dict[str, int] = {}
    for child in children:
        if child.kind == "config":
            key = f"{GC_REF_CONTENT}.config"
        elif child.kind == "manifest":
            key = f"{GC_REF_CONTENT}.m."
        elif child.kind == "layer":
            key = f"{GC_REF_CONTENT}.l."
        else:
            key = f"{GC_REF_CONTENT}."
        n = counts.get(key, 0)
        counts[key] = n + 1
        labels[f"{key}{n}" if n or key.endswith(".") else key] = child.digest
    return labels


def source_label(domain: str, repository: str, existing: Mapping[str, str]) -> dict[str, str]:
    """The ``containerd.io/distribution.source.<host>`` label (``host`` without its port) with
    ``repository`` added to the repositories its ``existing`` value lists (comma-separated,
    sorted); none when containerd would refuse its length (AppendDistributionSourceLabel)."""
    host = domain.rsplit(":", 1)[0] if not domain.endswith("]") else domain
    key = f"{DISTRIBUTION_SOURCE}.{host.strip('[]')}"
    repos = {r for r in existing.get(key, "").split(",") if r}
    repos.add(repository)
    value = ",".join(sorted(repos))
    if len(key) + len(value) > MAX_LABEL:
        return {}
    return {key: value}


def diff_ids(config: bytes, desc: Descriptor) -> list[str]:
    """The image config's ``rootfs.diff_ids``."""
    doc = _document(config, desc)
    rootfs = doc.get("rootfs")
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(ids, list) or not all(is_digest(d) for d in ids):
        raise APIError(500, f"invalid image config {desc.digest}: rootfs.diff_ids must list sha256 digests")
    return list(ids)


# ---- one repository at one registry endpoint ------------------------------------------------------


class Unreachable(APIError):
    """No answer from a registry endpoint (refused, timed out, TLS failed): another endpoint may
    be tried."""

    def __init__(self, netloc: str, cause: str) -> None:
        super().__init__(500, f"cannot reach registry {netloc}: {cause}")
        self.cause = cause


def denied(name: str, detail: str = "") -> APIError:
    """The registry refused the pull (a 401 with what credentials there were): pouch's status
    for an authorization failure, containerd's words."""
    return APIError(
        403,
        f"pull access denied for {name}, repository does not exist or may require authorization: "
        f"{detail or 'unauthorized: authentication required'}",
    )


class Remote:
    """``repository`` at one registry ``endpoint``, through ``client`` (made by
    :func:`~pouch_server.managers.registry.client.pull_client`). Close it when done."""

    def __init__(self, client: httpx.AsyncClient, endpoint: Endpoint, repository: str, limits: PullLimits) -> None:
        self.client = client
        self.endpoint = endpoint
        self.repository = repository
        self.limits = limits

    @property
    def netloc(self) -> str:
        return self.endpoint.netloc

    def url(self, kind: str, reference: str) -> str:
        return f"{self.endpoint.base}/v2/{quote(self.repository, safe='/')}/{kind}/{quote(reference, safe=':')}"

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Remote:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _send(self, method: str, url: str, accept: str, limit: int | None) -> httpx.Response:
        """The answer's headers (its body still to read, or close; a successful one at most
        ``limit`` bytes, None: not bounded here); Unreachable when none came."""
        request = self.client.build_request(method, url, headers={"Accept": accept}, extensions={ANSWER_LIMIT: limit})
        try:
            async with asyncio.timeout(self.limits.request_timeout):
                return await self.client.send(request, stream=True)
        except (TimeoutError, httpx.TimeoutException):
            raise Unreachable(self.netloc, f"no answer within {self.limits.request_timeout:g}s") from None
        except httpx.TransportError as e:
            raise Unreachable(self.netloc, describe_transport_error(e)) from None
        except BadAnswer as e:
            raise APIError(500, f"registry {self.netloc} {e}") from None
        except httpx.HTTPError as e:  # too many redirects, an invalid redirect URL
            raise APIError(500, f"registry {self.netloc}: {type(e).__name__}: {e}") from None

    async def _read(self, response: httpx.Response, limit: int, what: str) -> bytes:
        """The whole body, at most ``limit`` bytes, within the request timeout."""
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.limits.request_timeout):
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise APIError(500, f"registry {self.netloc} sent more than {limit} bytes for {what}")
                    chunks.append(chunk)
        except (TimeoutError, httpx.TimeoutException):
            raise APIError(
                500, f"registry {self.netloc} did not send {what} within {self.limits.request_timeout:g}s"
            ) from None
        except httpx.TransportError as e:
            raise APIError(
                500, f"lost the connection to registry {self.netloc}: {describe_transport_error(e)}"
            ) from None
        except BadAnswer as e:
            raise APIError(500, f"registry {self.netloc} {e} for {what}") from None
        return b"".join(chunks)

    async def _failure(self, response: httpx.Response, name: str, what: str) -> APIError:
        """The error for an answer that is no success."""
        try:
            body = await self._read(response, 1 << 16, what) if response.request.method != "HEAD" else b""
        except APIError:
            body = b""
        detail = registry_error(body)
        if response.status_code == 401:
            return denied(name, detail)
        if response.status_code == 404:
            return APIError(404, f"could not fetch content descriptor {what} from remote: not found")
        text = f"unexpected status code {response.request.url.copy_with(query=None)}: {response.status_code}"
        text += f" {response.reason_phrase}" if response.reason_phrase else ""
        return APIError(500, text + (f" - Server message: {detail}" if detail else ""))

    async def resolve(self, ref: Reference) -> Descriptor | None:
        """The descriptor ``ref`` names here; None when the registry does not know it (404)."""
        name = ref_text(ref)
        obj = ref.digest or ref.tag or "latest"
        url = self.url("manifests", obj)
        response = await self._send("HEAD", url, RESOLVE_ACCEPT, None)
        try:
            if response.status_code == 404:
                return None
            if response.status_code == 401:
                raise denied(ref.name)
            if response.status_code >= 300:
                raise APIError(
                    500,
                    f"pulling from host {self.netloc} failed with status code [manifests {obj}]: "
                    f"{response.status_code} {response.reason_phrase}".rstrip(),
                )
            media_type = media_type_of(response)
            digest = ref.digest or response.headers.get("docker-content-digest", "")
            length = response.headers.get("content-length", "")
            size = int(length) if length.isascii() and length.isdigit() and len(length) < 13 else None
        finally:
            await response.aclose()
        if digest and not is_digest(digest):
            raise APIError(500, f"{digest[:80]!r} in header not a valid digest (want sha256:<64 hex>)")
        if not digest or size is None:
            # No digest or size in the answer's headers: the manifest itself says.
            response = await self._send("GET", url, RESOLVE_ACCEPT, self.limits.max_manifest)
            try:
                if response.status_code >= 300:
                    raise await self._failure(response, ref.name, f"manifest {obj}")
                media_type = media_type_of(response)
                data = await self._read(response, self.limits.max_manifest, f"the manifest of {name}")
            finally:
                await response.aclose()
            digest, size = digest or sha256(data), len(data)
        if size > self.limits.max_manifest:
            raise APIError(500, f"rejecting {size} byte manifest for {name}: larger than {self.limits.max_manifest}")
        if media_type in SCHEMA1_TYPES:
            raise schema1_error(media_type)
        return Descriptor(media_type, digest, size)

    async def fetch(self, desc: Descriptor, name: str, limit: int) -> bytes:
        """A manifest, index or config whole, checked against its digest and size (a registry
        that serves other bytes is refused here, before they are parsed)."""
        if desc.size > limit:
            raise APIError(500, f"rejecting {desc.size} byte {desc.kind} {desc.digest}: larger than {limit}")
        kind = "manifests" if desc.kind in ("manifest", "index") or desc.media_type in SCHEMA1_TYPES else "blobs"
        response = await self._send("GET", self.url(kind, desc.digest), f"{desc.media_type}, */*", desc.size)
        try:
            if response.status_code >= 300:
                raise await self._failure(response, name, f"{desc.digest} ({desc.media_type})")
            data = await self._read(response, desc.size, desc.digest)
        finally:
            await response.aclose()
        actual = await asyncio.to_thread(sha256, data) if len(data) > 1 << 20 else sha256(data)
        if len(data) != desc.size or actual != desc.digest:
            raise APIError(
                500,
                f"registry {self.netloc} sent wrong content for {desc.digest}: "
                f"{len(data)} bytes of digest {actual}, expected {desc.size} bytes",
            )
        return data

    @contextlib.asynccontextmanager
    async def blob(self, desc: Descriptor, name: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """A blob's bytes as they arrive, in chunks of at most ``chunk_size``; exactly
        ``desc.size`` of them, or an error naming the registry (the digest is containerd's to
        check). Leaving the block closes the connection."""
        response = await self._send("GET", self.url("blobs", desc.digest), f"{desc.media_type}, */*", None)
        chunks = self._chunks(response, desc)
        try:
            if response.status_code >= 300:
                raise await self._failure(response, name, f"{desc.digest} ({desc.media_type})")
            length = response.headers.get("content-length", "")
            if length.isascii() and length.isdigit() and int(length) != desc.size:
                raise APIError(
                    500, f"registry {self.netloc} answered {length} bytes for {desc.digest} of {desc.size} bytes"
                )
            yield chunks
        finally:
            await chunks.aclose()
            await response.aclose()

    async def _chunks(self, response: httpx.Response, desc: Descriptor) -> AsyncGenerator[bytes, None]:
        received = 0
        try:
            async for chunk in response.aiter_bytes(self.limits.chunk_size):
                received += len(chunk)
                if received > desc.size:
                    raise APIError(500, f"registry {self.netloc} sent more than the {desc.size} bytes of {desc.digest}")
                yield chunk
        except httpx.TimeoutException:
            raise APIError(
                500,
                f"registry {self.netloc} sent nothing for {self.limits.idle_timeout:g}s while sending {desc.digest}",
            ) from None
        except httpx.TransportError as e:
            raise APIError(
                500,
                f"lost the connection to registry {self.netloc} while fetching {desc.digest}: "
                f"{describe_transport_error(e)}",
            ) from None
        if received < desc.size:
            raise APIError(
                500,
                f"registry {self.netloc} sent {received} of the {desc.size} bytes of {desc.digest}: unexpected EOF",
            )


def ref_text(ref: Reference) -> str:
    """A reference as pouch names a pull by it: ``name:tag`` (``latest`` by default), or
    ``name@digest`` (a digest wins over a tag, pouch's TrimTagForDigest)."""
    return f"{ref.name}@{ref.digest}" if ref.digest else f"{ref.name}:{ref.tag or 'latest'}"


def media_type_of(response: httpx.Response) -> str:
    """A manifest answer's media type (parameters dropped; ``text/plain``, which old registries
    serve schema 1 as, means schema 1: containerd's getManifestMediaType)."""
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip()
    return DOCKER_SCHEMA1 if media_type == "text/plain" else media_type


# ---- resolving a reference among its candidates ---------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A reference to try, and where its registry is reached (in order)."""

    ref: Reference
    endpoints: tuple[Endpoint, ...]


@dataclass
class Resolved:
    """The candidate that resolved, the repository it was found at, and its descriptor."""

    ref: Reference
    remote: Remote
    descriptor: Descriptor


async def resolve(
    candidates: Sequence[Candidate], credentials: Credentials | None, limits: PullLimits | None = None
) -> Resolved:
    """The first candidate a registry knows, tried in order, each at its endpoints in order (the
    next endpoint only when one cannot be reached; the next candidate when the registry does not
    know it, refuses, or fails). Raises the first failure that was not a 404, else pouch's
    ``<ref> not found: not found`` (404)."""
    limits = limits or PullLimits()
    first: APIError | None = None
    last_name = ""
    for candidate in candidates:
        last_name = ref_text(candidate.ref)
        unreachable: list[str] = []
        for endpoint in candidate.endpoints:
            client = await pull_client(
                endpoint,
                credentials,
                candidate.ref.path,
                connect_timeout=limits.connect_timeout,
                read_timeout=limits.idle_timeout,
            )
            remote = Remote(client, endpoint, candidate.ref.path, limits)
            try:
                descriptor = await remote.resolve(candidate.ref)
            except Unreachable as e:
                await remote.aclose()
                unreachable.append(f"{endpoint.base}: {e.cause}")
                continue
            except BaseException as e:
                await remote.aclose()
                if not isinstance(e, APIError):
                    raise
                first = first or e
                break
            if descriptor is None:
                await remote.aclose()
                break
            return Resolved(candidate.ref, remote, descriptor)
        else:
            if unreachable and first is None:
                first = APIError(500, f"cannot reach a registry at {candidate.ref.domain}: " + "; ".join(unreachable))
    if first is not None:
        raise first
    raise APIError(404, f"{last_name} not found: not found")
