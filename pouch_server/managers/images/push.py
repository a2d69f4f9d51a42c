"""Pushing an image to a registry (pouch's daemon/mgr/image.go ``PushImage``, ctrd/image.go
``PushImage``, pkg/jsonstream/image_push.go), the registry side as containerd 1.6's pusher does it
(remotes/docker/pusher.go, remotes/handlers.go ``PushContent``).

**What is pushed.** ``POST /images/{name}/push?tag=T`` pushes the image ``name:T`` names
(``name:latest`` without a tag; the text joined as pouch joins it, then looked up as every
image name is, :meth:`ImageManager.lookup <.manager.ImageManager.lookup>`) to the repository
that text names in its default-registry form (``127.0.0.1:5000/test/b:v2`` goes to
``127.0.0.1:5000``, repository ``test/b``, tag ``v2``; ``busybox`` to the default registry's
``library/busybox:latest``). The image record's target is pushed under the tag:

- a manifest: its config and layers, then the manifest;
- an index whose every manifest is in containerd's content store with its config and layers
  (an image loaded or built whole): all of those, each manifest by digest, then the index under
  the tag, as containerd's Push does;
- an index of which only some platforms are here (what a pull leaves: pouchd fetches the host
  platform's manifest only): **the host platform's manifest** under the tag. containerd's Push
  would fail reading the missing manifests, and a registry refuses an index whose manifests it
  lacks (``MANIFEST_BLOB_UNKNOWN``); the manifest pushed is the image pouchd runs, so the tag at
  the registry names that image, single-platform (Docker pushes a pulled multi-platform image
  the same way). Its digest is the platform manifest's, not the local record's index's.

**The registry protocol.** Each blob (configs and layers, 3 at a time): ``HEAD
/v2/<repo>/blobs/<digest>``, 200 → there already (``done`` at once); else ``POST
/v2/<repo>/blobs/uploads/``, with ``?mount=<digest>&from=<repo>`` when the blob's
``containerd.io/distribution.source.<host>`` label names another repository of a registry of the
same host name (a 201 then means mounted, nothing sent; a mount refused with 401 is asked again
without), → 202 and ``Location``; then one ``PUT <Location>&digest=<digest>`` with the whole blob
(``Content-Length``, streamed from containerd's content store as its ``Read`` sends it, never
whole in memory) → 201, the ``Docker-Content-Digest`` checked. Then the manifests: ``HEAD``
(there with that digest → done), else ``PUT /v2/<repo>/manifests/<tag|digest>`` with the
manifest's media type as ``Content-Type``.

**Authentication**: :class:`~pouch_server.managers.registry.client.PushAuth`, Basic or a Bearer
token for ``repository:<repo>:pull,push``. Before :func:`push` returns, the registry is reached
(``GET /v2/`` at each endpoint in order: HTTPS, then for an insecure registry unverified HTTPS and
plain HTTP) and the credentials are tried there, so that a handler answers an unreachable registry
(500) or refused credentials (403) with an error status, not a stream. A registry that lets the
credentials in but refuses the push (a token without ``push``) fails in the stream.

**Progress** (image_push.go): every 100 ms, one object per part in the order met (the target
first, then each manifest's config and layers), keyed as containerd keys them
(``manifest-sha256:...``, ``config-...``, ``layer-...``, ``index-...``): ``waiting`` (nothing yet),
``uploading`` (with current and total bytes and times), ``committing`` (every byte sent, the
registry's answer awaited), ``done`` (stored, or there already: then no times); no image-level
object. When the push ends, one last round, then on failure pouch's error object.

While it runs, the push holds its blobs in a containerd lease: an image removed meanwhile still
pushes whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, TypeVar
from urllib.parse import quote

import httpx

from containerd_api.github.com.containerd.containerd.api.services.content.v1 import content_pb2
from pouch_server.ctrd.client import ContainerdClient
from pouch_server.errors import APIError, first_error
from pouch_server.managers.images import content, reference
from pouch_server.managers.images.distribution import (
    DISTRIBUTION_SOURCE,
    Descriptor,
    Manifest,
    PullLimits,
    Unreachable,
    parse_index,
    parse_manifest,
)
from pouch_server.managers.images.progress import error_message, message
from pouch_server.managers.images.reference import Reference
from pouch_server.managers.registry.addresses import Endpoint
from pouch_server.managers.registry.auth import status_text
from pouch_server.managers.registry.client import endpoints_for, push_client, registry_error
from pouch_server.managers.registry.credentials import Credentials
from pouch_server.managers.registry.transport import CONNECT_TIMEOUT, BadAnswer, describe_transport_error

if TYPE_CHECKING:
    # Only for typing: the manager may import this module to start pushes.
    from pouch_server.managers.images.manager import ImageManager

WAITING: Final = "waiting"
UPLOADING: Final = "uploading"
COMMITTING: Final = "committing"
DONE: Final = "done"

#: How often pouch writes the table (image_push.go PushProcess's ticker).
INTERVAL: Final = 0.1

# Documents larger than this are parsed in a thread, not on the event loop.
_PARSE_INLINE: Final = 256 << 10

T = TypeVar("T")


@dataclass(frozen=True)
class PushLimits:
    """The bounds of one push."""

    connect_timeout: float = CONNECT_TIMEOUT
    #: Any request but a blob's upload, first byte to last.
    request_timeout: float = 30.0
    #: The longest one read or write of a blob's upload may wait (the registry stalled).
    idle_timeout: float = 30.0
    #: A manifest or index read from the content store at most (as a pull bounds them).
    max_manifest: int = PullLimits().max_manifest
    #: Blobs uploaded at once.
    concurrent_uploads: int = 3


# ---- progress -------------------------------------------------------------------------------------


@dataclass
class Job:
    """One part's line (containerd's tracker Status: nothing until the pusher sets one)."""

    key: str
    total: int
    tracked: bool = False
    offset: int = 0
    committed: bool = False
    started_at: int | None = None  # ns since the epoch; None: Go's zero time
    updated_at: int | None = None

    @property
    def status(self) -> str:
        if not self.tracked:
            return WAITING
        if self.offset >= self.total:
            return DONE if self.committed else COMMITTING
        return UPLOADING

    def render(self) -> bytes:
        if not self.tracked:
            return message(id=self.key, status=WAITING)
        return message(
            id=self.key,
            status=self.status,
            detail=(self.offset, self.total),
            started_at=self.started_at,
            updated_at=self.updated_at,
        )


class PushProgress:
    """One push's table (image_push.go PushJobs over containerd's status tracker); all on one
    event loop."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.error: str | None = None
        self.ended = asyncio.Event()

    def add(self, key: str, total: int) -> None:
        self.jobs.setdefault(key, Job(key, total))

    def exists(self, key: str) -> None:
        """There already (or mounted): done, the size as both counts, no times (the tracker's
        Committed status for content on the remote)."""
        job = self.jobs[key]
        job.tracked, job.committed, job.offset = True, True, job.total
        job.started_at = job.updated_at = None

    def started(self, key: str) -> None:
        """Sending from the first byte (again, when the request is sent anew after a 401)."""
        job = self.jobs[key]
        now = time.time_ns()
        job.tracked, job.committed, job.offset = True, False, 0
        job.started_at = job.started_at or now
        job.updated_at = now

    def sent(self, key: str, offset: int) -> None:
        job = self.jobs[key]
        job.offset, job.updated_at = offset, time.time_ns()

    def committed(self, key: str) -> None:
        job = self.jobs[key]
        job.tracked, job.committed, job.offset, job.updated_at = True, True, job.total, time.time_ns()

    def finish(self) -> None:
        self.ended.set()

    def fail(self, text: str) -> None:
        if self.error is None:
            self.error = text
        self.ended.set()

    def render(self) -> bytes:
        return b"".join(job.render() for job in self.jobs.values())

    def tail(self) -> bytes:
        """The last round, and the error object after a failure."""
        out = self.render()
        if self.error is not None:
            out += error_message(self.error)
        return out

    async def frames(self, interval: float = INTERVAL) -> AsyncIterator[bytes]:
        """The table every ``interval`` seconds while the push runs, then :meth:`tail` at once
        when it ends."""
        while not self.ended.is_set():
            try:
                await asyncio.wait_for(self.ended.wait(), interval)
            except TimeoutError:
                frame = self.render()
                if frame:
                    yield frame
        yield self.tail()


# ---- what to push ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushPlan:
    """What a push sends: ``blobs`` (configs and layers, each once), then ``manifests`` (an index's,
    by digest), then ``target`` under the tag; ``keys`` the progress lines in pouch's order."""

    target: Descriptor
    document: bytes
    manifests: tuple[tuple[Descriptor, bytes], ...]
    blobs: tuple[Descriptor, ...]
    keys: tuple[tuple[str, int], ...]

    @property
    def digests(self) -> list[str]:
        return [self.target.digest, *(d.digest for d, _ in self.manifests), *(b.digest for b in self.blobs)]


async def _read(client: ContainerdClient, desc: Descriptor, limit: int) -> bytes:
    try:
        return await content.read(client, desc.digest, limit=limit)
    except APIError as e:
        if e.status != 404:
            raise
        raise APIError(500, f"{desc.kind} {desc.digest} is not in containerd's content store") from None


async def _present(client: ContainerdClient, blobs: Sequence[Descriptor]) -> Descriptor | None:
    """The first of ``blobs`` the content store lacks, or None."""
    for blob in blobs:
        if await content.info(client, blob.digest) is None:
            return blob
    return None


async def _parse(parser: Callable[[bytes, Descriptor], T], data: bytes, desc: Descriptor) -> T:
    """``parser(data, desc)``, in a thread for a large document (JSON parsing grows with it)."""
    if len(data) > _PARSE_INLINE:
        return await asyncio.to_thread(parser, data, desc)
    return parser(data, desc)


async def plan_push(
    client: ContainerdClient, target: Descriptor, platform_manifest: Descriptor, limits: PushLimits | None = None
) -> PushPlan:
    """What pushing the record whose target is ``target`` sends (see the module's docstring:
    an index whole when all of it is here, else ``platform_manifest``). APIError(500) when the
    content to push is incomplete or unreadable."""
    limits = limits or PushLimits()
    if target.kind == "index":
        document = await _read(client, target, limits.max_manifest)
        index = await _parse(parse_index, document, target)
        children: list[tuple[Descriptor, bytes, Manifest]] = []
        for child in index.manifests:
            if child.kind != "manifest" or await content.info(client, child.digest) is None:
                break
            data = await _read(client, child, limits.max_manifest)
            manifest = await _parse(parse_manifest, data, child)
            if await _present(client, (manifest.config, *manifest.layers)) is not None:
                break
            children.append((child, data, manifest))
        else:
            keys = [(target.ref_key, target.size)]
            blobs: dict[str, Descriptor] = {}
            for child, _, manifest in children:
                keys.append((child.ref_key, child.size))
                for blob in (manifest.config, *manifest.layers):
                    keys.append((blob.ref_key, blob.size))
                    blobs.setdefault(blob.digest, blob)
            return PushPlan(
                target,
                document,
                tuple((child, data) for child, data, _ in children),
                tuple(blobs.values()),
                tuple(dict.fromkeys(keys)),
            )
        target = platform_manifest
    if target.kind != "manifest":
        raise APIError(500, f"cannot push an image of media type {target.media_type}")
    document = await _read(client, target, limits.max_manifest)
    manifest = await _parse(parse_manifest, document, target)
    missing = await _present(client, (manifest.config, *manifest.layers))
    if missing is not None:
        raise APIError(500, f"{missing.kind} {missing.digest} of the image is not in containerd's content store")
    blobs = {blob.digest: blob for blob in (manifest.config, *manifest.layers)}
    keys = [(target.ref_key, target.size)] + [(b.ref_key, b.size) for b in (manifest.config, *manifest.layers)]
    return PushPlan(target, document, (), tuple(blobs.values()), tuple(dict.fromkeys(keys)))


# ---- the registry side ----------------------------------------------------------------------------


class _BlobBody:
    """A blob's bytes from containerd's content store, as an upload's body: read anew each time
    it is iterated (httpx sends a request again after a 401), in the chunks ``Read`` sends."""

    def __init__(self, client: ContainerdClient, desc: Descriptor, progress: PushProgress) -> None:
        self.client = client
        self.desc = desc
        self.progress = progress

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        key, size = self.desc.ref_key, self.desc.size
        self.progress.started(key)
        sent = 0
        request = content_pb2.ReadContentRequest(digest=self.desc.digest)
        # No deadline: the registry's pace governs, and httpx's write timeout catches a stall.
        async for answer in self.client.stream(self.client.content.Read, request):
            sent += len(answer.data)
            if sent > size:
                raise APIError(500, f"content {self.desc.digest} is larger than its {size} bytes")
            yield answer.data
            self.progress.sent(key, sent)
        if sent != size:
            raise APIError(500, f"content {self.desc.digest} ended after {sent} of its {size} bytes")


class Uploader:
    """``ref``'s repository at one registry ``endpoint``, through ``http`` (a
    :func:`~pouch_server.managers.registry.client.push_client`); close ``http`` when done."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        endpoint: Endpoint,
        ref: Reference,
        client: ContainerdClient,
        progress: PushProgress,
        limits: PushLimits,
    ) -> None:
        self.http = http
        self.endpoint = endpoint
        self.ref = ref
        self.client = client
        self.progress = progress
        self.limits = limits

    @property
    def netloc(self) -> str:
        return self.endpoint.netloc

    def url(self, kind: str, ref: str) -> str:
        return f"{self.endpoint.base}/v2/{quote(self.ref.path, safe='/')}/{kind}/{quote(ref, safe=':')}"

    async def send(
        self,
        method: str,
        url: str | httpx.URL,
        what: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | _BlobBody | None = None,
        bounded: bool = True,
    ) -> httpx.Response:
        """The whole answer (its body bounded by the client); ``bounded``: within the request
        timeout (a blob's upload is not: its size sets its pace). Unreachable when no answer came."""
        request = self.http.build_request(method, url, headers=headers, content=body)
        try:
            async with asyncio.timeout(self.limits.request_timeout if bounded else None):
                return await self.http.send(request)
        except TimeoutError:
            raise Unreachable(self.netloc, f"no answer to {what} within {self.limits.request_timeout:g}s") from None
        except httpx.TransportError as e:  # a timeout of httpx's (connect, or a stalled read or write) too
            raise Unreachable(self.netloc, f"{what}: {describe_transport_error(e)}") from None
        except BadAnswer as e:
            raise APIError(500, f"registry {self.netloc} {e}") from None
        except httpx.HTTPError as e:  # too many redirects, an invalid redirect URL
            raise APIError(500, f"registry {self.netloc}: {type(e).__name__}: {e}") from None

    def refused(self, response: httpx.Response, what: str) -> APIError:
        """The error for an answer that is no success."""
        status = response.status_code
        detail = registry_error(response.content) if response.request.method != "HEAD" else ""
        if status in (401, 403):
            detail = detail or (
                "unauthorized: authentication required"
                if status == 401
                else "denied: requested access to the resource is denied"
            )
            return APIError(403, f"push access to {self.ref.name} denied: {detail}")
        text = f"failed to push {what} to registry {self.netloc}: unexpected status {status_text(status)}"
        return APIError(500, text + (f" - Server message: {detail}" if detail else ""))

    async def ping(self) -> None:
        """Reach the registry and present the credentials (``GET /v2/``)."""
        response = await self.send("GET", f"{self.endpoint.base}/v2/", "GET /v2/")
        if response.status_code in (401, 403):
            raise self.refused(response, "")
        if response.status_code != 200:
            raise APIError(
                500,
                f"registry {self.netloc} answered GET /v2/ with {status_text(response.status_code)}: not a registry",
            )

    # --- blobs -------------------------------------------------------------------------------------
    async def _mount_source(self, desc: Descriptor) -> str | None:
        """Another repository of this registry's host the blob came from (its distribution-source
        label; containerd's selectRepositoryMountCandidate), or None."""
        found = await content.info(self.client, desc.digest)
        if found is None:
            return None
        domain = self.ref.domain
        host = domain.rsplit(":", 1)[0] if not domain.endswith("]") else domain
        for repo in found.labels.get(f"{DISTRIBUTION_SOURCE}.{host.strip('[]')}", "").split(","):
            if repo and repo != self.ref.path:
                return repo
        return None

    def _location(self, response: httpx.Response, desc: Descriptor) -> httpx.URL:
        """Where to PUT the blob: the upload's Location (a path on this endpoint, a host without
        scheme, or a URL) with ``digest`` added."""
        location = response.headers.get("location", "")
        if not location:
            raise APIError(500, f"registry {self.netloc} started an upload of {desc.digest} without a Location")
        if location.startswith("/"):
            location = self.endpoint.base + location
        elif "://" not in location:
            location = f"{self.endpoint.scheme}://{location}"
        try:
            url = httpx.URL(location)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise APIError(500, f"registry {self.netloc} named an invalid upload location for {desc.digest}")
        return url.copy_merge_params({"digest": desc.digest})

    async def blob(self, desc: Descriptor) -> None:
        key, what = desc.ref_key, f"{desc.kind} {desc.digest}"
        head = await self.send("HEAD", self.url("blobs", desc.digest), f"HEAD of {what}")
        if head.status_code == 200:
            self.progress.exists(key)
            return
        # A 401 here: containerd goes on to the upload, whose answer says more.
        if head.status_code not in (401, 403, 404):
            raise self.refused(head, what)
        uploads = f"{self.endpoint.base}/v2/{quote(self.ref.path, safe='/')}/blobs/uploads/"
        started: httpx.Response | None = None
        source = await self._mount_source(desc)
        if source is not None:
            mount = httpx.URL(uploads, params={"mount": desc.digest, "from": source})
            started = await self.send("POST", mount, f"the upload of {what}")
            if started.status_code == 401:  # not allowed to read the other repository
                started = None
        if started is None:
            started = await self.send("POST", uploads, f"the upload of {what}")
        if started.status_code == 201:  # mounted: nothing to send
            self.progress.exists(key)
            return
        if started.status_code not in (200, 202, 204):
            raise self.refused(started, what)
        location = self._location(started, desc)
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(desc.size)}
        body = _BlobBody(self.client, desc, self.progress)
        answer = await self.send("PUT", location, f"the upload of {what}", headers=headers, body=body, bounded=False)
        if answer.status_code not in (200, 201, 202, 204):
            raise self.refused(answer, what)
        self._check_digest(answer, desc, what)
        self.progress.committed(key)

    def _check_digest(self, answer: httpx.Response, desc: Descriptor, what: str) -> None:
        stored = answer.headers.get("docker-content-digest")
        if stored is not None and stored != desc.digest:
            raise APIError(500, f"registry {self.netloc} stored {what} as {stored[:80]}")

    # --- manifests ---------------------------------------------------------------------------------
    async def manifest(self, desc: Descriptor, data: bytes, ref: str) -> None:
        """Put the manifest or index ``desc`` (bytes ``data``) as ``ref`` (its tag, or its digest)."""
        key, what = desc.ref_key, f"{desc.kind} {desc.digest}"
        url = self.url("manifests", ref)
        headers = {"Accept": f"{desc.media_type}, */*"}
        head = await self.send("HEAD", url, f"HEAD of {what}", headers=headers)
        if head.status_code == 200 and (ref == desc.digest or head.headers.get("docker-content-digest") == desc.digest):
            self.progress.exists(key)
            return
        if head.status_code not in (200, 401, 403, 404):
            raise self.refused(head, what)
        self.progress.started(key)
        self.progress.sent(key, desc.size)  # sent whole: what is left is the registry's answer
        answer = await self.send(
            "PUT", url, f"the upload of {what}", headers={"Content-Type": desc.media_type}, body=data
        )
        if answer.status_code not in (200, 201, 202, 204):
            raise self.refused(answer, what)
        self._check_digest(answer, desc, what)
        self.progress.committed(key)

    async def run(self, plan: PushPlan) -> None:
        slots = asyncio.Semaphore(self.limits.concurrent_uploads)

        async def one(desc: Descriptor) -> None:
            async with slots:
                await self.blob(desc)

        try:
            async with asyncio.TaskGroup() as group:
                for desc in plan.blobs:
                    group.create_task(one(desc))
        except BaseExceptionGroup as errors:
            raise first_error(errors) from None
        for desc, data in plan.manifests:
            await self.manifest(desc, data, desc.digest)
        await self.manifest(plan.target, plan.document, self.ref.tag or reference.DEFAULT_TAG)


async def connect(
    ref: Reference,
    endpoints: Sequence[Endpoint],
    credentials: Credentials | None,
    client: ContainerdClient,
    progress: PushProgress,
    limits: PushLimits,
) -> Uploader:
    """An uploader at the first of ``endpoints`` that answers, the credentials accepted there.
    APIError: 500 when none can be reached, 403 when the registry refuses the credentials."""
    unreachable: list[str] = []
    for endpoint in endpoints:
        http = await push_client(
            endpoint, credentials, ref.path, connect_timeout=limits.connect_timeout, read_timeout=limits.idle_timeout
        )
        uploader = Uploader(http, endpoint, ref, client, progress, limits)
        try:
            await uploader.ping()
        except Unreachable as e:
            await http.aclose()
            unreachable.append(f"{endpoint.base}: {e.cause}")
            continue
        except BaseException:
            await http.aclose()
            raise
        return uploader
    raise APIError(500, f"cannot reach a registry at {ref.domain}: " + "; ".join(unreachable))


# ---- the push -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushSession:
    """A push under way: ``name`` as pouch names it (``name:tag`` as asked: its event's ID),
    ``reference`` where it goes, ``target`` what the tag will name there, and the task doing it."""

    name: str
    reference: Reference
    target: Descriptor
    progress: PushProgress
    task: asyncio.Task[None]
    _http: httpx.AsyncClient = field(repr=False)

    async def stream(self) -> AsyncGenerator[bytes, None]:
        """pouch's push progress; it ends once the push has ended. Leaving it early (the client
        went away) cancels the push."""
        try:
            async for frame in self.progress.frames():
                yield frame
            with contextlib.suppress(Exception):  # its error is in the stream already
                await self.task
        finally:
            if not self.task.done():
                self.task.cancel()
                with contextlib.suppress(BaseException):
                    await self.task
            await self._http.aclose()  # the task closes it; not if cancelled before it ran


def push_text(name: str, tag: str | None) -> str:
    """``name`` and the ``tag`` parameter as pouch joins them (``name:tag``; ``name:latest``
    when neither names a tag). APIError(400) for a name pouch's grammar refuses, or a digest."""
    text = f"{name}:{tag}" if tag else name
    try:
        parsed = reference.parse(text)
    except ValueError as e:
        raise APIError(400, f"{text}: {e}") from None
    if parsed.digest is not None:
        raise APIError(400, f"cannot push a digest reference format image: {text}")
    return str(parsed.with_default_tag())


async def push(
    manager: ImageManager,
    name: str,
    tag: str | None,
    credentials: Credentials | None,
    *,
    limits: PushLimits | None = None,
) -> PushSession:
    """Start pushing the image ``name`` (with ``tag``) names, and return once the registry has
    been reached and has let the credentials in: the session streams the progress. Raises
    APIError before that: 400 for a bad name, 404 for no such image, 500 for incomplete content
    or an unreachable registry, 403 when the registry refuses the credentials."""
    limits = limits or PushLimits()
    if not name:
        raise APIError(400, "image name cannot be empty")
    text = push_text(name, tag)
    try:
        dest = reference.normalize(text, manager.store.default_registry)
    except ValueError as e:
        raise APIError(400, f"{text}: {e}") from None
    details, matched = manager.lookup(text)
    if matched is None:
        raise APIError(400, f"cannot push {text}: it names an image by ID, not a repository; tag the image first")
    record = manager.records[matched]
    client = manager.client
    plan = await plan_push(client, record.target, details.manifest, limits)
    endpoints = await endpoints_for(dest.domain, manager.insecure, manager.image_proxy())
    progress = PushProgress()
    try:
        uploader = await connect(dest, endpoints, credentials, client, progress, limits)
    except APIError as e:
        raise APIError(e.status, credentials.scrub(e.message) if credentials else e.message) from None
    for key, size in plan.keys:
        progress.add(key, size)
    task = asyncio.get_running_loop().create_task(_run(uploader, plan, credentials))
    return PushSession(text, dest, plan.target, progress, task, uploader.http)


async def _run(uploader: Uploader, plan: PushPlan, credentials: Credentials | None) -> None:
    progress, client = uploader.progress, uploader.client
    try:
        # The client was opened by connect(): closed here (``async with`` would open it again).
        async with contextlib.aclosing(uploader.http), client.lease() as lease:
            for digest in dict.fromkeys(plan.digests):
                await content.hold(client, lease, digest)
            await uploader.run(plan)
    except APIError as e:
        text = credentials.scrub(e.message) if credentials is not None else e.message
        progress.fail(text)
        raise APIError(e.status, text) from None
    except BaseException:
        progress.fail("the push was interrupted")
        raise
    progress.finish()
