"""pouchd's images (pouch's daemon/mgr/image.go): the records containerd keeps, the index of
their names (:class:`~pouch_server.managers.images.store.ImageStore`), and the details shown
of each (:mod:`~pouch_server.managers.images.metadata`), kept in memory and changed only
through this manager, so that listing and lookups never call containerd.

Each name is one containerd image record: ``busybox:latest`` (a name as typed when pulled, or a
tag's fully qualified name), and beside every tag the record of its digest reference
(``busybox@sha256:…``, labelled as pouch labels its own, "managed"), which RepoDigests show.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from google.protobuf import field_mask_pb2

from containerd_api.github.com.containerd.containerd.api.services.images.v1 import images_pb2
from containerd_api.github.com.containerd.containerd.api.types import descriptor_pb2
from pouch_server.ctrd.client import ContainerdClient
from pouch_server.ctrd.engine import Engine
from pouch_server.errors import APIError
from pouch_server.managers.events import EventBus, FilterError, parse_filters
from pouch_server.managers.images import reference
from pouch_server.managers.images.content import proto_descriptor
from pouch_server.managers.images.distribution import Candidate, Descriptor
from pouch_server.managers.images.metadata import ImageDetails, describe, history, image_info
from pouch_server.managers.images.progress import Progress
from pouch_server.managers.images.pull import drop_pull_leases, pull
from pouch_server.managers.images.reference import Reference
from pouch_server.managers.images.store import DIGEST_REF_MANAGED, LABEL_DIGEST_REF, ImageStore
from pouch_server.managers.registry.addresses import Endpoint, InsecurePolicy
from pouch_server.managers.registry.client import endpoints_for
from pouch_server.managers.registry.credentials import Credentials

log = logging.getLogger("pouchd")

#: The filters of the image list (pouch's image.go, Docker's): a name pattern, and images made
#: before or since the one named.
LIST_FILTERS: Final = ("reference", "before", "since")


@dataclass(frozen=True)
class PullSession:
    """A pull under way: its progress, and the task doing it (which records the image)."""

    progress: Progress
    task: asyncio.Task[None]

    async def stream(self) -> AsyncIterator[bytes]:
        """pouch's progress stream; it ends once the pull has ended and the image is recorded
        (a client that lists images as soon as the stream ends finds it). Leaving the stream
        early (the client went away) cancels the pull, as pouch's spec says."""
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


@dataclass(frozen=True)
class Record:
    """One containerd image record, as pouchd keeps it in memory."""

    name: str
    target: Descriptor
    labels: Mapping[str, str]


def _descriptor(d: descriptor_pb2.Descriptor) -> Descriptor:
    return Descriptor(d.media_type, d.digest, d.size)


class ImageManager:
    """Images in pouchd's containerd namespace. :meth:`load` fills the memory from containerd at
    start; every change goes through the methods here, to containerd first, then to memory."""

    def __init__(
        self,
        events: EventBus,
        *,
        default_registry: str,
        snapshotter: str,
        insecure_registries: Sequence[str] = (),
        mirrors: Sequence[str] = (),
        spool_dir: Path | None = None,
        image_proxy: Callable[[], str] = lambda: "",
    ) -> None:
        self.events = events
        #: The proxy pulls and pushes go through, as it is now (``--image-proxy``, changed by
        #: ``POST /daemon/update``); ``""``: none.
        self.image_proxy = image_proxy
        self.store = ImageStore(default_registry)
        self.snapshotter = snapshotter
        self.insecure = InsecurePolicy(list(insecure_registries))
        self.mirrors = list(mirrors)
        self.spool_dir = spool_dir or Path(
            tempfile.gettempdir()
        )  # where image archives are written while they are loaded
        self.records: dict[str, Record] = {}
        self.details: dict[str, ImageDetails] = {}  # by image ID
        self._client: ContainerdClient | None = None
        #: The ID of a container made from the image (with ``running_only``: one that runs), if
        #: any: the container manager's answer.
        self.in_use: Callable[[str, bool], str | None] = lambda image_id, running_only: None

    @property
    def client(self) -> ContainerdClient:
        if self._client is None:
            raise APIError(500, "containerd is not connected yet")
        return self._client

    @property
    def count(self) -> int:
        return self.store.count

    # --- start -----------------------------------------------------------------------------
    async def load(self, engine: Engine) -> None:
        """Read every image record of the namespace (a record pouch's grammar refuses, made by
        another tool, or one whose content is incomplete, is logged and left out, as pouch does),
        after dropping the leases of pulls that a killed pouchd or containerd left unfinished."""
        self._client = client = engine.client
        dropped = await drop_pull_leases(client)
        if dropped:
            log.info("dropped %d lease(s) of unfinished pulls", len(dropped))
        answer = await client.call(client.images.List, images_pb2.ListImagesRequest())
        for image in answer.images:
            try:
                await self._remember(Record(image.name, _descriptor(image.target), dict(image.labels)))
            except APIError as e:
                log.warning("image %s left out: %s", image.name, e.message)

    async def _remember(self, record: Record) -> ImageDetails:
        details = await self._details_of(record.target)
        managed = record.labels.get(LABEL_DIGEST_REF) == DIGEST_REF_MANAGED
        self.store.add(details.id, record.name, managed=managed)
        self.records[record.name] = record
        self.details[details.id] = details
        return details

    async def _details_of(self, target: Descriptor) -> ImageDetails:
        for details in self.details.values():
            if details.target.digest == target.digest:
                return details
        return await describe(self.client, target)

    # --- records in containerd -----------------------------------------------------------
    async def put_record(self, name: str, target: Descriptor, labels: Mapping[str, str] | None = None) -> Record:
        """Create the record ``name`` → ``target`` in containerd, or point it there if it exists."""
        image = images_pb2.Image(name=name, target=proto_descriptor(target), labels=dict(labels or {}))
        client = self.client
        try:
            await client.call(client.images.Create, images_pb2.CreateImageRequest(image=image))
        except APIError as e:
            if e.status != 409:
                raise
            mask = field_mask_pb2.FieldMask(paths=["target", "labels"])
            await client.call(client.images.Update, images_pb2.UpdateImageRequest(image=image, update_mask=mask))
        record = Record(name, target, dict(labels or {}))
        await self._remember(record)
        return record

    async def record_with_digest(self, name: str, target: Descriptor) -> None:
        """``name`` and, beside it, the managed record of its digest reference."""
        await self.put_record(name, target)
        await self._digest_sibling(name, target)

    async def _digest_sibling(self, name: str, target: Descriptor) -> None:
        """The managed ``repo@digest`` record beside the tag ``name`` (RepoDigests)."""
        parsed = reference.parse(name)
        if parsed.digest is None:
            await self.put_record(f"{parsed.name}@{target.digest}", target, {LABEL_DIGEST_REF: DIGEST_REF_MANAGED})

    async def delete_record(self, name: str) -> None:
        client = self.client
        try:
            await client.call(client.images.Delete, images_pb2.DeleteImageRequest(name=name))
        except APIError as e:
            if e.status != 404:  # gone already: memory follows
                raise
        self.records.pop(name, None)
        image_id = self.store.remove(name)
        if image_id is not None and image_id not in self.store.ids():
            self.details.pop(image_id, None)

    # --- reading ---------------------------------------------------------------------------
    def lookup(self, name: str) -> tuple[ImageDetails, str | None]:
        """The image ``name`` names (pouch's lookup: reference, name + latest, ID prefix), and the
        record it matched (None when matched by ID)."""
        image_id, matched = self.store.lookup(name)
        return self.details[image_id], matched

    def info(self, image_id: str, *, summary: bool = True) -> dict[str, Any]:
        tags, digests = self.store.repo_tags(image_id), self.store.repo_digests(image_id)
        return image_info(self.details[image_id], tags, digests, summary=summary)

    def inspect(self, name: str) -> dict[str, Any]:
        details, _ = self.lookup(name)
        return self.info(details.id, summary=False)

    def history(self, name: str) -> list[dict[str, Any]]:
        details, _ = self.lookup(name)
        return history(details)

    def list_images(self, filters: str | None = None, *, name: str | None = None) -> list[dict[str, Any]]:
        """Every image, newest first, kept by ``filters`` (Docker's JSON: ``reference``,
        ``before``, ``since``; pouch's image.go filter) and ``name`` (one more ``reference``
        pattern: Docker's ``filter`` of API 1.24, as dockerd reads it). Under a ``reference``
        filter an image is listed with the names that match only (its ``RepoTags`` and
        ``RepoDigests``), and not at all when none does, as pouch and Docker list it."""
        try:
            wanted = parse_filters(filters, LIST_FILTERS)
        except FilterError as e:
            raise APIError(400, str(e)) from None
        if name:
            wanted.setdefault("reference", []).append(name)
        try:
            patterns = [reference.name_pattern(p) for p in wanted.get("reference", [])]
        except ValueError as e:
            raise APIError(400, f"invalid filter 'reference': {e}") from None
        before = self._bound(wanted, "before")
        since = self._bound(wanted, "since")
        out = []
        for image_id in self.store.ids():
            details = self.details[image_id]
            if before is not None and not details.created < before:
                continue
            if since is not None and not details.created > since:
                continue
            tags, digests = self.store.repo_tags(image_id), self.store.repo_digests(image_id)
            if patterns:
                tags = [ref for ref in tags if self._matches(ref, patterns)]
                digests = [ref for ref in digests if self._matches(ref, patterns)]
                if not tags and not digests:
                    continue
            out.append(image_info(details, tags, digests))
        out.sort(key=lambda i: (i["CreatedAt"], i["Id"]), reverse=True)
        return out

    def _bound(self, wanted: dict[str, list[str]], key: str) -> str | None:
        values = wanted.get(key, [])
        if len(values) > 1:
            raise APIError(400, f"can't use {key} filter more than one")
        if not values:
            return None
        details, _ = self.lookup(values[0])
        return details.created

    def _matches(self, ref: str, patterns: Sequence[re.Pattern[str]]) -> bool:
        """Docker's reference filter: a pattern against the name (``repo:tag``, ``repo@digest``
        and ``repo``), as stored or in its familiar form."""
        familiar = reference.familiar(ref, self.store.default_registry)
        short = familiar.split("@")[0] if "@" in familiar else familiar.rsplit(":", 1)[0]
        names = {ref, reference.parse(ref).name, familiar, short}
        return any(pattern.fullmatch(name) for name in names for pattern in patterns)

    # --- pulling ---------------------------------------------------------------------------
    async def pull(self, from_image: str, tag: str | None, credentials: Credentials | None) -> PullSession:
        """Start pulling ``from_image`` (with ``tag``: a tag, or a digest as Docker's clients send
        one) and return once the registry has resolved it: the session streams the progress.
        Raises APIError before that, as pouch answers a reference it cannot resolve (404, 403)."""
        if not from_image:
            raise APIError(400, "fromImage cannot be empty")
        text = reference.join_docker_pull(from_image, tag or "")
        try:
            reference.parse(text)
            record = reference.record_name(text)
            found = reference.candidates(text, self.store.default_registry, self.mirrors)
        except ValueError as e:
            raise APIError(400, str(e)) from None
        if not found:
            raise APIError(400, f"{text}: invalid reference format")
        proxy = self.image_proxy()
        mirrors = [Candidate(ref, await endpoints_for(ref.domain, self.insecure, proxy)) for ref in found[:-1]]
        main = found[-1]
        endpoints = await endpoints_for(main.domain, self.insecure, proxy)
        progress = Progress()
        task = asyncio.get_running_loop().create_task(
            self._pull(main, record, text, endpoints, mirrors, credentials, progress)
        )
        resolved = asyncio.ensure_future(progress.resolved.wait())
        try:
            await asyncio.wait({task, resolved}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            task.cancel()
            raise
        finally:
            resolved.cancel()
        if task.done() and not progress.resolved.is_set():
            task.result()  # its error, answered before any byte of the stream
        return PullSession(progress, task)

    async def _pull(
        self,
        ref: Reference,
        record: str,
        asked: str,
        endpoints: Sequence[Endpoint],
        mirrors: Sequence[Candidate],
        credentials: Credentials | None,
        progress: Progress,
    ) -> None:
        pulled = await pull(
            self.client,
            ref,
            record_name=record,
            snapshotter=self.snapshotter,
            endpoints=endpoints,
            credentials=credentials,
            progress=progress,
            mirrors=mirrors,
        )
        await self._remember(Record(record, pulled.target, {}))
        await self._digest_sibling(record, pulled.target)
        self.events.publish("image", "pull", record, {"Name": asked, "name": asked})

    # --- changing ----------------------------------------------------------------------------
    async def tag(self, source: str, repo: str, tag: str | None) -> str:
        """Tag the image ``source`` names as ``repo:tag`` (always qualified, as pouch does):
        the new record's name."""
        try:
            target = reference.tag_target(repo, tag or "", self.store.default_registry)
        except ValueError as e:
            raise APIError(400, f"{e}: invalid param") from None
        self.store.validate_tag_target(target)
        details, matched = self.lookup(source)
        record = self.records.get(matched or self.store.primary_reference(details.id))
        assert record is not None  # the store names only records pouchd holds
        await self.record_with_digest(target, record.target)
        self.events.publish("image", "tag", source, {"Name": target, "name": target})
        return target

    async def remove(self, name: str, force: bool) -> list[dict[str, str]]:
        """Remove what ``name`` names (pouch's rmi): by ID, every reference of the image (refused
        without ``force`` when they are in more than one repository); by a reference, that record
        and, when no other tag of its repository is left on the image, its digest record. What
        was removed, as Docker lists it (``{"Untagged": ref}``, then ``{"Deleted": id}`` when the
        image is gone)."""
        details, matched = self.lookup(name)
        image_id = details.id
        user = self.in_use(image_id, force)
        if user is not None and (matched is None or len(self.store.primary_references(image_id)) <= 1):
            # Removing the image itself (its last name, or by ID) that a container was made from:
            # refused, and with force too while such a container runs (Docker's rule; pouch
            # answers 500 with its own text).
            raise APIError(
                409,
                f'conflict: unable to remove repository reference "{name}" (must force) - container '
                f"{user[:12]} is using its referenced image {image_id.removeprefix('sha256:')[:12]}",
            )
        if matched is None:
            if not force and not self.store.unique_locator(image_id):
                raise APIError(500, f'unable to remove the image "{name}" (must force) - image has serveral references')
            names = self.store.references(image_id)
        else:
            names = [matched]
            parsed = reference.parse(matched)
            if parsed.digest is None:
                siblings = [
                    r
                    for r in self.store.references(image_id)
                    if r != matched and reference.parse(r).name == parsed.name and reference.parse(r).digest is None
                ]
                digest_ref = f"{parsed.name}@{details.target.digest}"
                if not siblings and self.store.is_managed(digest_ref):
                    names.append(digest_ref)
        removed: list[dict[str, str]] = []
        for ref in names:
            await self.delete_record(ref)
            self.events.publish("image", "untag", ref, {"Name": ref, "name": ref})
            removed.append({"Untagged": ref})
        if image_id not in self.store.ids():
            self.events.publish("image", "delete", image_id, {"Name": name, "name": name})
            removed.append({"Deleted": image_id})
        return removed
